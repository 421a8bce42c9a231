using System.Net;
using System.Text.Json;

namespace Strategy.Tests.Api;

/// <summary>
/// Reads: the seeded LMEC plan, commitment lists with every filter on a small plan whose figures are worked out by
/// hand, SDG reference data and the operational endpoints.
/// </summary>
public sealed class ReadTests(DemoPlanFactory api) : IClassFixture<DemoPlanFactory>
{
    private const string Demo = "LMEC-2023-2027";
    private static readonly string[] HealthValues = ["on-track", "at-risk", "off-track", "overdue", "done", "unknown"];

    // ---- the seeded demo plan ----

    [Fact]
    public async Task The_demo_plan_has_6_goals_16_outcomes_and_30_commitments_5_per_country()
    {
        var response = await api.Reviewer().GetAsync($"/api/plans/{Demo}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var plan = await response.Json();

        var goals = plan.GetProperty("goals").EnumerateArray().ToList();
        goals.Count.ShouldBe(6);
        goals.Select(g => g.GetProperty("code").GetString()).ShouldBe(["G1", "G2", "G3", "G4", "G5", "G6"]);
        goals.Sum(g => g.GetProperty("outcomes").GetArrayLength()).ShouldBe(16);

        var counts = plan.GetProperty("counts");
        counts.GetProperty("goals").GetInt32().ShouldBe(6);
        counts.GetProperty("outcomes").GetInt32().ShouldBe(16);
        counts.GetProperty("commitments").GetInt32().ShouldBe(30);
        var byCountry = counts.GetProperty("commitmentsByCountry");
        byCountry.EnumerateObject().Select(p => p.Name).Order().ShouldBe(["CN", "KH", "LA", "MM", "TH", "VN"]);
        byCountry.EnumerateObject().ShouldAllBe(p => p.Value.GetInt32() == 5);
        plan.GetProperty("version").GetInt64().ShouldBe(response.ETag());

        var all = await api.Reviewer().GetAsync($"/api/plans/{Demo}/commitments?pageSize=200");
        Total(all).ShouldBe(30);
        (await all.Json()).GetArrayLength().ShouldBe(30);
        foreach (var country in new[] { "KH", "CN", "LA", "MM", "TH", "VN" })
        {
            var list = await api.Reviewer().GetAsync($"/api/plans/{Demo}/commitments?country={country}");
            Total(list).ShouldBe(5);
            (await list.Json()).EnumerateArray().ShouldAllBe(c => c.GetProperty("country").GetString() == country);
        }

        var plans = await (await api.Reviewer().GetAsync("/api/plans")).Json();
        var summary = plans.EnumerateArray().Single(p => p.GetProperty("code").GetString() == Demo);
        summary.GetProperty("goals").GetInt32().ShouldBe(6);
        summary.GetProperty("outcomes").GetInt32().ShouldBe(16);
    }

    // ---- lists on a small plan with known commitments ----

    /// <summary>
    /// Eight commitments, one per health value plus a cancelled and a withdrawn one, with values chosen from the
    /// straight line of expected progress so each lands well inside its band. Plan start 2024-01-01 is every
    /// commitment's baseline date.
    /// </summary>
    private sealed record Fixture(string Plan, IReadOnlyDictionary<string, Guid> Ids, IReadOnlyDictionary<string, string> Health,
        IReadOnlyDictionary<string, double> Expected);

    private static readonly DateOnly PlanStart = new(2024, 1, 1);

    /// <summary>e = (t - start) / (due - start), clamped to [0, 1].</summary>
    private static double ExpectedProgress(DateOnly due, DateOnly today) =>
        Math.Clamp((double)(today.DayNumber - PlanStart.DayNumber) / (due.DayNumber - PlanStart.DayNumber), 0, 1);

    private async Task<Fixture> Seed()
    {
        var plan = "READ-" + Guid.NewGuid().ToString("N")[..8];
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var dueFar = new DateOnly(2028, 12, 31);
        var dueMid = new DateOnly(2028, 6, 30);
        today.ShouldBeGreaterThan(new DateOnly(2024, 6, 30)); // C04's due date must be past
        today.ShouldBeLessThan(dueMid);                        // and the others' still ahead

        object C(string code, string country, string outcome, string indicator, double target, DateOnly due) =>
            TestPlan.Commitment(country, outcome, code, due.ToString("yyyy-MM-dd"), indicator, target, $"Commitment {code}");

        // Listed out of code order, so ordering by code is the API's doing.
        var commitments = new[]
        {
            C("C05", "TH", "G1.O1", "G1.O1.I1", 4, new DateOnly(2027, 12, 31)),
            C("C02", "TH", "G1.O2", "G1.O2.I1", 25, dueMid),
            C("C08", "KH", "G1.O1", "G1.O1.I1", 4, new DateOnly(2027, 6, 30)),
            C("C01", "KH", "G1.O1", "G1.O1.I1", 1000, dueFar),
            C("C07", "KH", "G1.O2", "G1.O2.I1", 30, dueFar),
            C("C04", "KH", "G2.O1", "G2.O1.I1", 90, new DateOnly(2024, 6, 30)),
            C("C06", "VN", "G1.O1", "G1.O1.I1", 4, dueFar),
            C("C03", "VN", "G2.O1", "G2.O1.I1", 90, dueFar),
        };
        var secretariat = api.Secretariat();
        var created = await secretariat.PostJson("/api/plans", TestPlan.Document(plan, commitments));
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());

        var listed = await (await secretariat.GetAsync($"/api/plans/{plan}/commitments?includeWithdrawn=true")).Json();
        var ids = listed.EnumerateArray().ToDictionary(c => c.GetProperty("code").GetString()!, c => c.GetProperty("id").GetGuid());
        ids.Count.ShouldBe(8);

        async Task Status(string code, string status) =>
            (await secretariat.PostJson($"/api/commitments/{ids[code]}/status", new { status })).StatusCode.ShouldBe(HttpStatusCode.OK);
        async Task Report(string code, double value) =>
            (await secretariat.PostJson($"/api/commitments/{ids[code]}/progress", new { value, asOf = "2024-06-01" }))
                .StatusCode.ShouldBe(HttpStatusCode.OK);

        // C01: count, baseline 0, target 1000; p = e exactly on the line (on-track needs p >= 0.95 e).
        var e1 = ExpectedProgress(dueFar, today);
        await Status("C01", "in-progress");
        await Report("C01", 1000 * e1);
        // C02: PM2.5 should fall from the indicator's baseline 40 to 25; p = 0.775 e, midway in at-risk [0.60 e, 0.95 e).
        // v = b + p (T - b) = 40 - 0.775 e * 15.
        var e2 = ExpectedProgress(dueMid, today);
        await Status("C02", "in-progress");
        await Report("C02", 40 - 0.775 * e2 * 15);
        // C03: percent from the indicator's baseline 50 to 90; p = 0.3 e, below 0.60 e: off-track (status stays not-started).
        await Report("C03", 50 + 0.3 * e1 * 40);
        // C04: due 2024-06-30, in progress: overdue whatever its value (p = (60 - 50) / 40 = 0.25).
        await Status("C04", "in-progress");
        await Report("C04", 60);
        // C05: completed: done.
        await Status("C05", "completed");
        // C06: on hold, no value: unknown.
        await Status("C06", "on-hold");
        // C07: withdrawn: out of the lists unless asked for.
        (await secretariat.PostJson($"/api/commitments/{ids["C07"]}/withdraw", new { reason = "Made in error" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        // C08: cancelled: no longer pursued, health unknown.
        await Status("C08", "cancelled");

        var health = new Dictionary<string, string>
        {
            ["C01"] = "on-track", ["C02"] = "at-risk", ["C03"] = "off-track", ["C04"] = "overdue",
            ["C05"] = "done", ["C06"] = "unknown", ["C07"] = "unknown", ["C08"] = "unknown",
        };
        var expected = new Dictionary<string, double> { ["C01"] = e1, ["C02"] = e2, ["C03"] = e1, ["C04"] = 1 };
        return new Fixture(plan, ids, health, expected);
    }

    private static long Total(HttpResponseMessage response) => long.Parse(response.Headers.GetValues("X-Total-Count").Single());

    private async Task<(List<JsonElement> Items, long Total)> List(string plan, string query = "")
    {
        var response = await api.Reviewer().GetAsync($"/api/plans/{plan}/commitments{(query.Length > 0 ? "?" + query : "")}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return ([.. (await response.Json()).EnumerateArray()], Total(response));
    }

    private async Task<List<string?>> Codes(string plan, string query)
    {
        var (items, total) = await List(plan, query);
        total.ShouldBe(items.Count, query);
        return [.. items.Select(i => i.GetProperty("code").GetString())];
    }

    [Fact]
    public async Task Every_health_value_occurs_with_the_progress_worked_out_by_hand()
    {
        var f = await Seed();
        var (items, total) = await List(f.Plan);
        total.ShouldBe(7);
        var byCode = items.ToDictionary(i => i.GetProperty("code").GetString()!);
        byCode.Keys.ShouldBe(["C01", "C02", "C03", "C04", "C05", "C06", "C08"]);
        foreach (var (code, item) in byCode) item.GetProperty("health").GetString().ShouldBe(f.Health[code], code);
        items.Select(i => i.GetProperty("health").GetString()).Distinct().Order().ShouldBe(HealthValues.Order());

        // p as the service reports it (rounded to 4 places), against the hand-computed ratio.
        byCode["C01"].GetProperty("progress").GetDouble().ShouldBe(f.Expected["C01"], 0.0001);
        byCode["C02"].GetProperty("progress").GetDouble().ShouldBe(0.775 * f.Expected["C02"], 0.0001);
        byCode["C03"].GetProperty("progress").GetDouble().ShouldBe(0.3 * f.Expected["C03"], 0.0001);
        byCode["C04"].GetProperty("progress").GetDouble().ShouldBe(0.25);
        byCode["C06"].GetProperty("progress").ValueKind.ShouldBe(JsonValueKind.Null);
        // e as the service reports it; a day's drift (the test straddling midnight) moves it by under 0.0006.
        foreach (var code in new[] { "C01", "C02", "C03", "C04" })
            byCode[code].GetProperty("expectedProgress").GetDouble().ShouldBe(f.Expected[code], 0.001, code);
    }

    [Fact]
    public async Task The_health_filter_agrees_with_each_item_health()
    {
        var f = await Seed();
        var (all, _) = await List(f.Plan);
        foreach (var health in HealthValues)
        {
            var filtered = await Codes(f.Plan, $"health={health}");
            var subset = all.Where(i => i.GetProperty("health").GetString() == health).Select(i => i.GetProperty("code").GetString()).ToList();
            filtered.ShouldBe(subset, customMessage: health);
            filtered.ShouldBe(f.Health.Where(h => h.Key != "C07" && h.Value == health).Select(h => (string?)h.Key).Order().ToList(), customMessage: health);
            filtered.ShouldNotBeEmpty(health);
        }
        (await Codes(f.Plan, "health=unknown&includeWithdrawn=true")).ShouldBe(["C06", "C07", "C08"]);
        (await Codes(f.Plan, "overdue=true")).ShouldBe(["C04"]);
        (await Codes(f.Plan, "overdue=false")).Count.ShouldBe(7);
        await (await api.Reviewer().GetAsync($"/api/plans/{f.Plan}/commitments?health=late")).ShouldBeProblem(400, "health");
    }

    [Fact]
    public async Task Lists_filter_by_country_goal_outcome_status_and_sdg_target()
    {
        var f = await Seed();
        (await Codes(f.Plan, "country=KH")).ShouldBe(["C01", "C04", "C08"]);
        (await Codes(f.Plan, "country=TH")).ShouldBe(["C02", "C05"]);
        (await Codes(f.Plan, "country=VN")).ShouldBe(["C03", "C06"]);
        (await Codes(f.Plan, "goal=G1")).ShouldBe(["C01", "C02", "C05", "C06", "C08"]);
        (await Codes(f.Plan, "goal=G2")).ShouldBe(["C03", "C04"]);
        (await Codes(f.Plan, "outcome=G1.O2")).ShouldBe(["C02"]);
        (await Codes(f.Plan, "outcome=G1.O1")).ShouldBe(["C01", "C05", "C06", "C08"]);
        (await Codes(f.Plan, "status=in-progress")).ShouldBe(["C01", "C02", "C04"]);
        (await Codes(f.Plan, "status=not-started")).ShouldBe(["C03"]);
        (await Codes(f.Plan, "status=on-hold")).ShouldBe(["C06"]);
        (await Codes(f.Plan, "status=completed")).ShouldBe(["C05"]);
        (await Codes(f.Plan, "status=cancelled")).ShouldBe(["C08"]);
        // G1.O1 is aligned with 13.2, G1.O2 with 11.6 and 3.9, G2.O1 with 6.3.
        (await Codes(f.Plan, "sdgTarget=13.2")).ShouldBe(["C01", "C05", "C06", "C08"]);
        (await Codes(f.Plan, "sdgTarget=3.9")).ShouldBe(["C02"]);
        (await Codes(f.Plan, "sdgTarget=6.3")).ShouldBe(["C03", "C04"]);
        (await Codes(f.Plan, "sdgTarget=1.1")).ShouldBeEmpty();
        // Filters combine.
        (await Codes(f.Plan, "country=KH&goal=G1")).ShouldBe(["C01", "C08"]);
        (await Codes(f.Plan, "country=KH&status=in-progress&sdgTarget=6.3")).ShouldBe(["C04"]);
        (await Codes(f.Plan, "country=CN")).ShouldBeEmpty();

        await (await api.Reviewer().GetAsync($"/api/plans/{f.Plan}/commitments?status=started")).ShouldBeProblem(400, "status");
        await (await api.Reviewer().GetAsync($"/api/plans/NO-SUCH-PLAN/commitments")).ShouldBeProblem(404);
    }

    [Fact]
    public async Task Withdrawn_commitments_are_left_out_unless_asked_for()
    {
        var f = await Seed();
        (await Codes(f.Plan, "")).ShouldNotContain("C07");
        (await Codes(f.Plan, "country=KH&goal=G1")).ShouldNotContain("C07");

        var (all, total) = await List(f.Plan, "includeWithdrawn=true");
        total.ShouldBe(8);
        all.Select(i => i.GetProperty("code").GetString()).ShouldBe(["C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08"]);
        var withdrawn = all.Single(i => i.GetProperty("withdrawn").GetBoolean());
        withdrawn.GetProperty("code").GetString().ShouldBe("C07");
        withdrawn.GetProperty("health").GetString().ShouldBe("unknown");
        (await Codes(f.Plan, "country=KH&includeWithdrawn=true")).ShouldBe(["C01", "C04", "C07", "C08"]);
        (await Codes(f.Plan, "outcome=G1.O2&includeWithdrawn=true")).ShouldBe(["C02", "C07"]);

        // The plan's counts leave it out as well.
        var plan = await (await api.Reviewer().GetAsync($"/api/plans/{f.Plan}")).Json();
        plan.GetProperty("counts").GetProperty("commitments").GetInt32().ShouldBe(7);
        plan.GetProperty("counts").GetProperty("commitmentsByCountry").GetProperty("KH").GetInt32().ShouldBe(3);
    }

    [Fact]
    public async Task Pages_are_ordered_by_code_and_carry_the_total()
    {
        var f = await Seed();
        var pages = new List<List<string?>>();
        for (var page = 1; page <= 4; page++)
        {
            var (items, total) = await List(f.Plan, $"page={page}&pageSize=3");
            total.ShouldBe(7);
            pages.Add([.. items.Select(i => i.GetProperty("code").GetString())]);
        }
        pages[0].ShouldBe(["C01", "C02", "C03"]);
        pages[1].ShouldBe(["C04", "C05", "C06"]);
        pages[2].ShouldBe(["C08"]);
        pages[3].ShouldBeEmpty();

        // Filters and paging together: the total is the filtered count, not the page's.
        var (firstKh, khTotal) = await List(f.Plan, "country=KH&pageSize=2");
        khTotal.ShouldBe(3);
        firstKh.Select(i => i.GetProperty("code").GetString()).ShouldBe(["C01", "C04"]);
        var (secondKh, _) = await List(f.Plan, "country=KH&pageSize=2&page=2");
        secondKh.Select(i => i.GetProperty("code").GetString()).ShouldBe(["C08"]);

        // The same page twice is the same page.
        (await Codes(f.Plan, "")).ShouldBe(await Codes(f.Plan, ""));

        foreach (var bad in new[] { "pageSize=0", "pageSize=201", "page=0", "page=x" })
            await (await api.Reviewer().GetAsync($"/api/plans/{f.Plan}/commitments?{bad}")).ShouldBeProblem(400, bad.Split('=')[0]);
        var (max, _) = await List(f.Plan, "pageSize=200");
        max.Count.ShouldBe(7);
    }

    // ---- SDG reference data ----

    [Fact]
    public async Task The_SDG_catalogue_has_17_goals_and_targets_by_goal()
    {
        var goals = await (await api.Reviewer().GetAsync("/api/sdg/goals")).Json();
        goals.GetArrayLength().ShouldBe(17);
        goals.EnumerateArray().Select(g => g.GetProperty("goal").GetInt32()).ShouldBe(Enumerable.Range(1, 17));

        var response = await api.Reviewer().GetAsync("/api/sdg/targets?goal=13");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var targets = (await response.Json()).EnumerateArray().ToList();
        targets.ShouldAllBe(t => t.GetProperty("goal").GetInt32() == 13);
        targets.Select(t => t.GetProperty("target").GetString()).ShouldBe(["13.1", "13.2", "13.3", "13.a", "13.b"]);
        targets.Single(t => t.GetProperty("target").GetString() == "13.2").GetProperty("indicators").GetArrayLength().ShouldBeGreaterThan(0);

        var all = await (await api.Reviewer().GetAsync("/api/sdg/targets")).Json();
        all.GetArrayLength().ShouldBeGreaterThan(targets.Count);
        await (await api.Reviewer().GetAsync("/api/sdg/targets?goal=18")).ShouldBeProblem(400, "goal");
    }

    // ---- operations ----

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_answer_200_without_a_token(string path)
    {
        var response = await api.CreateClient().GetAsync(path);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_the_plans_path_and_a_bearer_scheme()
    {
        var response = await api.CreateClient().GetAsync("/openapi/v1.json");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var doc = await response.Json();
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.ShouldContain("/api/plans");
        paths.ShouldContain("/api/plans/{code}/commitments");
        doc.GetProperty("paths").GetProperty("/api/plans").TryGetProperty("post", out _).ShouldBeTrue();

        var schemes = doc.GetProperty("components").GetProperty("securitySchemes").EnumerateObject().ToList();
        schemes.ShouldContain(s => s.Value.GetProperty("type").GetString() == "http"
            && s.Value.GetProperty("scheme").GetString()!.Equals("bearer", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_API_reference_page_is_HTML()
    {
        var response = await api.CreateClient().GetAsync("/scalar/v1");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        (await response.Content.ReadAsStringAsync()).ShouldContain("<html", Case.Insensitive);
    }

    [Fact]
    public async Task Reads_need_a_token()
    {
        (await api.CreateClient().GetAsync($"/api/plans/{Demo}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await api.CreateClient().GetAsync("/api/sdg/goals")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
