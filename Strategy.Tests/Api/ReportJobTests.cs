using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Strategy.Api.Features.Reports;

namespace Strategy.Tests.Api;

/// <summary>
/// Reports as background jobs: each kind is requested over the API, computed by the Hangfire server of the test host
/// on PostgreSQL, waited for with GET ?wait=, and checked against figures worked out by hand for the fixture plan of
/// <see cref="ReportFixture"/>. Then who may ask and read, and the requests that get 400, 404 and 409.
/// </summary>
public sealed class ReportJobTests(FixedClockFactory api, ManualJobsFactory manual) : IClassFixture<FixedClockFactory>, IClassFixture<ManualJobsFactory>
{
    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private async Task<long> LastSequence(Guid commitment) =>
        (await (await api.Reviewer().GetAsync($"/api/commitments/{commitment}/history")).Json()).EnumerateArray().Last().GetProperty("sequence").GetInt64();

    private async Task<DateTimeOffset> LastUpdatedAt(Guid commitment) =>
        (await (await api.Reviewer().GetAsync($"/api/commitments/{commitment}")).Json()).GetProperty("lastUpdatedAt").GetDateTimeOffset();

    // ---- the progress report ----

    [Fact]
    public async Task A_progress_report_runs_as_a_Hangfire_job_and_its_figures_are_the_hand_worked_ones()
    {
        var f = await ReportFixture.Seed(api);
        var secretariat = api.Secretariat();
        var requested = DateTimeOffset.UtcNow;
        var id = await ReportFixture.Request(secretariat, new { kind = "progress", plan = f.Plan });
        var status = await ReportFixture.Succeeded(secretariat, id);

        // The job went through Hangfire's storage in PostgreSQL (the test never ran it itself).
        await using (var connection = new NpgsqlConnection(api.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"select count(*) from {api.Schema}_hangfire.job where invocationdata::text like '%ReportJob%' and arguments::text like @id", connection);
            command.Parameters.AddWithValue("id", $"%{id}%");
            ((long)(await command.ExecuteScalarAsync())!).ShouldBe(1);
        }

        // The run as GET /api/reports/{id} shows it.
        status.S("id").ShouldBe(id.ToString());
        status.S("kind").ShouldBe("progress");
        status.S("plan").ShouldBe(f.Plan);
        status.P("asOf").ValueKind.ShouldBe(JsonValueKind.Null);
        status.A("countries").ShouldBeEmpty();
        status.P("requestedBy").S("id").ShouldBe("sec-1");
        status.P("requestedBy").S("role").ShouldBe("secretariat");
        status.P("attempts").GetInt32().ShouldBe(1);
        status.P("error").ValueKind.ShouldBe(JsonValueKind.Null);
        var requestedAt = status.P("requestedAt").GetDateTimeOffset();
        var startedAt = status.P("startedAt").GetDateTimeOffset();
        var completedAt = status.P("completedAt").GetDateTimeOffset();
        requestedAt.ShouldBeGreaterThan(requested.AddSeconds(-5));
        startedAt.ShouldBeGreaterThanOrEqualTo(requestedAt);
        completedAt.ShouldBeGreaterThanOrEqualTo(startedAt);
        // eventSequence is the last event of the plan and its commitments: C07's withdrawal, the fixture's last write.
        var sequence = status.P("eventSequence").GetInt64();
        sequence.ShouldBe(await LastSequence(f.Ids["C07"]));
        status.S("chainHash")!.Length.ShouldBe(64);

        // contentHash is the SHA-256 of the JSON content exactly as served.
        var contentResponse = await secretariat.GetAsync($"/api/reports/{id}/content?format=json");
        var json = await contentResponse.Content.ReadAsStringAsync();
        status.S("contentHash").ShouldBe(Sha256(json));
        json.ShouldNotContain(id.ToString()); // the content leaves out its own id (and generation time)
        var c = JsonDocument.Parse(json).RootElement;

        c.S("kind").ShouldBe("progress");
        c.P("plan").S("code").ShouldBe(f.Plan);
        c.P("plan").S("start").ShouldBe("2024-01-01");
        c.P("plan").S("end").ShouldBe("2028-12-31");
        c.A("countries").Select(x => x.GetString()).ShouldBe(["KH", "TH", "VN"]);
        c.P("basis").P("eventSequence").GetInt64().ShouldBe(sequence);
        c.P("basis").S("chainHash").ShouldBe(status.S("chainHash"));
        c.P("basis").S("evaluatedOn").ShouldBe("2026-07-01"); // the secretariat's date by the host's clock (ReportFixture.Now)
        c.A("method").Select(m => m.S("name")).ShouldBe(["progress", "expected progress", "health", "anticipated progress", "needs attention"]);
        c.A("method").ShouldAllBe(m => m.S("formula")!.Length > 0 && m.S("source")!.Length > 0);

        // Totals over the 7 commitments left after withdrawing C07.
        //   status: not-started C03; in-progress C01 C02 C04; on-hold C06; completed C05; cancelled C08
        //   shares: 1/7 = 0.142857 -> 0.1429; 3/7 = 0.428571 -> 0.4286
        //   health: on-track C01, at-risk C02, off-track C03, overdue C04, done C05, unknown C06 C08 (2/7 = 0.285714 -> 0.2857)
        //   mean progress over the 5 with a value, each capped to [0, 1]: (0.65 + 0.775e + 0.1 + 0.5 + min(1.2, 1)) / 5
        var totals = c.P("totals");
        totals.P("commitments").GetInt32().ShouldBe(7);
        totals.Counts("byStatus").ShouldBe(new Dictionary<string, int> { ["not-started"] = 1, ["in-progress"] = 3, ["on-hold"] = 1, ["completed"] = 1, ["cancelled"] = 1 });
        totals.Shares("byStatus").ShouldBe(new Dictionary<string, double> { ["not-started"] = 0.1429, ["in-progress"] = 0.4286, ["on-hold"] = 0.1429, ["completed"] = 0.1429, ["cancelled"] = 0.1429 });
        totals.Counts("byHealth").ShouldBe(new Dictionary<string, int> { ["on-track"] = 1, ["at-risk"] = 1, ["off-track"] = 1, ["overdue"] = 1, ["done"] = 1, ["unknown"] = 2 });
        totals.Shares("byHealth").ShouldBe(new Dictionary<string, double> { ["on-track"] = 0.1429, ["at-risk"] = 0.1429, ["off-track"] = 0.1429, ["overdue"] = 0.1429, ["done"] = 0.1429, ["unknown"] = 0.2857 });
        totals.P("withValue").GetInt32().ShouldBe(5);
        totals.D("meanProgress")!.Value.ShouldBe((0.65 + f.P2 + 0.1 + 0.5 + 1) / 5, 0.0001);

        // Per country. KH: C01 (in-progress, on-track, 0.65), C04 (in-progress, overdue, 0.5); C07 withdrawn is left out.
        //   mean (0.65 + 0.5) / 2 = 0.575
        var kh = c.Group("byCountry", "KH");
        kh.P("commitments").GetInt32().ShouldBe(2);
        kh.Counts("byStatus")["in-progress"].ShouldBe(2);
        kh.Shares("byStatus")["in-progress"].ShouldBe(1);
        kh.Counts("byHealth").Where(x => x.Value > 0).ShouldBe(new Dictionary<string, int> { ["on-track"] = 1, ["overdue"] = 1 });
        kh.Shares("byHealth")["overdue"].ShouldBe(0.5);
        kh.D("meanProgress").ShouldBe(0.575);
        kh.P("withValue").GetInt32().ShouldBe(2);
        // TH: C02 (in-progress, at-risk, 0.775e), C05 (completed, done, 1.2 capped to 1): mean (0.775e + 1) / 2.
        var th = c.Group("byCountry", "TH");
        th.P("commitments").GetInt32().ShouldBe(2);
        th.Counts("byStatus").Where(x => x.Value > 0).ShouldBe(new Dictionary<string, int> { ["in-progress"] = 1, ["completed"] = 1 });
        th.Counts("byHealth").Where(x => x.Value > 0).ShouldBe(new Dictionary<string, int> { ["at-risk"] = 1, ["done"] = 1 });
        th.D("meanProgress")!.Value.ShouldBe((f.P2 + 1) / 2, 0.0001);
        // VN: C03 (not-started, off-track, 0.1), C06 (on-hold, unknown), C08 (cancelled, unknown): mean 0.1 over 1 value.
        //   shares 1/3 -> 0.3333, 2/3 -> 0.6667
        var vn = c.Group("byCountry", "VN");
        vn.P("commitments").GetInt32().ShouldBe(3);
        vn.Counts("byStatus").Where(x => x.Value > 0).ShouldBe(new Dictionary<string, int> { ["not-started"] = 1, ["on-hold"] = 1, ["cancelled"] = 1 });
        vn.Shares("byStatus")["on-hold"].ShouldBe(0.3333);
        vn.Counts("byHealth").Where(x => x.Value > 0).ShouldBe(new Dictionary<string, int> { ["off-track"] = 1, ["unknown"] = 2 });
        vn.Shares("byHealth")["unknown"].ShouldBe(0.6667);
        vn.D("meanProgress").ShouldBe(0.1);
        vn.P("withValue").GetInt32().ShouldBe(1);
        c.A("byCountry").Select(g => g.S("title")).ShouldBe(["Cambodia", "Thailand", "Viet Nam"]);

        // Per goal. G1: C01 C02 C05 C06 C08 (5): in-progress 2 (0.4), on-hold, completed, cancelled 1 each (0.2);
        //   unknown 2 (0.4); mean over C01, C02, C05: (0.65 + 0.775e + 1) / 3.
        var g1 = c.Group("byGoal", "G1");
        g1.P("commitments").GetInt32().ShouldBe(5);
        g1.Shares("byStatus").ShouldBe(new Dictionary<string, double> { ["not-started"] = 0, ["in-progress"] = 0.4, ["on-hold"] = 0.2, ["completed"] = 0.2, ["cancelled"] = 0.2 });
        g1.Counts("byHealth").Where(x => x.Value > 0).ShouldBe(new Dictionary<string, int> { ["on-track"] = 1, ["at-risk"] = 1, ["done"] = 1, ["unknown"] = 2 });
        g1.D("meanProgress")!.Value.ShouldBe((0.65 + f.P2 + 1) / 3, 0.0001);
        g1.P("withValue").GetInt32().ShouldBe(3);
        // G2: C03 (off-track, 0.1), C04 (overdue, 0.5): mean 0.3.
        var g2 = c.Group("byGoal", "G2");
        g2.P("commitments").GetInt32().ShouldBe(2);
        g2.Counts("byHealth").Where(x => x.Value > 0).ShouldBe(new Dictionary<string, int> { ["off-track"] = 1, ["overdue"] = 1 });
        g2.D("meanProgress").ShouldBe(0.3);

        // Per outcome. G1.O1: C01 C05 C06 C08, mean (0.65 + 1) / 2 = 0.825; G1.O2: C02 only; G2.O1: C03 C04, 0.3.
        c.A("byOutcome").Select(o => o.S("code")).ShouldBe(["G1.O1", "G1.O2", "G2.O1"]);
        c.Group("byOutcome", "G1.O1").P("commitments").GetInt32().ShouldBe(4);
        c.Group("byOutcome", "G1.O1").D("meanProgress").ShouldBe(0.825);
        c.Group("byOutcome", "G1.O2").P("commitments").GetInt32().ShouldBe(1);
        c.Group("byOutcome", "G1.O2").D("meanProgress")!.Value.ShouldBe(f.P2, 0.0001);
        c.Group("byOutcome", "G2.O1").D("meanProgress").ShouldBe(0.3);

        // Country x goal mean progress:
        //        G1                     G2
        //   KH   0.65 (C01)             0.5 (C04)
        //   TH   (0.775e + 1) / 2       - (no commitment)
        //   VN   - (C06, C08: no value)  0.1 (C03)
        var m = c.P("countryGoalMeanProgress");
        m.A("rows").Select(x => x.GetString()).ShouldBe(["KH", "TH", "VN"]);
        m.A("columns").Select(x => x.GetString()).ShouldBe(["G1", "G2"]);
        var cells = m.A("cells").Select(r => r.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? (double?)null : v.GetDouble()).ToList()).ToList();
        cells[0].ShouldBe([0.65, 0.5]);
        cells[1][0]!.Value.ShouldBe((f.P2 + 1) / 2, 0.0001);
        cells[1][1].ShouldBeNull();
        cells[2].ShouldBe([null, 0.1]);

