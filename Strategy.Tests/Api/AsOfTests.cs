using System.Net;
using System.Text.Json;

namespace Strategy.Tests.Api;

/// <summary>
/// ?asOf= rebuilds a commitment or a plan as it stood at an instant. The instants come from the API's own
/// timestamps (createdAt, lastUpdatedAt), not from the test's clock.
/// </summary>
public sealed class AsOfTests(ApiFactory api) : IClassFixture<ApiFactory>, IAsyncLifetime
{
    private readonly string Plan = "ASOF-" + Guid.NewGuid().ToString("N")[..8];
    private JsonElement created;

    public async Task InitializeAsync()
    {
        var response = await api.Secretariat().PostJson("/api/plans", TestPlan.Document(Plan));
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        created = await response.Json();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string Q(DateTimeOffset t) => Uri.EscapeDataString(t.UtcDateTime.ToString("O"));
    private static DateTimeOffset Between(DateTimeOffset a, DateTimeOffset b) => a + (b - a) / 2;
    private static DateTimeOffset LastUpdatedAt(JsonElement body) => body.GetProperty("lastUpdatedAt").GetDateTimeOffset();

    private async Task<JsonElement> Ok(HttpResponseMessage response, long version)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.ETag().ShouldBe(version);
        var body = await response.Json();
        body.GetProperty("version").GetInt64().ShouldBe(version);
        return body;
    }

    [Fact]
    public async Task A_commitment_as_of_an_instant_is_the_state_it_had_then()
    {
        var kh = api.FocalPoint("KH");
        var reviewer = api.Reviewer();
        var made = await kh.PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment());
        made.StatusCode.ShouldBe(HttpStatusCode.Created);
        var madeBody = await made.Json();
        var id = madeBody.GetProperty("id").GetGuid();
        var t1 = LastUpdatedAt(madeBody);
        madeBody.GetProperty("createdAt").GetDateTimeOffset().ShouldBe(t1);

        var started = await kh.PostJson($"/api/commitments/{id}/status", new { status = "in-progress" });
        started.StatusCode.ShouldBe(HttpStatusCode.OK);
        var t2 = LastUpdatedAt(await started.Json());
        var reported = await kh.PostJson($"/api/commitments/{id}/progress", new { value = 3, asOf = "2025-06-30" });
        reported.StatusCode.ShouldBe(HttpStatusCode.OK);
        var t3 = LastUpdatedAt(await reported.Json());
        var valueId = (await (await reviewer.GetAsync($"/api/commitments/{id}/values")).Json())[0].GetProperty("id").GetGuid();
        var accepted = await api.Secretariat().PostJson($"/api/commitments/{id}/values/{valueId}/accept", new { });
        accepted.StatusCode.ShouldBe(HttpStatusCode.OK, await accepted.Content.ReadAsStringAsync());
        var t4 = LastUpdatedAt(await accepted.Json());
        t1.ShouldBeLessThan(t2);
        t2.ShouldBeLessThan(t3);
        t3.ShouldBeLessThan(t4);

        // The history's timestamps are the same instants.
        var history = (await (await reviewer.GetAsync($"/api/commitments/{id}/history")).Json()).EnumerateArray()
            .Select(e => e.GetProperty("timestamp").GetDateTimeOffset()).ToList();
        history.ShouldBe([t1, t2, t3, t4]);

        var before = await reviewer.GetAsync($"/api/commitments/{id}?asOf={Q(t1.AddMilliseconds(-1))}");
        await before.ShouldBeProblem(404);

        var madeThen = await Ok(await reviewer.GetAsync($"/api/commitments/{id}?asOf={Q(Between(t1, t2))}"), 1);
        madeThen.GetProperty("status").GetString().ShouldBe("not-started");
        madeThen.GetProperty("latestValue").ValueKind.ShouldBe(JsonValueKind.Null);
        madeThen.GetProperty("progress").ValueKind.ShouldBe(JsonValueKind.Null);
        madeThen.GetProperty("valuesReported").GetInt32().ShouldBe(0);

        // An event's own instant is included.
        var atStart = await Ok(await reviewer.GetAsync($"/api/commitments/{id}?asOf={Q(t2)}"), 2);
        atStart.GetProperty("status").GetString().ShouldBe("in-progress");
        atStart.GetProperty("latestValue").ValueKind.ShouldBe(JsonValueKind.Null);

