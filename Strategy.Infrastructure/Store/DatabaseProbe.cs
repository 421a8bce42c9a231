using Npgsql;

namespace Strategy.Infrastructure.Store;

/// <summary>
/// Whether the database answers, asked over a pool of its own (<see cref="PoolSize"/> connections named
/// <see cref="ApplicationName"/> in pg_stat_activity): readiness must not wait behind the main pool, whose connections
/// may all be taken by slow work, and report the database down when it is only busy.
/// </summary>
public sealed class DatabaseProbe : IAsyncDisposable
{
    public const string ApplicationName = "strategy-health";

    /// <summary>
    /// A probe's two checks (the database, the outbox's counts) each take a connection at once; as many again should two
    /// probes overlap (Kubernetes probes each pod every few seconds).
    /// </summary>
    public const int PoolSize = 4;

    /// <summary>
    /// The longest a probe waits to connect, whatever the main connection string allows (deploy/k8s sets 15 s there):
    /// Npgsql does not give up a connection attempt on cancellation, so a silent database would hold readiness that long.
    /// </summary>
    public const int ConnectSeconds = 3;

    private readonly NpgsqlDataSource source;

    public DatabaseProbe(StoreSettings settings) => source = NpgsqlDataSource.Create(ConnectionString(settings));

    public static string ConnectionString(StoreSettings settings)
    {
        var builder = new NpgsqlConnectionStringBuilder(settings.ConnectionString) { ApplicationName = ApplicationName, MaxPoolSize = PoolSize, MinPoolSize = 0 };
        builder.Timeout = Math.Min(builder.Timeout, ConnectSeconds);
        return builder.ConnectionString;
    }

    /// <summary>Runs <c>select 1</c>; throws what Npgsql throws when the database does not answer.</summary>
    public async Task AnswerAsync(CancellationToken ct)
    {
        await using var connection = await source.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand("select 1", connection);
        await command.ExecuteScalarAsync(ct);
    }

    /// <summary>The numbers of one row <paramref name="sql"/> selects (counts), over the probe's pool.</summary>
    public async Task<long[]> CountsAsync(string sql, CancellationToken ct)
    {
        await using var connection = await source.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return [.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetInt64)];
    }

    public ValueTask DisposeAsync() => source.DisposeAsync();
}
