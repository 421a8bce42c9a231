using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Strategy.Domain.Reports;
using Strategy.Infrastructure.Reports;

namespace Strategy.Tests.Api;

/// <summary>
/// A small plan for report tests, with figures worked out by hand (see the table below), built on TestPlan
/// (KH, TH, VN; G1 = G1.O1 "count" 0 -> 10, SDG 13.2, and G1.O2 "ug/m3" 40 -> 25, SDG 11.6 and 3.9; G2 = G2.O1 "percent"
/// 50 -> 90, SDG 6.3; period 2024-01-01 to 2028-12-31, which is every commitment's baseline date).
///
///   code country outcome  baseline target due         status       values (asOf: value)              p           health
///   C01  KH      G1.O1    0        100    2028-12-31  in-progress  2025-01-01: 60, 2026-01-01: 65    0.65        on-track
///   C02  TH      G1.O2    40       25     2028-12-31  in-progress  2026-06-01: 40 - 15 * 0.775 e     0.775 e     at-risk
///   C03  VN      G2.O1    50       90     2028-12-31  not-started  2026-03-01: 54                    0.1         off-track
///   C04  KH      G2.O1    50       90     2025-06-30  in-progress  2025-03-01: 70                    0.5         overdue
///   C05  TH      G1.O1    0        10     2027-12-31  completed    2026-02-01: 12                    1.2         done
///   C06  VN      G1.O1    0        5      2028-12-31  on-hold      -                                 -           unknown
///   C07  KH      G1.O2    40       25     2028-12-31  withdrawn    2026-01-01: 30                    (0.6667)    left out
///   C08  VN      G1.O1    0        5      2028-12-31  cancelled    -                                 -           unknown
///
/// "count" is cumulative, so those commitments' baseline is 0; "ug/m3" and "percent" are levels, whose baseline is the
/// indicator's. e is the expected progress on the fixture's date on the 2028-12-31 line: the host's clock is stopped at
/// 2026-07-01 12:00 UTC (<see cref="ReportFixture.Now"/>), 20:00 on 2026-07-01 for the secretariat (Asia/Shanghai), so
/// e = (2026-07-01 - 2024-01-01) / 1826 days = 912 / 1826 = 0.4995, and C02 reports 40 - 15 * 0.775 * 0.4995 = 34.19
/// (p = 0.3871, in the middle of the at-risk band 0.60 e to 0.95 e). C01 (0.65 >= 0.95 e = 0.4745) is on track, C03
/// (0.1 < 0.60 e = 0.2997) off track, and C05's due date 2027-12-31 has not passed. No figure depends on the day the
/// tests run: reports as of now are evaluated on the secretariat's date by the service's clock (its TimeProvider).
/// </summary>
public sealed record SeededPlan(string Plan, IReadOnlyDictionary<string, Guid> Ids, double E)
{
    /// <summary>C02's progress: 0.775 e.</summary>
    public double P2 => 0.775 * E;
}

public static class ReportFixture
{
    public static readonly DateOnly PlanStart = new(2024, 1, 1);
    public static readonly DateOnly DueFar = new(2028, 12, 31);
    public static readonly string[] Codes = ["C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08"];

    /// <summary>e = (t - start) / (due - start), clamped to [0, 1].</summary>
    public static double Expected(DateOnly due, DateOnly today) =>
        Math.Clamp((double)(today.DayNumber - PlanStart.DayNumber) / (due.DayNumber - PlanStart.DayNumber), 0, 1);

