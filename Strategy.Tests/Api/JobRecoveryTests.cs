using System.Net;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Strategy.Domain.Reports;
using static Strategy.Tests.Api.AuditSupport;

namespace Strategy.Tests.Api;

/// <summary>
/// A report job whose node died while running it (fetched from Hangfire's queue, report started, never finished) is
/// fetched again by a live node once Jobs:InvisibilityTimeoutSeconds has passed, and the report then succeeds once.
/// bench/crash-job.sh checks the same with a real SIGKILL.
/// </summary>
public sealed class JobRecoveryTests
{
    /// <summary>Creates and drops the schema; runs no Hangfire workers, so a requested report's job stays queued.</summary>
    private sealed class NoWorkers : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Jobs:RunServer", "false");
        }
    }

    /// <summary>A second node on the same schema with workers and a short invisibility timeout.</summary>
    private sealed class Worker(string schema, string connectionString, int invisibilitySeconds) : ApiFactory(schema, connectionString, ownsSchema: false)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Jobs:InvisibilityTimeoutSeconds", invisibilitySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static async Task<long> Scalar(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ApiFactory.OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private static Task<long> EventsOfType(ApiFactory api, Guid stream, string type) =>
        Scalar($"select count(*) from {api.Schema}.mt_events where stream_id = @id and type = @type", ("id", stream), ("type", type));

    [Fact]
    public async Task A_report_job_fetched_by_a_node_that_died_runs_again_after_the_invisibility_timeout_and_succeeds_once()
    {
        const int invisibility = 5;
        var owner = new NoWorkers();
        await owner.InitializeAsync();
        Worker? worker = null;
        try
        {
            var sec = owner.Secretariat();
            (await sec.PostJson("/api/plans", TestPlan.Document())).StatusCode.ShouldBe(HttpStatusCode.Created);
            (await sec.PostJson($"/api/plans/{TestPlan.Code}/commitments", TestPlan.Commitment())).StatusCode.ShouldBe(HttpStatusCode.Created);
            var accepted = await sec.PostJson("/api/reports", new { kind = "progress", plan = TestPlan.Code });
            accepted.StatusCode.ShouldBe(HttpStatusCode.Accepted);
            var id = (await accepted.Json()).GetProperty("id").GetGuid();

            // What a node leaves behind when it is killed mid-run: the job fetched from the queue (invisible to the
            // other workers) and the report started, with nothing more. The start is a plain append, which leaves the
            // inline view without the stream's version: the next run must take its version from the stream.
            var hangfire = owner.Schema + "_hangfire";
            var fetched = await Sql($"update {hangfire}.jobqueue q set fetchedat = now() from {hangfire}.job j " +
                                    $"where j.id = q.jobid and j.arguments::text like @arg", ("arg", $"%{id}%"));
            fetched.ShouldBe(1);
            await using (var session = owner.Services.GetRequiredService<IDocumentStore>().LightweightSession())
            {
                session.Events.Append(id, new ReportStarted(id, 1));
                await session.SaveChangesAsync();
            }
            var died = DateTimeOffset.UtcNow;

            worker = new Worker(owner.Schema, owner.ConnectionString, invisibility);
            await worker.InitializeAsync();
            var reviewer = worker.Reviewer();

            // Still invisible: the live node's workers leave it alone until the timeout has passed.
            await Task.Delay(TimeSpan.FromSeconds(2));
            var early = await (await reviewer.GetAsync($"/api/reports/{id}")).Json();
            early.GetProperty("status").GetString().ShouldBe("running");

            var done = await (await reviewer.GetAsync($"/api/reports/{id}?wait=30")).Json();
            var recovered = DateTimeOffset.UtcNow - died;
            done.GetProperty("status").GetString().ShouldBe("succeeded", done.ToString());
            recovered.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(invisibility - 1));
            recovered.ShouldBeLessThan(TimeSpan.FromSeconds(invisibility + 20));

            (await EventsOfType(owner, id, "report_started")).ShouldBe(2);
            (await EventsOfType(owner, id, "report_succeeded")).ShouldBe(1);
            done.GetProperty("attempts").GetInt32().ShouldBe(2);

            // Hangfire: the job ends succeeded (recorded just after the method returns), with one success in its history.
            var job = await Scalar($"select id from {hangfire}.job where arguments::text like @arg", ("arg", $"%{id}%"));
            var successes = 0L;
            for (var i = 0; i < 100 && successes == 0; i++)
            {
                successes = await Scalar($"select count(*) from {hangfire}.state where jobid = @job and name = 'Succeeded'", ("job", job));
                if (successes == 0) await Task.Delay(100);
            }
            successes.ShouldBe(1);
        }
        finally
        {
            if (worker is not null) await worker.DisposeAsync();
            await owner.DisposeAsync();
        }
    }

    [Fact]
    public void An_invisibility_timeout_under_five_seconds_is_refused()
    {
        var host = new BadTimeout();
        var refused = Should.Throw<Exception>(() => host.Server);
        refused.ToString().ShouldContain("Jobs:InvisibilityTimeoutSeconds");
        host.Dispose();
    }

    private sealed class BadTimeout : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Jobs:InvisibilityTimeoutSeconds", "2");
        }
    }
}
