using System.Security.Cryptography;
using System.Text;
using JasperFx;
using Marten;
using Npgsql;

namespace Strategy.Infrastructure.Store;

/// <summary>
/// Appends to a commitment's correspondence stream (comments, evidence files). Writers to one stream queue on a
/// transaction-scoped advisory lock, so each appends after the last (the first creates the stream) instead of failing
/// on a version another took at the same moment.
/// </summary>
public static class Correspondence
{
    /// <param name="expectedVersion">The thread version the caller read (If-Match), if the append is conditional.</param>
    /// <returns>The stream's version after the append, once saved.</returns>
    public static async Task<long> AppendAsync(IDocumentSession session, Guid commitmentId, object @event, long? expectedVersion, CancellationToken ct)
    {
        var stream = StreamIds.ForCorrespondence(commitmentId);
        await LockAsync(session, stream, ct);
        var version = (await session.Events.FetchStreamStateAsync(stream, ct))?.Version ?? 0;
        if (expectedVersion is { } expected && expected != version)
            throw new ConcurrencyException($"The correspondence of commitment {commitmentId} is at version {version}, not {expected}.", typeof(Correspondence), stream);
        session.Events.Append(stream, version + 1, @event);
        return version + 1;
    }

    /// <summary>The stream's version, 0 before anything was said or sent.</summary>
    public static async Task<long> VersionAsync(IQuerySession session, Guid commitmentId, CancellationToken ct) =>
        (await session.Events.FetchStreamStateAsync(StreamIds.ForCorrespondence(commitmentId), ct))?.Version ?? 0;

    /// <summary>A transaction-scoped advisory lock on the stream, released when the session's transaction ends.</summary>
    private static async Task LockAsync(IDocumentSession session, Guid stream, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        var key = BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"correspondence|{stream}")));
        await using var command = new NpgsqlCommand("select pg_advisory_xact_lock(@key)", session.Connection);
        command.Parameters.AddWithValue("key", key);
        await command.ExecuteNonQueryAsync(ct);
    }
}