        var startedThen = await Ok(await reviewer.GetAsync($"/api/commitments/{id}?asOf={Q(Between(t2, t3))}"), 2);
        startedThen.GetProperty("status").GetString().ShouldBe("in-progress");
        startedThen.GetProperty("latestValue").ValueKind.ShouldBe(JsonValueKind.Null);
        startedThen.GetProperty("lastUpdatedAt").GetDateTimeOffset().ShouldBe(t2);

        // Submitted, not yet accepted: pending, and no official value.
        var submittedThen = await Ok(await reviewer.GetAsync($"/api/commitments/{id}?asOf={Q(Between(t3, t4))}"), 3);
        submittedThen.GetProperty("latestValue").ValueKind.ShouldBe(JsonValueKind.Null);
        submittedThen.GetProperty("pending").GetProperty("count").GetInt32().ShouldBe(1);
        submittedThen.GetProperty("pending").GetProperty("latest").GetProperty("value").GetDouble().ShouldBe(3);

        var after = await Ok(await reviewer.GetAsync($"/api/commitments/{id}?asOf={Q(t4.AddSeconds(1))}"), 4);
        after.GetProperty("status").GetString().ShouldBe("in-progress");
        after.GetProperty("pending").GetProperty("count").GetInt32().ShouldBe(0);
        after.GetProperty("latestValue").GetProperty("value").GetDouble().ShouldBe(3);
        after.GetProperty("latestValue").GetProperty("asOf").GetString().ShouldBe("2025-06-30");
        // baseline 0 (count), target 4: p = 3 / 4
        after.GetProperty("progress").GetDouble().ShouldBe(0.75);