        // Indicators, each with its commitments in code order.
        var indicators = c.A("indicators");
        indicators.Select(i => i.S("code")).ShouldBe(["G1.O1.I1", "G1.O2.I1", "G2.O1.I1"]);
        var plans = indicators[0];
        (plans.D("baseline"), plans.D("target"), plans.S("unit"), plans.S("outcome")).ShouldBe((0.0, 10.0, "count", "G1.O1"));
        plans.A("countries").Select(r => (r.S("commitment"), r.S("country"))).ShouldBe([("C01", "KH"), ("C05", "TH"), ("C06", "VN"), ("C08", "VN")]);
        // C01: baseline 0 (count is cumulative), target 100, latest 65 as of 2026-01-01: p = 65 / 100 = 0.65.
        // Anticipated: the least-squares line through (2025-01-01, 60) and (2026-01-01, 65) is the line through both:
        //   slope 5 per 365 days; 2025-01-01 to the due date 2028-12-31 is 365 + 365 + 365 + 365 = 1460 days,
        //   v(due) = 60 + 5 * 1460 / 365 = 60 + 20 = 80, r = (80 - 0) / (100 - 0) = 0.8: 0.10 <= r < 0.95, acceleration needed.
        var c01 = plans.A("countries")[0];
        (c01.D("baseline"), c01.D("target"), c01.D("latestValue"), c01.S("latestAsOf")).ShouldBe((0.0, 100.0, 65.0, "2026-01-01"));
        c01.D("progress").ShouldBe(0.65);
        c01.D("anticipatedProgress").ShouldBe(0.8);
        c01.S("anticipation").ShouldBe("acceleration-needed");
        c01.S("health").ShouldBe("on-track");
        // C05: one value, no trend; progress 12 / 10 = 1.2, shown uncapped here.
        var c05 = plans.A("countries")[1];
        (c05.D("latestValue"), c05.D("progress"), c05.D("anticipatedProgress"), c05.S("anticipation"), c05.S("health")).ShouldBe((12.0, 1.2, null, null, "done"));
        var c06 = plans.A("countries")[2];
        (c06.D("latestValue"), c06.S("latestAsOf"), c06.D("progress"), c06.S("health")).ShouldBe((null, null, null, "unknown"));
        // PM2.5: C02 only (C07 is withdrawn); the level indicator's baseline 40 is C02's.
        var air = indicators[1];
        (air.D("baseline"), air.D("target")).ShouldBe((40.0, 25.0));
        var c02 = air.A("countries").Single();
        (c02.S("commitment"), c02.S("country"), c02.D("baseline"), c02.D("target"), c02.S("latestAsOf"), c02.S("health")).ShouldBe(("C02", "TH", 40.0, 25.0, "2026-06-01", "at-risk"));
        c02.D("latestValue")!.Value.ShouldBe(40 - 15 * f.P2, 1e-9);
        c02.D("progress")!.Value.ShouldBe(f.P2, 0.0001);
        // Stations reporting: C03 (VN) 54: (54 - 50) / (90 - 50) = 0.1; C04 (KH) 70: 20 / 40 = 0.5.
        var water = indicators[2];
        water.A("countries").Select(r => (r.S("commitment"), r.S("country"), r.D("baseline"), r.D("target"), r.D("latestValue"), r.D("progress"), r.S("health")))
            .ShouldBe([("C03", "VN", 50.0, 90.0, 54.0, 0.1, "off-track"), ("C04", "KH", 50.0, 90.0, 70.0, 0.5, "overdue")]);

