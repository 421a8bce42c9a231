using System.Globalization;
using System.Net;
using System.Text.Json;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Strategy.Tests.Api;

/// <summary>Helpers for the audit tests: walking the cursor, asking the database directly (as the owner), waiting for the daemon.</summary>
public static class AuditSupport
{
    /// <summary>An instant as the API takes it in a query string: UTC, 100 ns precision, no '+' to escape.</summary>
    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);

    public static DateTimeOffset Midpoint(DateTimeOffset a, DateTimeOffset b) => a + (b - a) / 2;

    /// <summary>
    /// Reads one page and checks the cursor contract: at most <paramref name="limit"/> entries in increasing sequence, all
    /// after <paramref name="after"/>; nextAfter is the last entry's sequence when the page is full, null otherwise.
    /// </summary>
    public static async Task<(List<JsonElement> Items, long? NextAfter)> Page(HttpClient client, string filter, long after, int limit)
    {
        var url = $"/api/audit?{(filter.Length > 0 ? filter + "&" : "")}after={after}&limit={limit}";
        var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"{url}: {body}");
        var page = JsonDocument.Parse(body).RootElement.Clone();
        var items = page.GetProperty("items").EnumerateArray().ToList();
        var next = page.GetProperty("nextAfter");
        long? nextAfter = next.ValueKind == JsonValueKind.Null ? null : next.GetInt64();

        items.Count.ShouldBeLessThanOrEqualTo(limit);
        var sequences = items.Select(Sequence).ToList();
        sequences.ShouldAllBe(s => s > after, url);
        sequences.ShouldBeInOrder(SortDirection.Ascending);
        sequences.Distinct().Count().ShouldBe(sequences.Count);
        if (items.Count == limit) nextAfter.ShouldBe(sequences[^1], url);
        else nextAfter.ShouldBeNull(url);
        return (items, nextAfter);
    }

    /// <summary>Every entry the filter gives, page by page with after=nextAfter until nextAfter is null.</summary>
    public static async Task<List<JsonElement>> Walk(HttpClient client, string filter, int limit, long after = 0)
    {
        var all = new List<JsonElement>();
        for (var pages = 0; ; pages++)
        {
            pages.ShouldBeLessThan(10_000, "the cursor does not end");
            var (items, next) = await Page(client, filter, after, limit);
            all.AddRange(items);
            if (next is not { } n) return all;
            after = n;
        }
    }

    public static long Sequence(JsonElement entry) => entry.GetProperty("sequence").GetInt64();

    /// <summary>
    /// The sequences the store holds (of one stream when <paramref name="stream"/> is given), read straight from the
    /// event table: the oracle for "every event".
    /// </summary>
    public static async Task<List<long>> StoredSequences(ApiFactory api, long after = 0, Guid? stream = null)
    {
        await using var connection = new NpgsqlConnection(ApiFactory.OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"select seq_id from {api.Schema}.mt_events where seq_id > @after and (@stream::uuid is null or stream_id = @stream) order by seq_id", connection);
        command.Parameters.AddWithValue("after", after);
        command.Parameters.Add(new NpgsqlParameter("stream", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = (object?)stream ?? DBNull.Value });
        var result = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) result.Add(reader.GetInt64(0));
        return result;
    }

    /// <summary>Runs SQL as the database superuser the tests connect with (not through the service).</summary>
    public static async Task<int> Sql(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ApiFactory.OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>The one value a query gives, asked as the database superuser the tests connect with.</summary>
    public static async Task<T> SqlScalar<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ApiFactory.OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// A long history written in one bulk append, as a bulk load would: <paramref name="count"/> status changes of the
    /// commitment, between in-progress and on-hold, noted "change 0", "change 1" and so on (through the API they would
    /// take minutes and meet the rate limit on writes).
    /// </summary>
    public static async Task AppendStatusChanges(ApiFactory api, Guid commitment, int count)
    {
        await using var session = api.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        var from = Strategy.Domain.Commitments.CommitmentStatus.NotStarted;
        for (var i = 0; i < count; i++)
        {
            var to = i % 2 == 0 ? Strategy.Domain.Commitments.CommitmentStatus.InProgress : Strategy.Domain.Commitments.CommitmentStatus.OnHold;
            session.Events.Append(commitment, new Strategy.Domain.Commitments.CommitmentStatusChanged(commitment, from, to, $"change {i}"));
            from = to;
        }
        await session.SaveChangesAsync();
    }

    /// <summary>
    /// Sends <paramref name="read"/> while the test holds the event table locked (access exclusive), which keeps any read
    /// of it waiting, and checks that the read was stopped at its limit of 1 s: a 503 problem document "The read took
    /// too long." with Retry-After, after about 1 s and well before Npgsql's 30 s command timeout.
    /// </summary>
    public static async Task ShouldBeStoppedAtOneSecondWhileEventsAreLocked(ApiFactory api, Func<Task<HttpResponseMessage>> read)
    {
        await using var connection = new NpgsqlConnection(ApiFactory.OwnerConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var lockEvents = new NpgsqlCommand($"lock table {api.Schema}.mt_events in access exclusive mode", connection, transaction))
            await lockEvents.ExecuteNonQueryAsync();

        var timer = System.Diagnostics.Stopwatch.StartNew();
        var stopped = await read();
        var elapsed = timer.Elapsed;
        var problem = await stopped.ShouldBeProblem(503);
        problem.GetProperty("title").GetString().ShouldBe("The read took too long.");
        stopped.Headers.RetryAfter.ShouldNotBeNull();
        elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(0.9));
        elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(15), "stopped by the 1 s limit, not by Npgsql's 30 s command timeout");
        await transaction.RollbackAsync();
    }

    /// <summary>Waits until the async daemon (hash chain) has caught up with every stored event.</summary>
    public static Task WaitForDaemon(ApiFactory api) =>
        api.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

    /// <summary>A factory of its own for one test: started now, its schema dropped by <see cref="IAsyncDisposable.DisposeAsync"/>.</summary>
    public static Task<OwnedFactory> StartOwnFactory() => StartOwnFactory<ApiFactory>();

    /// <inheritdoc cref="StartOwnFactory()"/>
    public static async Task<OwnedFactory> StartOwnFactory<T>() where T : ApiFactory, new()
    {
        var factory = new T();
        await factory.InitializeAsync();
        return new OwnedFactory(factory);
    }

    public sealed class OwnedFactory(ApiFactory api) : IAsyncDisposable
    {
        public ApiFactory Api { get; } = api;
        public ValueTask DisposeAsync() => new(Api.DisposeAsync());
    }
}