        var current = await Ok(await reviewer.GetAsync($"/api/commitments/{id}"), 4);
        foreach (var field in new[] { "status", "progress", "valuesReported", "lastUpdatedAt", "title", "due", "target" })
            after.GetProperty(field).GetRawText().ShouldBe(current.GetProperty(field).GetRawText(), field);
    }

    [Fact]
    public async Task A_plan_as_of_an_instant_has_the_structure_it_had_then()
    {
        var secretariat = api.Secretariat();
        var reviewer = api.Reviewer();
        var p0 = LastUpdatedAt(created);
        created.GetProperty("createdAt").GetDateTimeOffset().ShouldBe(p0);
        created.GetProperty("version").GetInt64().ShouldBe(6); // created, two goals, three outcomes

        var goal = await secretariat.PostJson($"/api/plans/{Plan}/goals", new { code = "G3", title = "Biodiversity", description = "Protected areas" });
        goal.StatusCode.ShouldBe(HttpStatusCode.Created);
        var p1 = LastUpdatedAt(await goal.Json());
        var aligned = await secretariat.SendJson(HttpMethod.Put, $"/api/plans/{Plan}/outcomes/G1.O1/sdg-targets",
            new { sdgTargets = new[] { "13.1", "13.2" }, reason = "Resilience is part of the outcome" });
        aligned.StatusCode.ShouldBe(HttpStatusCode.OK, await aligned.Content.ReadAsStringAsync());
        var p2 = LastUpdatedAt(await aligned.Json());
        var made = await api.FocalPoint("KH").PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment());
        made.StatusCode.ShouldBe(HttpStatusCode.Created);
        var c1 = (await made.Json()).GetProperty("createdAt").GetDateTimeOffset();
        p0.ShouldBeLessThan(p1);
        p1.ShouldBeLessThan(p2);
        p2.ShouldBeLessThan(c1);

        static List<string?> Goals(JsonElement plan) => [.. plan.GetProperty("goals").EnumerateArray().Select(g => g.GetProperty("code").GetString())];
        static List<string?> Targets(JsonElement plan, string outcome) =>
            [.. plan.GetProperty("goals").EnumerateArray().SelectMany(g => g.GetProperty("outcomes").EnumerateArray())
                .Single(o => o.GetProperty("code").GetString() == outcome).GetProperty("sdgTargets").EnumerateArray().Select(t => t.GetString())];

        await (await reviewer.GetAsync($"/api/plans/{Plan}?asOf={Q(p0.AddMilliseconds(-1))}")).ShouldBeProblem(404);

        var asCreated = await Ok(await reviewer.GetAsync($"/api/plans/{Plan}?asOf={Q(Between(p0, p1))}"), 6);
        Goals(asCreated).ShouldBe(["G1", "G2"]);
        Targets(asCreated, "G1.O1").ShouldBe(["13.2"]);
        asCreated.GetProperty("counts").GetProperty("goals").GetInt32().ShouldBe(2);
        // 13.2, 11.6, 3.9, 6.3
        asCreated.GetProperty("counts").GetProperty("sdgTargets").GetInt32().ShouldBe(4);
        asCreated.GetProperty("counts").GetProperty("commitments").GetInt32().ShouldBe(0);
        asCreated.GetProperty("asOf").ValueKind.ShouldBe(JsonValueKind.String);

        var withGoal = await Ok(await reviewer.GetAsync($"/api/plans/{Plan}?asOf={Q(Between(p1, p2))}"), 7);
        Goals(withGoal).ShouldBe(["G1", "G2", "G3"]);
        Targets(withGoal, "G1.O1").ShouldBe(["13.2"]);
        withGoal.GetProperty("counts").GetProperty("sdgTargets").GetInt32().ShouldBe(4);

        var realigned = await Ok(await reviewer.GetAsync($"/api/plans/{Plan}?asOf={Q(Between(p2, c1))}"), 8);
        Goals(realigned).ShouldBe(["G1", "G2", "G3"]);
        Targets(realigned, "G1.O1").ShouldBe(["13.1", "13.2"]);
        realigned.GetProperty("counts").GetProperty("sdgTargets").GetInt32().ShouldBe(5);
        realigned.GetProperty("counts").GetProperty("commitments").GetInt32().ShouldBe(0);

        var current = await Ok(await reviewer.GetAsync($"/api/plans/{Plan}"), 8);
        Targets(current, "G1.O1").ShouldBe(["13.1", "13.2"]);
        current.GetProperty("counts").GetProperty("commitments").GetInt32().ShouldBe(1);
        current.GetProperty("asOf").ValueKind.ShouldBe(JsonValueKind.Null);
        var later = await Ok(await reviewer.GetAsync($"/api/plans/{Plan}?asOf={Q(c1.AddSeconds(1))}"), 8);
        later.GetProperty("goals").GetRawText().ShouldBe(current.GetProperty("goals").GetRawText());
        later.GetProperty("counts").GetProperty("commitments").GetInt32().ShouldBe(1);
        later.GetProperty("counts").GetProperty("commitmentsByCountry").GetProperty("KH").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task A_bare_date_means_the_end_of_that_day_in_UTC()
    {
        var reviewer = api.Reviewer();
        var createdOn = DateOnly.FromDateTime(LastUpdatedAt(created).UtcDateTime);

        // The end of the day the plan was made includes it; the day before, it did not exist yet.
        var sameDay = await Ok(await reviewer.GetAsync($"/api/plans/{Plan}?asOf={createdOn:yyyy-MM-dd}"), 6);
        sameDay.GetProperty("asOf").GetDateTimeOffset().ShouldBe(new DateTimeOffset(createdOn.ToDateTime(TimeOnly.MaxValue), TimeSpan.Zero));
        Goals(sameDay).ShouldBe(["G1", "G2"]);
        await (await reviewer.GetAsync($"/api/plans/{Plan}?asOf={createdOn.AddDays(-1):yyyy-MM-dd}")).ShouldBeProblem(404);

        var made = await api.FocalPoint("KH").PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment());
        var madeBody = await made.Json();
        var id = madeBody.GetProperty("id").GetGuid();
        var madeOn = DateOnly.FromDateTime(madeBody.GetProperty("createdAt").GetDateTimeOffset().UtcDateTime);
        (await Ok(await reviewer.GetAsync($"/api/commitments/{id}?asOf={madeOn:yyyy-MM-dd}"), 1))
            .GetProperty("status").GetString().ShouldBe("not-started");
        await (await reviewer.GetAsync($"/api/commitments/{id}?asOf={madeOn.AddDays(-1):yyyy-MM-dd}")).ShouldBeProblem(404);

        static List<string?> Goals(JsonElement plan) => [.. plan.GetProperty("goals").EnumerateArray().Select(g => g.GetProperty("code").GetString())];
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2025-13-45")]
    [InlineData("2025-06-31")]
    [InlineData("30/06/2025")]
    public async Task A_malformed_asOf_gives_400_naming_asOf(string asOf)
    {
        var reviewer = api.Reviewer();
        var made = await api.FocalPoint("KH").PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment());
        var id = (await made.Json()).GetProperty("id").GetGuid();

        await (await reviewer.GetAsync($"/api/plans/{Plan}?asOf={Uri.EscapeDataString(asOf)}")).ShouldBeProblem(400, "asOf");
        await (await reviewer.GetAsync($"/api/commitments/{id}?asOf={Uri.EscapeDataString(asOf)}")).ShouldBeProblem(400, "asOf");
    }
}
