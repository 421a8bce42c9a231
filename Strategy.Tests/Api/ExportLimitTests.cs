using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Strategy.Infrastructure.Audit;
using Strategy.Infrastructure.Store;

namespace Strategy.Tests.Api;

/// <summary>
/// A host whose audit log holds about 1,100 events, so an export (about 700 KB of JSON Lines) is far more than a
/// client that does not read takes in: its export stays mid-statement, connection and all, as over a slow network.
/// </summary>
/// <remarks>
/// Slow readers are modelled through the test server, not Kestrel: its response body is a pipe that takes 64 KB a
/// client has not read and then makes the server's writes wait, as Kestrel's wait once the socket's buffers are full.
/// Kestrel would also drop a client reading under 240 bytes/s after a grace period (MinResponseDataRate), which a
/// steady slow reader passes anyway; the test server drops nobody, the harder case.
/// </remarks>
public class LongAuditLogFactory : ApiFactory
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var plan = "EXP-" + Guid.NewGuid().ToString("N")[..8];
        var secretariat = Secretariat();
        (await secretariat.PostJson("/api/plans", TestPlan.Document(plan))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var id = await ChainHistory.Make(secretariat, plan, "KH");
        await AuditSupport.AppendStatusChanges(this, id, 1100);
        await AuditSupport.WaitForDaemon(this);
    }

    public AuditExports Exports => Services.GetRequiredService<AuditExports>();

    /// <summary>A caller of its own (the limits are per caller) whose requests give up after 60 s.</summary>
    public HttpClient Caller(string sub)
    {
        var client = As("reviewer", sub: sub);
        client.Timeout = TimeSpan.FromSeconds(60);
        return client;
    }

    public static Task<HttpResponseMessage> StartExport(HttpClient client) =>
        client.GetAsync("/api/audit/export", HttpCompletionOption.ResponseHeadersRead);

    /// <summary>Waits (at most 30 s) until no export runs: the slots of the readers that went are back.</summary>
    public async Task NoExportRuns()
    {
        for (var i = 0; Exports.Running > 0; i++)
        {
            i.ShouldBeLessThan(300, $"{Exports.Running} exports still run 30 s after their readers went");
            await Task.Delay(100);
        }
    }

    /// <summary>A whole export by a new caller: 200 and every line of the log.</summary>
    public async Task<int> WholeExport(string sub)
    {
        var response = await Caller(sub).GetAsync("/api/audit/export");
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body.Length > 500 ? body[..500] : body);
        return body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }
}