    /// <summary>The instant the fixture's figures are worked out for: the host's clock is stopped there by <see cref="Seed"/>.</summary>
    public static readonly DateTimeOffset Now = new(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Stops the host's clock at <see cref="Now"/> and writes the fixture's plan.</summary>
    public static async Task<SeededPlan> Seed(FixedClockFactory api, string prefix = "RPT")
    {
        var plan = prefix + "-" + Guid.NewGuid().ToString("N")[..8];
        api.Clock.Now = Now;
        // Reports are evaluated on the secretariat's date (Asia/Shanghai).
        var today = Strategy.Domain.MemberTime.SecretariatToday(api.Clock.Now);
        var e = Expected(DueFar, today);

        // The bands the table relies on, so a change of the fixture's date that breaks it says so.
        today.ShouldBe(new DateOnly(2026, 7, 1));
        today.ShouldBeGreaterThan(new DateOnly(2026, 6, 1), "the fixture reports values as of 2026-06-01");
        (0.65 >= 0.95 * e).ShouldBeTrue("C01 (p = 0.65) must be on track: move the fixture's dates");
        (0.1 < 0.60 * e).ShouldBeTrue("C03 (p = 0.1) must be off track");
        today.ShouldBeLessThanOrEqualTo(new DateOnly(2027, 12, 31), "C05's due date must not have passed (it is done anyway)");

        object C(string code, string country, string outcome, string indicator, double target, string due = "2028-12-31") =>
            TestPlan.Commitment(country, outcome, code, due, indicator, target, $"Commitment {code}");
        var commitments = new[]
        {
            C("C01", "KH", "G1.O1", "G1.O1.I1", 100),
            C("C02", "TH", "G1.O2", "G1.O2.I1", 25),
            C("C03", "VN", "G2.O1", "G2.O1.I1", 90),
            C("C04", "KH", "G2.O1", "G2.O1.I1", 90, "2025-06-30"),
            C("C05", "TH", "G1.O1", "G1.O1.I1", 10, "2027-12-31"),
            C("C06", "VN", "G1.O1", "G1.O1.I1", 5),
            C("C07", "KH", "G1.O2", "G1.O2.I1", 25),
            C("C08", "VN", "G1.O1", "G1.O1.I1", 5),
        };
        var secretariat = api.Secretariat();
        var created = await secretariat.PostJson("/api/plans", TestPlan.Document(plan, commitments));
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());

        var listed = await (await secretariat.GetAsync($"/api/plans/{plan}/commitments?includeWithdrawn=true")).Json();
        var ids = listed.EnumerateArray().ToDictionary(c => c.GetProperty("code").GetString()!, c => c.GetProperty("id").GetGuid());
        ids.Keys.Order().ShouldBe(Codes);

        async Task Progress(string code, double value, string asOf)
        {
            var r = await secretariat.PostJson($"/api/commitments/{ids[code]}/progress", new { value, asOf });
            r.StatusCode.ShouldBe(HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        }
        async Task Status(string code, string status)
        {
            var r = await secretariat.PostJson($"/api/commitments/{ids[code]}/status", new { status });
            r.StatusCode.ShouldBe(HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        }

        await Progress("C01", 60, "2025-01-01");
        await Progress("C01", 65, "2026-01-01");
        await Progress("C02", 40 - 15 * 0.775 * e, "2026-06-01");
        await Progress("C03", 54, "2026-03-01");
        await Progress("C04", 70, "2025-03-01");
        await Progress("C05", 12, "2026-02-01");
        await Progress("C07", 30, "2026-01-01");

        // Status changes in this order, so the changes section lists them so.
        await Status("C01", "in-progress");
        await Status("C02", "in-progress");
        await Status("C04", "in-progress");
        await Status("C05", "completed");
        await Status("C06", "on-hold");
        await Status("C08", "cancelled");
        var withdrawn = await secretariat.PostJson($"/api/commitments/{ids["C07"]}/withdraw", new { reason = "Made in error" });
        withdrawn.StatusCode.ShouldBe(HttpStatusCode.OK, await withdrawn.Content.ReadAsStringAsync());

        return new SeededPlan(plan, ids, e);
    }

    /// <summary>POST /api/reports: 202, Location /api/reports/{id}, body {id, status: queued}; returns the id.</summary>
    public static async Task<Guid> Request(HttpClient client, object body)
    {
        var response = await client.PostJson("/api/reports", body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, text);
        var accepted = JsonDocument.Parse(text).RootElement;
        var id = accepted.GetProperty("id").GetGuid();
        accepted.GetProperty("status").GetString().ShouldBe("queued");
        response.Headers.Location!.OriginalString.ShouldBe($"/api/reports/{id}");
        return id;
    }

    /// <summary>
    /// GET /api/reports/{id}?wait=60: the server holds the answer until the job has succeeded or failed. On a loaded
    /// machine (several test hosts, each with its Hangfire server) a job can take longer to be picked up, so the
    /// long poll is repeated, at most three times.
    /// </summary>
    public static async Task<JsonElement> Wait(HttpClient client, Guid id)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await client.GetAsync($"/api/reports/{id}?wait=60");
            var text = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
            var report = JsonDocument.Parse(text).RootElement.Clone();
            if (report.GetProperty("status").GetString() is "succeeded" or "failed" || attempt == 3)
            {
                report.GetProperty("status").GetString().ShouldBeOneOf(["succeeded", "failed"], text);
                return report;
            }
        }
    }

