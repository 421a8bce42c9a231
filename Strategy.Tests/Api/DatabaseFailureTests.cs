using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Strategy.Tests.Api;

/// <summary>
/// A database failure in the middle of a write answers 503 (a problem document with Retry-After), never 500, and a
/// retry with the same Idempotency-Key then records the write once. The failure is made deterministic: the test holds
/// the commitment's stream row, so the write waits on it inside its transaction, and the test then terminates that
/// backend, as a database crash or failover would.
/// </summary>
public sealed class DatabaseFailureTests(ApiFactory api) : IClassFixture<ApiFactory>, IAsyncLifetime
{
    private readonly string Plan = "DBF-" + Guid.NewGuid().ToString("N")[..8];

    public async Task InitializeAsync()
    {
        var created = await api.Secretariat().PostJson("/api/plans", TestPlan.Document(Plan));
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<Guid> Make()
    {
        var response = await api.Secretariat().PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment());
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Json()).GetProperty("id").GetGuid();
    }

    /// <summary>Sends the write while the stream row is locked, kills the backend that waits for it, returns the answer.</summary>
    private async Task<HttpResponseMessage> WriteWhoseConnectionDies(Guid id, object body, string? key)
    {
        await using var blocker = new NpgsqlConnection(ApiFactory.OwnerConnectionString);
        await blocker.OpenAsync();
        await using var tx = await blocker.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand($"select 1 from {api.Schema}.mt_streams where id = @id for update", blocker, tx))
        {
            lockRow.Parameters.AddWithValue("id", id);
            (await lockRow.ExecuteScalarAsync()).ShouldBe(1);
        }

        var write = api.Secretariat().PostJson($"/api/commitments/{id}/progress", body, idempotencyKey: key);
        // Bounded by time, not by rounds: on a loaded machine the request may take seconds to reach the row.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var terminated = false;
        while (!terminated && !write.IsCompleted && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await using var kill = new NpgsqlCommand(
                "select coalesce(bool_or(pg_terminate_backend(pid)), false) from pg_stat_activity where @blocker = any(pg_blocking_pids(pid))", blocker, tx);
            kill.Parameters.AddWithValue("blocker", blocker.ProcessID);
            terminated = (bool)(await kill.ExecuteScalarAsync())!;
            if (!terminated) await Task.Delay(50);
        }
        if (!terminated)
        {
            await using var waiting = new NpgsqlCommand(
                "select coalesce(string_agg(pid || ' ' || coalesce(wait_event_type, '-') || '/' || coalesce(wait_event, '-') || ' blocked by ' || pg_blocking_pids(pid)::text || ': ' || left(query, 120), E'\n'), 'none') " +
                "from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and state <> 'idle'", blocker, tx);
            var activity = (string)(await waiting.ExecuteScalarAsync())!;
            var outcome = write.IsCompleted ? $"the write finished first with {(int)(await write).StatusCode}" : "the write was still running";
            terminated.ShouldBeTrue($"the write never waited on the stream row within {waited.Elapsed.TotalSeconds:F0} s; {outcome}; busy backends:\n{activity}");
        }
        var response = await write;
        await tx.RollbackAsync();
        return response;
    }

    private static void ShouldBeUnavailable(HttpResponseMessage response, string body)
    {
        ((int)response.StatusCode).ShouldBe(503, body);
        response.Content.Headers.ContentType.ShouldNotBeNull().MediaType.ShouldBe("application/problem+json", body);
        response.Headers.RetryAfter.ShouldNotBeNull(body);
    }

    [Fact]
    public async Task An_idempotent_write_whose_connection_dies_in_its_transaction_answers_503_and_its_retry_appends_once()
    {
        var id = await Make();
        var key = "dbf-" + Guid.NewGuid().ToString("N");
        var body = new { value = 3, asOf = "2025-06-30", note = key };
        var before = await api.EventCount();

        var failed = await WriteWhoseConnectionDies(id, body, key);
        var failedBody = await failed.Content.ReadAsStringAsync();
        ShouldBeUnavailable(failed, failedBody);
        (await failed.Json()).GetProperty("status").GetInt32().ShouldBe(503);
        (await api.EventCount()).ShouldBe(before);

        var retry = await api.Secretariat().PostJson($"/api/commitments/{id}/progress", body, idempotencyKey: key);
        retry.StatusCode.ShouldBe(HttpStatusCode.OK, await retry.Content.ReadAsStringAsync());
        var again = await api.Secretariat().PostJson($"/api/commitments/{id}/progress", body, idempotencyKey: key);
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        again.Headers.GetValues("Idempotent-Replayed").Single().ShouldBe("true");
        // The secretariat's value is submitted and accepted on entry: two events, once.
        (await api.EventCount()).ShouldBe(before + 2);
    }

    [Fact]
    public async Task A_write_without_a_key_whose_connection_dies_answers_503_and_records_nothing()
    {
        var id = await Make();
        var before = await api.EventCount();

        var failed = await WriteWhoseConnectionDies(id, new { value = 4, asOf = "2025-06-30" }, key: null);
        ShouldBeUnavailable(failed, await failed.Content.ReadAsStringAsync());
        (await api.EventCount()).ShouldBe(before);

        // The pool recovers by itself: the next write goes through.
        var next = await api.Secretariat().PostJson($"/api/commitments/{id}/progress", new { value = 4, asOf = "2025-06-30" });
        next.StatusCode.ShouldBe(HttpStatusCode.OK, await next.Content.ReadAsStringAsync());
        (await api.EventCount()).ShouldBe(before + 2);
    }
}

