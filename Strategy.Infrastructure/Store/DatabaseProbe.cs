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

    /// <summary>One connection for a probe, one more should two overlap (Kubernetes probes each pod every few seconds).</summary>
    public const int PoolSize = 2;

    private readonly NpgsqlDataSource source;

    public DatabaseProbe(StoreSettings settings) =>
        source = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(settings.ConnectionString)
        {
            ApplicationName = ApplicationName,
            MaxPoolSize = PoolSize,
            MinPoolSize = 0,
        }.ConnectionString);

    /// <summary>Runs <c>select 1</c>; throws what Npgsql throws when the database does not answer.</summary>
    public async Task AnswerAsync(CancellationToken ct)
    {
        await using var connection = await source.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand("select 1", connection);
        await command.ExecuteScalarAsync(ct);
    }

    public ValueTask DisposeAsync() => source.DisposeAsync();
}