    public static async Task<JsonElement> Succeeded(HttpClient client, Guid id)
    {
        var report = await Wait(client, id);
        report.GetProperty("status").GetString().ShouldBe("succeeded", report.GetRawText());
        return report;
    }

    /// <summary>Requests a report, waits for it to succeed and returns its status and its JSON content.</summary>
    public static async Task<(Guid Id, JsonElement Status, JsonElement Content)> Generate(HttpClient client, object body)
    {
        var id = await Request(client, body);
        var status = await Succeeded(client, id);
        var content = await client.GetAsync($"/api/reports/{id}/content?format=json");
        content.StatusCode.ShouldBe(HttpStatusCode.OK, await content.Content.ReadAsStringAsync());
        return (id, status, await content.Json());
    }

    public static async Task<long> CountEvents(ApiFactory api, Guid stream, string type)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select count(*) from {api.Schema}.mt_events where stream_id = @id and type = @type", connection);
        command.Parameters.AddWithValue("id", stream);
        command.Parameters.AddWithValue("type", type);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public static async Task<List<string>> EventTypes(ApiFactory api, Guid stream)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select type from {api.Schema}.mt_events where stream_id = @id order by version", connection);
        command.Parameters.AddWithValue("id", stream);
        var types = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) types.Add(reader.GetString(0));
        return types;
    }

    // ---- JSON helpers ----

    public static JsonElement P(this JsonElement e, string name) => e.GetProperty(name);
    public static double? D(this JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetDouble();
    public static string? S(this JsonElement e, string name) => e.GetProperty(name).GetString();
    public static List<JsonElement> A(this JsonElement e, string name) => [.. e.GetProperty(name).EnumerateArray()];

    /// <summary>A breakdown's {key: count} and {key: share} for byStatus or byHealth.</summary>
    public static Dictionary<string, int> Counts(this JsonElement breakdown, string by) =>
        breakdown.A(by).ToDictionary(c => c.S("key")!, c => c.P("count").GetInt32());

    public static Dictionary<string, double> Shares(this JsonElement breakdown, string by) =>
        breakdown.A(by).ToDictionary(c => c.S("key")!, c => c.P("share").GetDouble());

    public static JsonElement Group(this JsonElement content, string section, string code) =>
        content.A(section).Single(g => g.S("code") == code).P("breakdown");
}

/// <summary>A host whose report generator can be made to fail (<see cref="SwitchableReportGenerator.FailWith"/>).</summary>
public class SwitchableGeneratorFactory : FixedClockFactory
{
    protected virtual bool RunJobServer => true;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Jobs:RunServer", RunJobServer ? "true" : "false");
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<SwitchableReportGenerator>();
            services.AddSingleton<ReportGenerator>(sp => sp.GetRequiredService<SwitchableReportGenerator>());
        });
    }

    public SwitchableReportGenerator Generator => Services.GetRequiredService<SwitchableReportGenerator>();
}

/// <summary>
/// A host without a Hangfire server: the test runs each job itself (ReportJob.Run, exactly what Hangfire would call),
/// so queued, failed and retried states are deterministic.
/// </summary>
public sealed class ManualJobsFactory : SwitchableGeneratorFactory
{
    protected override bool RunJobServer => false;
}

/// <summary>
/// The real generator, unless <see cref="FailWith"/> is set: then generation throws with that message.
/// <see cref="OnGenerate"/>, when set, runs first (to hold a run mid-generation, or make one particular run fail).
/// </summary>
public sealed class SwitchableReportGenerator(Marten.IDocumentStore store, ReportInputsLoader loader, Strategy.Infrastructure.ReferenceData.SdgCatalog sdg,
    Strategy.Domain.Progress.HealthThresholds thresholds, TimeProvider clock) : ReportGenerator(store, loader, sdg, thresholds, clock)
{
    public volatile string? FailWith;
    public volatile Func<Task>? OnGenerate;

    public override async Task<GeneratedReport?> GenerateAsync(Report request, CancellationToken ct)
    {
        if (OnGenerate is { } hook) await hook();
        if (FailWith is { } message) throw new InvalidOperationException(message);
        return await base.GenerateAsync(request, ct);
    }
}
