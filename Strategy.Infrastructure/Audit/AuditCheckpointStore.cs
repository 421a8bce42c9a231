using Marten;
using Strategy.Infrastructure.Store;

namespace Strategy.Infrastructure.Audit;

/// <summary>Signs chain heads with the checkpoint key and keeps them; verification holds the recomputed chain to them.</summary>
public sealed class AuditCheckpointStore(IDocumentStore store, StoreSettings settings, TimeProvider clock, CheckpointKey? key = null)
{
    public bool CanSign => key is not null;

    public CheckpointKey? SigningKey => key;

    /// <summary>The chain head as the audit daemon last wrote it, signed, unless the newest checkpoint is already at it.</summary>
    public async Task<AuditCheckpoint?> SignHeadAsync(CancellationToken ct)
    {
        if (key is null) return null;
        await using var session = store.LightweightSession();
        var head = await session.LoadAsync<AuditChainHead>(AuditChainHead.SingletonId, ct);
        if (head is null || head.Sequence == 0) return null;
        var newest = await session.Query<StoredCheckpoint>().OrderByDescending(c => c.Sequence).FirstOrDefaultAsync(ct);
        if (newest is not null && newest.Sequence >= head.Sequence) return newest.Checkpoint;
        return await StoreAsync(session, head.Sequence, head.Hash, "periodic", null, ct);
    }

    /// <summary>A report's basis (its last sequence and the chain hash after it), signed when the report succeeds.</summary>
    public async Task<AuditCheckpoint?> SignReportAsync(Guid reportId, long sequence, string hash, CancellationToken ct)
    {
        if (key is null || sequence == 0) return null;
        await using var session = store.LightweightSession();
        return await StoreAsync(session, sequence, hash, "report", reportId, ct);
    }

    private async Task<AuditCheckpoint> StoreAsync(IDocumentSession session, long sequence, string hash, string occasion, Guid? reportId, CancellationToken ct)
    {
        var signed = AuditCheckpoints.Sign(key!.Key, sequence, hash, clock.GetUtcNow());
        session.Store(new StoredCheckpoint
        {
            Id = Guid.CreateVersion7(), Sequence = signed.Sequence, Hash = signed.Hash, SignedAt = signed.SignedAt,
            KeyId = signed.KeyId, Signature = signed.Signature, Occasion = occasion, ReportId = reportId,
        });
        await session.SaveChangesAsync(ct);
        return signed;
    }

    /// <summary>Newest first.</summary>
    public async Task<IReadOnlyList<StoredCheckpoint>> ListAsync(int limit, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.Query<StoredCheckpoint>().OrderByDescending(c => c.Sequence).ThenByDescending(c => c.SignedAt).Take(limit).ToListAsync(ct);
    }

    private readonly Lock scanGate = new();
    private Task<AuditVerification>? scan;
    private long scansStarted;
    private long scansJoined;

    /// <summary>How many whole-log scans this node has started.</summary>
    public long ScansStarted => Interlocked.Read(ref scansStarted);

    /// <summary>How many verify calls took the result of a scan already running instead of starting one.</summary>
    public long ScansJoined => Interlocked.Read(ref scansJoined);

    /// <summary>
    /// The whole chain recomputed and held to every checkpoint signed with the current key. A scan reads the whole log,
    /// so callers that ask while one is running share its result instead of each starting another: the load of verify
    /// is one scan at a time per node, however many ask.
    /// </summary>
    public Task<AuditVerification> VerifyAsync(CancellationToken ct)
    {
        lock (scanGate)
        {
            if (scan is null || scan.IsCompleted)
            {
                Interlocked.Increment(ref scansStarted);
                // Not the caller's token: the scan is shared, and one caller leaving must not fail the others.
                scan = Task.Run(() => ScanAsync(CancellationToken.None));
            }
            else Interlocked.Increment(ref scansJoined);
            return scan.WaitAsync(ct);
        }
    }

    private (long Sequence, string Hash)? lastVerified;

    /// <summary>
    /// The chain checked from the last point this node verified (kept in memory, not in the database the check is
    /// about) on, once that point's stored link is found unchanged: only what was added since. The whole log when this
    /// node has verified nothing yet. A rewrite before that point is for the whole-log check (and the checkpoints) to find.
    /// </summary>
    public async Task<AuditVerification> VerifySinceLastAsync(CancellationToken ct)
    {
        (long Sequence, string Hash)? since;
        lock (scanGate) since = lastVerified;
        if (since is not { } from) return await VerifyAsync(ct);
        var result = await VerifyWithCheckpointsAsync(from, ct);
        Remember(result);
        return result;
    }

    private async Task<AuditVerification> ScanAsync(CancellationToken ct)
    {
        var result = await VerifyWithCheckpointsAsync(null, ct);
        Remember(result);
        return result;
    }

    private void Remember(AuditVerification result)
    {
        if (result.Valid && result.LastSequence > 0) lock (scanGate) lastVerified = (result.LastSequence, result.HeadHash);
    }

    private async Task<AuditVerification> VerifyWithCheckpointsAsync((long, string)? from, CancellationToken ct)
    {
        IReadOnlyList<AuditCheckpoint> checkpoints = [];
        if (key is not null)
        {
            await using var session = store.QuerySession();
            checkpoints = [.. (await session.Query<StoredCheckpoint>().Where(c => c.KeyId == key.Id).ToListAsync(ct)).Select(c => c.Checkpoint)];
        }
        return await AuditVerifier.VerifyAsync(settings.ConnectionString, settings.Schema, ct, checkpoints, key?.Key, from);
    }
}
