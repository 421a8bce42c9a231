using System.Net;
using System.Text.Json;
using JasperFx;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Strategy.Api.Features.Reports;
using Strategy.Domain.Reports;

namespace Strategy.Tests.Api;

/// <summary>
/// Report jobs are idempotent: a job that runs again after its report succeeded (a crash after the work, a duplicate
/// delivery) or several runs at once leave exactly one ReportSucceeded; a failing job marks its report failed with
/// the error, and a retry once the cause is gone succeeds.
/// </summary>
public sealed class ReportIdempotencyTests(FixedClockFactory api, ManualJobsFactory manual, SwitchableGeneratorFactory failing)
    : IClassFixture<FixedClockFactory>, IClassFixture<ManualJobsFactory>, IClassFixture<SwitchableGeneratorFactory>
{
    /// <summary>What Hangfire does: resolve the job in a scope of its own and call Run with the report's id.</summary>
    private static async Task RunJob(ApiFactory host, Guid id)
    {
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ReportJob>().Run(id, CancellationToken.None);
    }

    private static async Task<ReportStatus?> SendGenerate(ApiFactory host, Guid id)
    {
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Strategy.Api.Auth.CurrentActor>().ActAsSystem();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new GenerateReport(id));
    }

    private static async Task<JsonElement> Status(ApiFactory host, Guid id) => await (await host.Reviewer().GetAsync($"/api/reports/{id}")).Json();

    private static async Task<int> AuditSucceeded(ApiFactory host, Guid id)
    {
        // The audit log shows events up to the daemon's high-water mark: let it catch up first.
        await AuditSupport.WaitForDaemon(host);
        var page = await (await host.Reviewer().GetAsync("/api/audit?type=report-succeeded&limit=1000")).Json();
        return page.A("items").Count(e => e.P("stream").S("id") == id.ToString());
    }

    [Fact]
    public async Task A_job_that_runs_again_after_its_report_succeeded_changes_nothing()
    {
        var f = await ReportFixture.Seed(api);
        var id = await ReportFixture.Request(api.Secretariat(), new { kind = "progress", plan = f.Plan });
        var done = await ReportFixture.Succeeded(api.Reviewer(), id);
        var events = await api.EventCount();

        // The crash after the work: Hangfire delivers the job again, and the command may be sent again too.
        await RunJob(api, id);
        (await SendGenerate(api, id)).ShouldBe(ReportStatus.Succeeded);
        await Task.WhenAll(RunJob(api, id), RunJob(api, id), RunJob(api, id));

        (await api.EventCount()).ShouldBe(events);
        (await ReportFixture.EventTypes(api, id)).ShouldBe(["report_requested", "report_started", "report_succeeded"]);
        (await AuditSucceeded(api, id)).ShouldBe(1);
        var after = await Status(api, id);
        (after.S("status"), after.S("contentHash"), after.P("eventSequence").GetInt64(), after.P("attempts").GetInt32(), after.S("completedAt"))
            .ShouldBe(("succeeded", done.S("contentHash"), done.P("eventSequence").GetInt64(), 1, done.S("completedAt")));

        // The rerun did not even compute: with the generator failing now, a rerun still leaves the report alone.
        var g = await ReportFixture.Seed(manual);
        var other = await ReportFixture.Request(manual.Secretariat(), new { kind = "sdg-alignment", plan = g.Plan });
        await RunJob(manual, other);
        manual.Generator.FailWith = "must not be called";
        try
        {
            await RunJob(manual, other);
            (await SendGenerate(manual, other)).ShouldBe(ReportStatus.Succeeded);
        }
        finally { manual.Generator.FailWith = null; }
        (await ReportFixture.EventTypes(manual, other)).ShouldBe(["report_requested", "report_started", "report_succeeded"]);
    }

    [Fact]
    public async Task Runs_at_the_same_time_leave_one_succeeded_report()
    {
        var f = await ReportFixture.Seed(manual);
        var secretariat = manual.Secretariat();
        var id = await ReportFixture.Request(secretariat, new { kind = "progress", plan = f.Plan });

        // Five deliveries of the same job at once. A run that finds another started after it loses with a concurrency
        // error (Hangfire would retry it, and the retry finds the report succeeded); none may fail the report.
        var runs = Enumerable.Range(0, 5).Select(_ => Task.Run(() => RunJob(manual, id))).ToList();
        try { await Task.WhenAll(runs); }
        catch { /* inspected below */ }
        foreach (var run in runs.Where(r => r.IsFaulted))
            run.Exception!.InnerException.ShouldBeAssignableTo<ConcurrencyException>(run.Exception.ToString());
        runs.Count(r => r.IsCompletedSuccessfully).ShouldBeGreaterThanOrEqualTo(1);

        // The retries of the losers.
        foreach (var _ in runs.Where(r => r.IsFaulted)) await RunJob(manual, id);

        (await ReportFixture.CountEvents(manual, id, "report_succeeded")).ShouldBe(1);
        (await ReportFixture.CountEvents(manual, id, "report_failed")).ShouldBe(0);
        (await AuditSucceeded(manual, id)).ShouldBe(1);
        var types = await ReportFixture.EventTypes(manual, id);
        types[^1].ShouldBe("report_succeeded");
        var status = await ReportFixture.Succeeded(secretariat, id);
        status.P("attempts").GetInt32().ShouldBe(types.Count(t => t == "report_started"));
        status.P("error").ValueKind.ShouldBe(JsonValueKind.Null);

        // Its content is the one the hash names, and it is what a single run over the same events gives.
        var json = await (await secretariat.GetAsync($"/api/reports/{id}/content")).Content.ReadAsStringAsync();
        status.S("contentHash").ShouldBe(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(json))));
        var single = await ReportFixture.Request(secretariat, new { kind = "progress", plan = f.Plan });
        await RunJob(manual, single);
        (await Status(manual, single)).S("contentHash").ShouldBe(status.S("contentHash"));
    }

    [Fact]
    public async Task A_run_that_fails_after_another_run_succeeded_does_not_fail_the_report()
    {
        var f = await ReportFixture.Seed(manual);
        var secretariat = manual.Secretariat();
        var id = await ReportFixture.Request(secretariat, new { kind = "progress", plan = f.Plan });

        // Run A starts, then is held mid-generation; run B (a duplicate delivery) starts after it and succeeds; then A's
        // generation fails (say its database connection dropped). The report succeeded: A's failure must not undo that.
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = 0;
        manual.Generator.OnGenerate = async () =>
        {
            if (Interlocked.Exchange(ref first, 1) != 0) return;
            entered.SetResult();
            await release.Task;
            throw new InvalidOperationException("Lost the database connection");
        };
        try
        {
            var runA = Task.Run(() => RunJob(manual, id));
            await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await RunJob(manual, id);
            (await Status(manual, id)).S("status").ShouldBe("succeeded");
            release.SetResult();
            // A's run still throws (Hangfire would retry it, and the retry finds the report succeeded).
            await Should.ThrowAsync<Exception>(() => runA);
        }
        finally { manual.Generator.OnGenerate = null; }

        (await ReportFixture.EventTypes(manual, id)).ShouldBe(["report_requested", "report_started", "report_started", "report_succeeded"]);
        var status = await Status(manual, id);
        (status.S("status"), status.P("error").ValueKind).ShouldBe(("succeeded", JsonValueKind.Null));
        (await SendGenerate(manual, id)).ShouldBe(ReportStatus.Succeeded);
        (await ReportFixture.CountEvents(manual, id, "report_succeeded")).ShouldBe(1);
    }

    [Fact]
    public async Task A_failing_job_marks_its_report_failed_with_the_error_and_a_retry_after_the_cause_is_gone_succeeds()
    {
        var f = await ReportFixture.Seed(manual);
        var secretariat = manual.Secretariat();
        var id = await ReportFixture.Request(secretariat, new { kind = "progress", plan = f.Plan });

        manual.Generator.FailWith = "Simulated outage of the reporting database";
        try
        {
            // The job throws, so Hangfire would retry it; the report records the failure first.
            var thrown = await Should.ThrowAsync<InvalidOperationException>(() => RunJob(manual, id));
            thrown.Message.ShouldBe("Simulated outage of the reporting database");
        }
        finally { manual.Generator.FailWith = null; }

        var failed = await ReportFixture.Wait(secretariat, id);
        (failed.S("status"), failed.P("attempts").GetInt32()).ShouldBe(("failed", 1));
        // Every role reads the error: it names the log entry, never the exception's own text.
        failed.S("error")!.ShouldStartWith("The report could not be computed");
        failed.S("error")!.ShouldNotContain("Simulated outage");
        failed.P("contentHash").ValueKind.ShouldBe(JsonValueKind.Null);
        failed.P("completedAt").ValueKind.ShouldNotBe(JsonValueKind.Null);
        await (await secretariat.GetAsync($"/api/reports/{id}/content?format=json")).ShouldBeProblem(409);
        (await ReportFixture.EventTypes(manual, id)).ShouldBe(["report_requested", "report_started", "report_failed"]);
        await AuditSupport.WaitForDaemon(manual);
        var failedEvent = (await (await manual.Reviewer().GetAsync("/api/audit?type=report-failed&limit=1000")).Json()).A("items")
            .Single(e => e.P("stream").S("id") == id.ToString());
        failedEvent.P("data").S("error").ShouldBe(failed.S("error"));

        // The cause is gone: the retry succeeds, and the failure is history.
        await RunJob(manual, id);
        var succeeded = await ReportFixture.Succeeded(secretariat, id);
        (succeeded.P("attempts").GetInt32(), succeeded.P("error").ValueKind).ShouldBe((2, JsonValueKind.Null));
        succeeded.S("contentHash")!.Length.ShouldBe(64);
        (await secretariat.GetAsync($"/api/reports/{id}/content?format=csv")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ReportFixture.EventTypes(manual, id)).ShouldBe(["report_requested", "report_started", "report_failed", "report_started", "report_succeeded"]);

        // A further retry (Hangfire's, still scheduled) changes nothing.
        (await SendGenerate(manual, id)).ShouldBe(ReportStatus.Succeeded);
        (await ReportFixture.CountEvents(manual, id, "report_succeeded")).ShouldBe(1);
    }

    [Fact]
    public async Task Hangfire_retries_a_failed_report_job_until_it_succeeds()
    {
        var f = await ReportFixture.Seed(failing);
        var secretariat = failing.Secretariat();
        failing.Generator.FailWith = "Simulated outage";
        Guid id;
        JsonElement failed;
        try
        {
            id = await ReportFixture.Request(secretariat, new { kind = "sdg-alignment", plan = f.Plan });
            failed = await ReportFixture.Wait(secretariat, id);
        }
        finally { failing.Generator.FailWith = null; }
        failed.S("status").ShouldBe("failed");
        failed.S("error")!.ShouldNotContain("Simulated outage");

        // Hangfire's automatic retry (5 s later) runs the job again; the node signals when a report job finishes.
        var finished = failing.Services.GetRequiredService<ReportNotifications>().WhenFinished(id);
        await finished.WaitAsync(TimeSpan.FromMinutes(3));
        var retried = await ReportFixture.Succeeded(secretariat, id);
        retried.P("attempts").GetInt32().ShouldBe(2);
        (await ReportFixture.EventTypes(failing, id)).ShouldBe(["report_requested", "report_started", "report_failed", "report_started", "report_succeeded"]);
    }
}