/// <summary>A report is queued through Hangfire's storage; when that fails the request answers 503, not 500.</summary>
public sealed class JobStorageFailureTests(JobStorageFailureTests.DeadJobStorageFactory api) : IClassFixture<JobStorageFailureTests.DeadJobStorageFactory>
{
    [Fact]
    public async Task A_report_request_whose_job_cannot_be_queued_answers_503_with_retry_after()
    {
        var plan = "JSF-" + Guid.NewGuid().ToString("N")[..8];
        (await api.Secretariat().PostJson("/api/plans", TestPlan.Document(plan))).StatusCode.ShouldBe(HttpStatusCode.Created);

        var response = await api.Secretariat().PostJson("/api/reports", new { kind = "progress", plan });
        await response.ShouldBeProblem(503);
        response.Headers.RetryAfter.ShouldNotBeNull();
    }

    [Fact]
    public void Wrapped_database_errors_are_database_failures()
    {
        var npgsql = new NpgsqlException("Failed to connect", new System.Net.Sockets.SocketException(111));
        Strategy.Api.Http.ProblemExceptionHandler.IsDatabaseFailure(new Hangfire.BackgroundJobClientException("Background job creation failed.", npgsql)).ShouldBeTrue();
        Strategy.Api.Http.ProblemExceptionHandler.IsDatabaseFailure(new AggregateException(new InvalidOperationException("x"), npgsql)).ShouldBeTrue();
        Strategy.Api.Http.ProblemExceptionHandler.IsDatabaseFailure(new InvalidOperationException("x", new TimeoutException())).ShouldBeTrue();
        Strategy.Api.Http.ProblemExceptionHandler.IsDatabaseFailure(new InvalidOperationException("Transaction is already completed")).ShouldBeFalse();
    }

    /// <summary>The API with its event store up and Hangfire's storage on a port where nothing listens.</summary>
    public sealed class DeadJobStorageFactory : ApiFactory
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Jobs:RunServer", "false");
            builder.ConfigureTestServices(services =>
            {
                services.RemoveAll<Hangfire.JobStorage>();
                services.AddSingleton<Hangfire.JobStorage>(sp =>
                {
                    var options = Strategy.Api.Hosting.JobSetup.StorageOptions(sp.GetRequiredService<Strategy.Infrastructure.Store.StoreSettings>(), sp.GetRequiredService<Strategy.Api.Features.Reports.JobSettings>());
                    options.PrepareSchemaIfNecessary = false;
                    var dead = $"Host=127.0.0.1;Port={ClosedPort()};Database=strategy;Username=nobody;Timeout=3";
                    return new Hangfire.PostgreSql.PostgreSqlStorage(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(dead, options), options);
                });
            });
        }

        private static int ClosedPort()
        {
            var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }
    }
}