        // Needs attention: C03 off-track, C04 overdue; everything was updated today, so nothing is stale.
        var attention = c.A("attention");
        attention.Select(a => (a.S("code"), a.S("country"), a.S("health"), string.Join(",", a.A("reasons").Select(r => r.GetString()))))
            .ShouldBe([("C03", "VN", "off-track", "off-track"), ("C04", "KH", "overdue", "overdue")]);
        attention[0].S("title").ShouldBe("Commitment C03");
        attention[0].P("lastUpdatedAt").GetDateTimeOffset().ShouldBe(await LastUpdatedAt(f.Ids["C03"]));
        attention[1].P("lastUpdatedAt").GetDateTimeOffset().ShouldBe(await LastUpdatedAt(f.Ids["C04"]));
        attention.ShouldAllBe(a => a.S("lastUpdatedBy") == "sec-1");

        // The plan's first progress report: every change so far, in the order it happened.
        var changes = c.P("changesSincePrevious");
        changes.P("previous").ValueKind.ShouldBe(JsonValueKind.Null);
        changes.A("newCommitments").Select(x => (x.S("code"), x.S("country"), x.S("kind"))).ShouldBe(
            ReportFixture.Codes.Select(code => ((string?)code, (string?)(code switch { "C01" or "C04" or "C07" => "KH", "C02" or "C05" => "TH", _ => "VN" }), (string?)"new-commitment")).ToList());
        changes.A("statusChanges").Select(x => (x.S("code"), x.S("from"), x.S("to"))).ShouldBe([
            ("C01", "not-started", "in-progress"), ("C02", "not-started", "in-progress"), ("C04", "not-started", "in-progress"),
            ("C05", "not-started", "completed"), ("C06", "not-started", "on-hold"), ("C08", "not-started", "cancelled")]);
        var withdrawal = changes.A("withdrawals").Single();
        (withdrawal.S("code"), withdrawal.S("country"), withdrawal.S("reason"), withdrawal.P("sequence").GetInt64()).ShouldBe(("C07", "KH", "Made in error", sequence));
        var all = changes.A("newCommitments").Concat(changes.A("statusChanges")).Concat(changes.A("withdrawals")).Select(x => x.P("sequence").GetInt64()).ToList();
        all.ShouldBeUnique();
        all.ShouldAllBe(s => s <= sequence);
    }

    [Fact]
    public async Task A_second_progress_report_lists_only_what_changed_since_the_first_and_names_it()
    {
        var f = await ReportFixture.Seed(api);
        var secretariat = api.Secretariat();
        var (first, firstStatus, _) = await ReportFixture.Generate(secretariat, new { kind = "progress", plan = f.Plan });
        var firstSequence = firstStatus.P("eventSequence").GetInt64();

        var changed = await secretariat.PostJson($"/api/commitments/{f.Ids["C03"]}/status", new { status = "in-progress", note = "Field work started" });
        changed.StatusCode.ShouldBe(HttpStatusCode.OK);
        var changeSequence = await LastSequence(f.Ids["C03"]);

        var (_, status, c) = await ReportFixture.Generate(secretariat, new { kind = "progress", plan = f.Plan });
        status.P("eventSequence").GetInt64().ShouldBe(changeSequence);
        changeSequence.ShouldBeGreaterThan(firstSequence);

        var changes = c.P("changesSincePrevious");
        changes.P("previous").S("id").ShouldBe(first.ToString());
        changes.P("previous").P("eventSequence").GetInt64().ShouldBe(firstSequence);
        changes.A("newCommitments").ShouldBeEmpty();
        changes.A("withdrawals").ShouldBeEmpty();
        var only = changes.A("statusChanges").Single();
        (only.S("code"), only.S("country"), only.S("kind"), only.S("from"), only.S("to"), only.S("reason"), only.P("sequence").GetInt64())
            .ShouldBe(("C03", "VN", "status-change", "not-started", "in-progress", "Field work started", changeSequence));

        // The totals moved with it: in-progress 4 / 7 = 0.571428 -> 0.5714, not-started 0. C03 is still off-track (p = 0.1).
        var totals = c.P("totals");
        totals.Counts("byStatus")["in-progress"].ShouldBe(4);
        totals.Shares("byStatus")["in-progress"].ShouldBe(0.5714);
        totals.Counts("byStatus")["not-started"].ShouldBe(0);
        totals.Shares("byStatus")["not-started"].ShouldBe(0);
        totals.Counts("byHealth")["off-track"].ShouldBe(1);
    }

    [Fact]
    public async Task A_progress_report_for_some_countries_covers_only_them()
    {
        var f = await ReportFixture.Seed(api);
        var secretariat = api.Secretariat();
        var (_, status, c) = await ReportFixture.Generate(secretariat, new { kind = "progress", plan = f.Plan, countries = new[] { "VN", "KH" } });

        status.A("countries").Select(x => x.GetString()).ShouldBe(["KH", "VN"]);
        c.A("countries").Select(x => x.GetString()).ShouldBe(["KH", "VN"]);
        // KH: C01, C04; VN: C03, C06, C08. Mean over C01, C03, C04: (0.65 + 0.1 + 0.5) / 3 = 0.416667 -> 0.4167.
        c.P("totals").P("commitments").GetInt32().ShouldBe(5);
        c.P("totals").D("meanProgress").ShouldBe(0.4167);
        c.P("totals").Shares("byHealth")["unknown"].ShouldBe(0.4); // C06, C08 of 5
        c.A("byCountry").Select(g => g.S("code")).ShouldBe(["KH", "VN"]);
        c.P("countryGoalMeanProgress").A("rows").Select(x => x.GetString()).ShouldBe(["KH", "VN"]);
        // G1 without TH: C01, C06, C08; its mean is C01's alone.
        c.Group("byGoal", "G1").P("commitments").GetInt32().ShouldBe(3);
        c.Group("byGoal", "G1").D("meanProgress").ShouldBe(0.65);
        c.A("indicators").SelectMany(i => i.A("countries")).Select(r => r.S("country")).ShouldNotContain("TH");
        // Changes of TH's commitments (C02, C05) are not this report's.
        c.P("changesSincePrevious").A("newCommitments").Select(x => x.S("code")).ShouldBe(["C01", "C03", "C04", "C06", "C07", "C08"]);
        c.P("changesSincePrevious").A("statusChanges").Select(x => x.S("code")).ShouldBe(["C01", "C04", "C06", "C08"]);
    }

    [Fact]
    public async Task The_last_sequence_is_the_same_found_among_the_latest_events_or_looked_up_stream_by_stream()
    {
        var f = await ReportFixture.Seed(api);
        // Another plan's events come after this plan's last, so the walk back passes over them.
        await ReportFixture.Seed(api);
        var expected = await LastSequence(f.Ids["C07"]);
        var store = api.Services.GetRequiredService<Marten.IDocumentStore>();
        var settings = api.Services.GetRequiredService<Strategy.Infrastructure.Store.StoreSettings>();
        // 0 and 1: not among them, so looked up stream by stream; all: walked back to it.
        foreach (var recent in new[] { 0, 1, int.MaxValue })
        {
            var loader = new Strategy.Infrastructure.Reports.ReportInputsLoader(store, settings) { RecentEventsScanned = recent };
            var inputs = await loader.LoadAsync(f.Plan, null, CancellationToken.None);
            inputs.ShouldNotBeNull().EventSequence.ShouldBe(expected, $"scanning the latest {recent}");
        }
    }

    // ---- the SDG-alignment report ----

    [Fact]
    public async Task An_sdg_alignment_report_shows_targets_outcomes_commitments_coverage_and_gaps()
    {
        var f = await ReportFixture.Seed(api);
        var secretariat = api.Secretariat();
        var (id, status, c) = await ReportFixture.Generate(secretariat, new { kind = "sdg-alignment", plan = f.Plan });
        status.S("kind").ShouldBe("sdg-alignment");
        status.P("eventSequence").GetInt64().ShouldBe(await LastSequence(f.Ids["C07"]));
        status.S("contentHash").ShouldBe(Sha256(await (await secretariat.GetAsync($"/api/reports/{id}/content")).Content.ReadAsStringAsync()));

        c.S("kind").ShouldBe("sdg-alignment");
        c.A("countries").Select(x => x.GetString()).ShouldBe(["KH", "TH", "VN"]);

        // The plan touches 3.9 and 11.6 (G1.O2), 6.3 (G2.O1) and 13.2 (G1.O1): goals 3, 6, 11, 13 in numeric order.
        var goals = c.A("goals");
        goals.Select(g => g.P("goal").GetInt32()).ShouldBe([3, 6, 11, 13]);
        goals.SelectMany(g => g.A("targets")).Select(t => t.S("target")).ShouldBe(["3.9", "6.3", "11.6", "13.2"]);

        // Titles come from the UN reference data the API serves.
        var sdgGoals = (await (await secretariat.GetAsync("/api/sdg/goals")).Json()).EnumerateArray().ToList();
        foreach (var g in goals)
            g.S("title").ShouldBe(sdgGoals.Single(x => x.P("goal").GetInt32() == g.P("goal").GetInt32()).S("title"));
        var climateTargets = (await (await secretariat.GetAsync("/api/sdg/targets?goal=13")).Json()).EnumerateArray();
        goals[3].A("targets")[0].S("title").ShouldBe(climateTargets.Single(t => t.S("target") == "13.2").S("title"));
        goals[3].A("targets")[0].S("title").ShouldNotBeNullOrEmpty();

        static List<(string?, string?, string?, double?)> Commitments(JsonElement target) =>
            [.. target.A("outcomes").SelectMany(o => o.A("commitments")).Select(x => (x.S("code"), x.S("country"), x.S("health"), x.D("progress")))];

        // 3.9: G1.O2 with C02 (TH, at-risk, 0.775e); C07 (KH) is withdrawn: no commitment from KH or VN.
        var t39 = goals[0].A("targets").Single();
        t39.A("outcomes").Select(o => (o.S("code"), o.S("goal"))).ShouldBe([("G1.O2", "G1")]);
        var c39 = Commitments(t39).Single();
        (c39.Item1, c39.Item2, c39.Item3).ShouldBe(("C02", "TH", "at-risk"));
        c39.Item4!.Value.ShouldBe(f.P2, 0.0001);
        t39.A("commitmentsByCountry").Select(x => (x.S("key"), x.P("count").GetInt32(), x.P("share").GetDouble())).ShouldBe([("KH", 0, 0.0), ("TH", 1, 1.0), ("VN", 0, 0.0)]);
        t39.Counts("byHealth").Where(x => x.Value > 0).ShouldBe(new Dictionary<string, int> { ["at-risk"] = 1 });
        t39.D("meanProgress")!.Value.ShouldBe(f.P2, 0.0001);
        t39.A("countriesWithout").Select(x => x.GetString()).ShouldBe(["KH", "VN"]);
        goals[0].P("commitments").GetInt32().ShouldBe(1);

        // 6.3: G2.O1 with C03 (VN, off-track, 0.1) and C04 (KH, overdue, 0.5): mean 0.3; TH has none.
        var t63 = goals[1].A("targets").Single();
        Commitments(t63).ShouldBe([("C03", "VN", "off-track", 0.1), ("C04", "KH", "overdue", 0.5)]);
        t63.A("commitmentsByCountry").Select(x => (x.S("key"), x.P("count").GetInt32(), x.P("share").GetDouble())).ShouldBe([("KH", 1, 0.5), ("TH", 0, 0.0), ("VN", 1, 0.5)]);
        t63.Shares("byHealth").Where(x => x.Value > 0).ShouldBe(new Dictionary<string, double> { ["off-track"] = 0.5, ["overdue"] = 0.5 });
        t63.D("meanProgress").ShouldBe(0.3);
        t63.A("countriesWithout").Select(x => x.GetString()).ShouldBe(["TH"]);
        (goals[1].P("commitments").GetInt32(), goals[1].D("meanProgress")).ShouldBe((2, 0.3));

        // 11.6: the same outcome as 3.9.
        var t116 = goals[2].A("targets").Single();
        Commitments(t116).Select(x => x.Item1).ShouldBe(["C02"]);
        t116.A("countriesWithout").Select(x => x.GetString()).ShouldBe(["KH", "VN"]);

        // 13.2: G1.O1 with C01 (KH, on-track, 0.65), C05 (TH, done, 1.2), C06 and C08 (VN, unknown, no value).
        //   by country KH 1 (1/4 = 0.25), TH 1 (0.25), VN 2 (0.5); mean progress capped: (0.65 + 1) / 2 = 0.825; no gap.
        var t132 = goals[3].A("targets").Single();
        Commitments(t132).ShouldBe([("C01", "KH", "on-track", 0.65), ("C05", "TH", "done", 1.2), ("C06", "VN", "unknown", null), ("C08", "VN", "unknown", null)]);
        t132.A("commitmentsByCountry").Select(x => (x.S("key"), x.P("count").GetInt32(), x.P("share").GetDouble())).ShouldBe([("KH", 1, 0.25), ("TH", 1, 0.25), ("VN", 2, 0.5)]);
        t132.Counts("byHealth").Where(x => x.Value > 0).ShouldBe(new Dictionary<string, int> { ["on-track"] = 1, ["done"] = 1, ["unknown"] = 2 });
        t132.D("meanProgress").ShouldBe(0.825);
        t132.A("countriesWithout").ShouldBeEmpty();
        (goals[3].P("commitments").GetInt32(), goals[3].D("meanProgress")).ShouldBe((4, 0.825));

        // Coverage: commitments per country under outcomes aligned with each SDG goal.
        //        3  6  11  13
        //   KH   0  1   0   1      (C04; C01)
        //   TH   1  0   1   1      (C02; C02; C05)
        //   VN   0  1   0   2      (C03; C06, C08)
        var coverage = c.P("countryGoalCoverage");
        coverage.A("rows").Select(x => x.GetString()).ShouldBe(["KH", "TH", "VN"]);
        coverage.A("columns").Select(x => x.GetString()).ShouldBe(["3", "6", "11", "13"]);
        coverage.A("cells").Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToList()).ToList()
            .ShouldBe([[0, 1, 0, 1], [1, 0, 1, 1], [0, 1, 0, 2]]);

        // Gaps: aligned targets with no commitment from some member.
        c.A("gaps").Select(g => (g.S("target"), string.Join(",", g.A("outcomes").Select(o => o.GetString())), string.Join(",", g.A("missingCountries").Select(x => x.GetString()))))
            .ShouldBe([("3.9", "G1.O2", "KH,VN"), ("6.3", "G2.O1", "TH"), ("11.6", "G1.O2", "KH,VN")]);
    }

    // ---- who may ask, and what is refused ----

    [Fact]
    public async Task Focal_points_may_not_request_reports_but_every_role_reads_them()
    {
        var f = await ReportFixture.Seed(api);
        var before = await api.EventCount();
        await (await api.FocalPoint("KH").PostJson("/api/reports", new { kind = "progress", plan = f.Plan })).ShouldBeProblem(403);
        (await api.EventCount()).ShouldBe(before);
        var anonymous = api.CreateClient();
        (await anonymous.PostJson("/api/reports", new { kind = "progress", plan = f.Plan })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await api.EventCount()).ShouldBe(before);

        // An admin may ask; the request is the report stream's first event, with the admin as its actor.
        var admin = api.As("admin", sub: "adm-1", name: "Admin");
        var id = await ReportFixture.Request(admin, new { kind = "progress", plan = f.Plan });
        var status = await ReportFixture.Succeeded(api.Reviewer(), id);
        status.P("requestedBy").S("id").ShouldBe("adm-1");
        (await ReportFixture.EventTypes(api, id)).ShouldBe(["report_requested", "report_started", "report_succeeded"]);

        foreach (var reader in new[] { api.Reviewer(), api.FocalPoint("VN"), api.Secretariat() })
        {
            (await reader.GetAsync($"/api/reports/{id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
            foreach (var format in new[] { "json", "csv", "html" })
                (await reader.GetAsync($"/api/reports/{id}/content?format={format}")).StatusCode.ShouldBe(HttpStatusCode.OK, format);
            var listed = await (await reader.GetAsync($"/api/reports?plan={f.Plan}")).Json();
            listed.EnumerateArray().Select(r => r.S("id")).ShouldContain(id.ToString());
        }
    }

    [Fact]
    public async Task Bad_report_requests_get_400_naming_the_field_and_append_nothing()
    {
        var beforeThePlan = DateTimeOffset.UtcNow.AddSeconds(-1);
        var f = await ReportFixture.Seed(api);
        var secretariat = api.Secretariat();
        var before = await api.EventCount();
        await (await secretariat.PostJson("/api/reports", new { kind = "weekly", plan = f.Plan })).ShouldBeProblem(400, "kind");
        await (await secretariat.PostJson("/api/reports", new { plan = f.Plan })).ShouldBeProblem(400, "kind");
        await (await secretariat.PostJson("/api/reports", new { kind = "progress", plan = "NO-SUCH-PLAN" })).ShouldBeProblem(400, "plan");
        await (await secretariat.PostJson("/api/reports", new { kind = "progress" })).ShouldBeProblem(400, "plan");
        await (await secretariat.PostJson("/api/reports", new { kind = "progress", plan = f.Plan, countries = new[] { "KH", "CN" } })).ShouldBeProblem(400, "countries[1]");
        await (await secretariat.PostJson("/api/reports", new { kind = "sdg-alignment", plan = f.Plan, countries = new[] { "XX" } })).ShouldBeProblem(400, "countries[0]");
        await (await secretariat.PostJson("/api/reports", new { kind = "progress", plan = f.Plan, asOf = DateTimeOffset.UtcNow.AddDays(1) })).ShouldBeProblem(400, "asOf");
        await (await secretariat.PostJson("/api/reports", new { kind = "progress", plan = f.Plan, asOf = "yesterday" })).ShouldBeProblem(400, "asOf");
        // Before the plan existed there is nothing to report: refused now rather than a job that can only fail.
        await (await secretariat.PostJson("/api/reports", new { kind = "sdg-alignment", plan = f.Plan, asOf = beforeThePlan })).ShouldBeProblem(400, "asOf");
        await (await secretariat.PostJson("/api/reports", """{"kind":"progress","plan":"X","colour":"red"}""")).ShouldBeProblem(400, "colour");
        await (await secretariat.PostJson("/api/reports", "[]")).ShouldBeProblem(400);
        (await api.EventCount()).ShouldBe(before);
    }

    [Fact]
    public async Task Unknown_reports_get_404_an_unknown_format_400_and_the_list_filters_newest_first()
    {
        var f = await ReportFixture.Seed(api);
        var secretariat = api.Secretariat();
        await (await secretariat.GetAsync($"/api/reports/{Guid.NewGuid()}")).ShouldBeProblem(404);
        await (await secretariat.GetAsync($"/api/reports/{Guid.NewGuid()}?wait=1")).ShouldBeProblem(404);
        await (await secretariat.GetAsync($"/api/reports/{Guid.NewGuid()}/content?format=csv")).ShouldBeProblem(404);

        var (progress, _, _) = await ReportFixture.Generate(secretariat, new { kind = "progress", plan = f.Plan });
        var (sdg, _, _) = await ReportFixture.Generate(secretariat, new { kind = "sdg-alignment", plan = f.Plan });
        await (await secretariat.GetAsync($"/api/reports/{progress}/content?format=xml")).ShouldBeProblem(400, "format");
        await (await secretariat.GetAsync($"/api/reports/{progress}?wait=600")).ShouldBeProblem(400, "wait");
        await (await secretariat.GetAsync($"/api/reports?kind=weekly")).ShouldBeProblem(400, "kind");

        async Task<List<string?>> Ids(string query) => [.. (await (await secretariat.GetAsync($"/api/reports?{query}")).Json()).EnumerateArray().Select(r => r.S("id"))];
        (await Ids($"plan={f.Plan}")).ShouldBe([sdg.ToString(), progress.ToString()]);
        (await Ids($"plan={f.Plan}&kind=progress")).ShouldBe([progress.ToString()]);
        (await Ids($"plan={f.Plan}&kind=sdg-alignment")).ShouldBe([sdg.ToString()]);
        (await Ids("plan=NO-SUCH-PLAN")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Content_is_409_until_the_report_has_succeeded()
    {
        // The host without a job server: the report stays queued until the test runs its job.
        var f = await ReportFixture.Seed(manual);
        var secretariat = manual.Secretariat();
        var id = await ReportFixture.Request(secretariat, new { kind = "progress", plan = f.Plan });
        (await (await secretariat.GetAsync($"/api/reports/{id}")).Json()).S("status").ShouldBe("queued");
        foreach (var format in new[] { "json", "csv", "html" })
            await (await secretariat.GetAsync($"/api/reports/{id}/content?format={format}")).ShouldBeProblem(409);
        // Waiting gives up after the time asked for and answers with the report as it is.
        (await (await secretariat.GetAsync($"/api/reports/{id}?wait=1")).Json()).S("status").ShouldBe("queued");

        await using (var scope = manual.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<ReportJob>().Run(id, CancellationToken.None);
        (await ReportFixture.Succeeded(secretariat, id)).P("attempts").GetInt32().ShouldBe(1);
        (await secretariat.GetAsync($"/api/reports/{id}/content?format=json")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}

/// <summary>
/// The daily job that records commitments which became overdue: once per due date, open commitments only, on the
/// country's own date, in the plan's overdue register rather than on the commitment.
/// </summary>
public sealed class OverdueJobTests(FixedClockFactory api) : IClassFixture<FixedClockFactory>
{
    [Fact]
    public async Task The_daily_overdue_job_records_a_past_due_open_commitment_once_and_nothing_else()
    {
        var plan = "OVD-" + Guid.NewGuid().ToString("N")[..8];
        var secretariat = api.Secretariat();
        object C(string code, string due) => TestPlan.Commitment("KH", "G1.O1", code, due, "G1.O1.I1", 4, $"Commitment {code}");
        (await secretariat.PostJson("/api/plans", TestPlan.Document(plan, [
            C("LATE", "2026-06-30"), C("DONE", "2026-06-30"), C("GONE", "2026-06-30"), C("TODAY", "2026-07-01"), C("AHEAD", "2028-12-31")]))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var ids = (await (await secretariat.GetAsync($"/api/plans/{plan}/commitments?includeWithdrawn=true")).Json()).EnumerateArray()
            .ToDictionary(c => c.GetProperty("code").GetString()!, c => c.GetProperty("id").GetGuid());
        (await secretariat.PostJson($"/api/commitments/{ids["LATE"]}/status", new { status = "in-progress" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await secretariat.PostJson($"/api/commitments/{ids["DONE"]}/status", new { status = "completed" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await secretariat.PostJson($"/api/commitments/{ids["GONE"]}/withdraw", new { reason = "Superseded" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var lateBefore = await (await api.Reviewer().GetAsync($"/api/commitments/{ids["LATE"]}")).Json();

        async Task<List<JsonElement>> Recorded()
        {
            await AuditSupport.WaitForDaemon(api);
            return [.. (await (await api.Reviewer().GetAsync($"/api/audit?type=commitment-became-overdue&limit=1000")).Json()).GetProperty("items").EnumerateArray()];
        }
        async Task<int> Run()
        {
            await using var scope = api.Services.CreateAsyncScope();
            // The command the recurring job sends, sent as the job sends it: as the system.
            scope.ServiceProvider.GetRequiredService<Strategy.Api.Auth.CurrentActor>().ActAsSystem();
            return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new MarkOverdueCommitments());
        }

        // 2026-07-01 16:00 UTC is 23:00 in Phnom Penh: LATE (due 30 June) is overdue there, TODAY (due 1 July) is not yet.
        api.Clock.Now = new DateTimeOffset(2026, 7, 1, 16, 0, 0, TimeSpan.Zero);
        (await Run()).ShouldBe(1);
        var first = (await Recorded()).ShouldHaveSingleItem();
        first.GetProperty("data").GetProperty("commitmentId").GetGuid().ShouldBe(ids["LATE"]);
        first.GetProperty("data").GetProperty("due").GetString().ShouldBe("2026-06-30");
        first.GetProperty("data").GetProperty("detectedOn").GetString().ShouldBe("2026-07-01");
        first.GetProperty("actor").GetProperty("role").GetString().ShouldBe("admin");

        // The commitment itself is as people left it: same version (a focal point's If-Match still holds), same last update.
        var lateAfter = await (await api.Reviewer().GetAsync($"/api/commitments/{ids["LATE"]}")).Json();
        lateAfter.GetProperty("version").GetInt64().ShouldBe(lateBefore.GetProperty("version").GetInt64());
        lateAfter.GetProperty("lastUpdatedAt").GetDateTimeOffset().ShouldBe(lateBefore.GetProperty("lastUpdatedAt").GetDateTimeOffset());
        lateAfter.GetProperty("lastUpdatedBy").GetProperty("id").GetString().ShouldBe("sec-1");
        lateAfter.GetProperty("health").GetString().ShouldBe("overdue");
        var history = await (await api.Reviewer().GetAsync($"/api/commitments/{ids["LATE"]}/history")).Json();
        history.EnumerateArray().ShouldNotContain(e => e.GetProperty("type").GetString() == "commitment-became-overdue");
        (await api.FocalPoint("KH").PostJson($"/api/commitments/{ids["LATE"]}/status", new { status = "on-hold" }, ifMatch: lateBefore.GetProperty("version").GetInt64()))
            .StatusCode.ShouldBe(HttpStatusCode.OK);

        // An hour later it is 2 July in Phnom Penh: TODAY is overdue now; LATE is not recorded twice.
        api.Clock.Now = new DateTimeOffset(2026, 7, 1, 17, 0, 0, TimeSpan.Zero);
        var before = await api.EventCount();
        await using (var scope = api.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<ScheduledJobs>().MarkOverdue(CancellationToken.None);
        (await api.EventCount()).ShouldBe(before + 1);
        (await Run()).ShouldBe(0);
        (await Recorded()).Select(e => e.GetProperty("data").GetProperty("code").GetString()).ShouldBe(["LATE", "TODAY"]);

        // Once per due date: moved to another past date, it is recorded again, once.
        (await secretariat.SendJson(HttpMethod.Patch, $"/api/commitments/{ids["LATE"]}", new { due = "2026-06-15", reason = "Rescheduled" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Run()).ShouldBe(1);
        (await Run()).ShouldBe(0);
        (await Recorded()).Where(e => e.GetProperty("data").GetProperty("code").GetString() == "LATE")
            .Select(e => e.GetProperty("data").GetProperty("due").GetString()).ShouldBe(["2026-06-30", "2026-06-15"]);
    }
}
