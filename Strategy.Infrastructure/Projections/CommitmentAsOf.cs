using Marten;
using Npgsql;
using Strategy.Infrastructure.Store;

namespace Strategy.Infrastructure.Projections;

/// <summary>
/// A commitment as it stood at an instant: its events up to then, streamed from the event table and folded by the
/// inline projection's own Apply (<see cref="ViewRebuild.FoldAsync"/>, the as-of report's fold), so memory holds the
/// view, not the stream. The read runs in a transaction of its own under <see cref="ReadLimits.AsOf"/>: a stream too
/// long to fold in that time (or a read held up by a lock) is stopped by PostgreSQL instead of holding a connection.
/// </summary>
public sealed class CommitmentAsOf(IDocumentStore store, StoreSettings settings, ReadLimits limits)
{
    public async Task<CommitmentView?> ReadAsync(Guid id, DateTimeOffset asOf, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await ReadLimits.SetStatementTimeoutAsync(connection, limits.AsOf, ct);
        var events = CommitmentEventLog.ReadAsync(store, connection, settings.Schema, "e.stream_id = @id and e.timestamp <= @at",
            new Dictionary<string, object> { ["id"] = id, ["at"] = asOf }, ct);
        var (views, _) = await ViewRebuild.FoldAsync(events);
        return views.SingleOrDefault();
    }
}