/// <summary>
/// Audit exports are bounded: a caller runs at most two at once (a third gets 429 with Retry-After), a node at most
/// four, each on a connection of the exports' own pool (a fifth gets 503 with Retry-After at once), so slow readers take
/// only the exports' slots: readiness and other reads answer as before.
/// </summary>
public sealed class ExportLimitTests(LongAuditLogFactory api) : IClassFixture<LongAuditLogFactory>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    private async Task ProbesAnswer(string when)
    {
        var anonymous = api.CreateClient();
        var reviewer = api.Caller("prober");
        foreach (var (url, client) in new[] { ("/health/ready", anonymous), ("/api/plans", reviewer), ("/api/audit?limit=10", reviewer), ("/health/live", anonymous) })
        {
            var timer = Stopwatch.StartNew();
            var response = await client.GetAsync(url);
            var elapsed = timer.Elapsed;
            response.StatusCode.ShouldBe(HttpStatusCode.OK, $"{url} {when}: {await response.Content.ReadAsStringAsync()}");
            elapsed.ShouldBeLessThan(Bound, $"{url} {when}");
        }
    }

    [Fact]
    public async Task A_hundred_slow_export_readers_leave_readiness_and_reads_answering()
    {
        await ProbesAnswer("before the exports");
        var started = Enumerable.Range(0, 100).Select(i => LongAuditLogFactory.StartExport(api.Caller($"slow-reader-{i}"))).ToList();
        await ProbesAnswer("while 100 exports start");
        var responses = await Task.WhenAll(started);
        try
        {
            // Four got their export going and wait on their readers, who read nothing; the others were refused at once.
            var streaming = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
            streaming.Count.ShouldBe(ReadLimits.Default.ExportConnections);
            api.Exports.Running.ShouldBe(streaming.Count);
            foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
            {
                var problem = await refused.ShouldBeProblem(503);
                problem.GetProperty("title").GetString().ShouldBe("Too many exports at once.");
                refused.Headers.RetryAfter.ShouldNotBeNull();
            }
            await ProbesAnswer("while 4 exports wait on readers that do not read");
            api.Exports.Running.ShouldBe(streaming.Count);
        }
        finally
        {
            foreach (var response in responses) response.Dispose();
        }

        // Once the readers go, so do their exports, and a new one runs to the end.
        await api.NoExportRuns();
        (await api.WholeExport("after-the-readers")).ShouldBeGreaterThan(1100);
    }

    [Fact]
    public async Task A_third_export_at_once_from_one_caller_gets_429_with_retry_after_and_other_callers_go_on()
    {
        var caller = api.Caller("exporter");
        var first = await LongAuditLogFactory.StartExport(caller);
        var second = await LongAuditLogFactory.StartExport(caller);
        try
        {
            first.StatusCode.ShouldBe(HttpStatusCode.OK);
            second.StatusCode.ShouldBe(HttpStatusCode.OK);
            var third = await caller.GetAsync("/api/audit/export");
            var problem = await third.ShouldBeProblem(429);
            problem.GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("audit exports running at once");
            third.Headers.RetryAfter.ShouldNotBeNull().Delta.ShouldBe(TimeSpan.FromSeconds(10));
            // Another caller is not held up by this one's limit.
            (await api.WholeExport("another-exporter")).ShouldBeGreaterThan(1100);

            // Once one of the two ends, the caller may start another.
            first.Dispose();
            for (var i = 0; ; i++)
            {
                i.ShouldBeLessThan(300, "the caller's first export still counted 30 s after its reader went");
                using var next = await caller.GetAsync("/api/audit/export");
                if (next.StatusCode == HttpStatusCode.OK) break;
                await next.ShouldBeProblem(429);
                await Task.Delay(100);
            }
        }
        finally
        {
            first.Dispose();
            second.Dispose();
        }
        await api.NoExportRuns();
    }
}

/// <summary>
/// An export runs under a statement timeout (Limits:ExportSeconds, 1 s here, with a single export connection): one
/// held up before it has sent anything gets 503 with Retry-After; one whose reader stops reading is cut off a few
/// seconds after the timeout (PostgreSQL cannot act on it while it waits to send), and its connection comes back.
/// </summary>
public sealed class ExportTimeoutTests(ExportTimeoutTests.OneSecondExportFactory api) : IClassFixture<ExportTimeoutTests.OneSecondExportFactory>
{
    public sealed class OneSecondExportFactory : LongAuditLogFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Limits:ExportSeconds", "1");
            builder.UseSetting("Limits:ExportConnections", "1");
        }
    }

    [Fact]
    public async Task An_export_held_up_past_its_timeout_gets_503_and_the_next_one_runs()
    {
        await AuditSupport.ShouldBeStoppedAtOneSecondWhileEventsAreLocked(api, () => api.Caller("held-up").GetAsync("/api/audit/export"));
        await api.NoExportRuns();
        (await api.WholeExport("after-the-lock")).ShouldBeGreaterThan(1100);
    }

    [Fact]
    public async Task An_export_whose_reader_stops_reading_is_cut_off_and_its_connection_comes_back()
    {
        var timer = Stopwatch.StartNew();
        using var held = await LongAuditLogFactory.StartExport(api.Caller("stops-reading"));
        held.StatusCode.ShouldBe(HttpStatusCode.OK);
        await using var body = await held.Content.ReadAsStreamAsync();
        api.Exports.Running.ShouldBe(1);

        await api.NoExportRuns();
        timer.Elapsed.ShouldBeGreaterThanOrEqualTo(api.Exports.Limits.ExportCutOff - TimeSpan.FromSeconds(0.5));
        // What had not been taken in is gone: the download ends incomplete.
        await Should.ThrowAsync<Exception>(async () => await body.CopyToAsync(Stream.Null));
        (await api.WholeExport("after-the-cut-off")).ShouldBeGreaterThan(1100);
    }
}
