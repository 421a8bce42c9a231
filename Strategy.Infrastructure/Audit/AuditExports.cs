using Npgsql;
using Strategy.Infrastructure.Store;

namespace Strategy.Infrastructure.Audit;

/// <summary>
/// Audit exports run on a connection pool of their own (at most <see cref="ReadLimits.ExportConnections"/>, named
/// <see cref="ApplicationName"/> in pg_stat_activity), each under the statement timeout <see cref="ReadLimits.Export"/>.
/// An export holds its connection for as long as its client takes to read it: here slow readers can take only the
/// exports' slots, never a connection the other requests or the readiness check need.
/// </summary>
public sealed class AuditExports : IAsyncDisposable
{
    public const string ApplicationName = "strategy-export";

    private readonly NpgsqlDataSource source;
    private readonly SemaphoreSlim slots;
    private readonly string schema;

    public AuditExports(StoreSettings settings, ReadLimits limits)
    {
        Limits = limits;
        schema = settings.Schema;
        slots = new SemaphoreSlim(limits.ExportConnections, limits.ExportConnections);
        var builder = new NpgsqlConnectionStringBuilder(ConnectionDefaults.WithCustomPlans(settings.ConnectionString))
        {
            ApplicationName = ApplicationName,
            MaxPoolSize = limits.ExportConnections,
            MinPoolSize = 0,
        };
        source = NpgsqlDataSource.Create(ReadLimits.WithStatementTimeout(builder, limits.Export));
    }

    public ReadLimits Limits { get; }

    /// <summary>Exports running on this node now (each holding a slot and a connection).</summary>
    public int Running => Limits.ExportConnections - slots.CurrentCount;

    /// <summary>
    /// Takes a slot and a connection for the export (so a refusal comes before anything is sent); throws
    /// <see cref="ExportsBusyException"/> at once when every slot is taken.
    /// </summary>
    public async Task<AuditExport> OpenAsync(AuditFilter filter, CancellationToken ct, bool chain = false)
    {
        if (!slots.Wait(0)) throw new ExportsBusyException(Limits.ExportConnections);
        try
        {
            var connection = await source.OpenConnectionAsync(ct);
            return new AuditExport(connection, AuditLog.ReadAsync(connection, schema, filter, 0, null, ct, chain), slots);
        }
        catch
        {
            slots.Release();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await source.DisposeAsync();
        slots.Dispose();
    }
}

/// <summary>One export: its entries, read on its own connection, which goes back with its slot when it is disposed.</summary>
public sealed class AuditExport(NpgsqlConnection connection, IAsyncEnumerable<AuditEntry> entries, SemaphoreSlim slots) : IAsyncDisposable
{
    public IAsyncEnumerable<AuditEntry> Entries { get; } = entries;

    public async ValueTask DisposeAsync()
    {
        await connection.DisposeAsync();
        slots.Release();
    }
}

/// <summary>Every export slot of this node is taken.</summary>
public sealed class ExportsBusyException(int slots)
    : Exception($"This node runs {slots} audit exports at once and all are running; retry shortly.");
