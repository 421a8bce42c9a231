using System.Diagnostics;
using Marten;
using Strategy.Domain.Commitments;
using Strategy.Infrastructure.Store;
using Weasel.Core;

namespace Strategy.Infrastructure.Projections;

public sealed record RebuildResult(string View, long Events, int Documents, TimeSpan Elapsed);

/// <summary>
/// Rebuilds what the commitment events project inline (the views, the write models, the value documents) from the
/// event log in one pass: one query reads the commitment events, stream by stream, the projections' own folds apply
/// them in memory, and the documents are written back in bulk. Marten's daemon rebuild reads the log a page at a time
/// through its generic event pipeline (about 25,000 events/s here); this streams only the commitment events through
/// <see cref="CommitmentEventLog"/>. Run it with writes stopped (the `rebuild` command is for deployments and repairs,
/// not a live store): a commitment written during the rebuild could be overwritten with its state from before that write.
/// </summary>
public static class ViewRebuild
{
    public static async Task<RebuildResult> CommitmentViewsAsync(IDocumentStore store, StoreSettings settings, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var views = new Dictionary<Guid, CommitmentView>();
        var states = new Dictionary<Guid, Commitment>();
        var values = new Dictionary<Guid, ValueView>();
        long events = 0;
        await foreach (var e in CommitmentEventLog.ReadAsync(store, settings, "true", new Dictionary<string, object>(), ct, byStream: true))
        {
            views.TryGetValue(e.StreamId, out var view);
            views[e.StreamId] = CommitmentViewProjection.Apply(view, e.StreamId, e.Data, e.Version, e.Timestamp, e.Actor);
            states.TryGetValue(e.StreamId, out var state);
            states[e.StreamId] = Commitment.Evolve(state, e.Data, e.Actor.Id);
            foreach (var id in ValueIds(e.Data))
                if (ValueViewProjection.Apply(values.GetValueOrDefault(id), id, e.Data, e.Timestamp, e.Actor) is { } value) values[id] = value;
            events++;
        }
        await WriteAsync(store, views.Values, ct);
        await WriteAsync(store, states.Values, ct);
        await WriteAsync(store, values.Values, ct);
        return new RebuildResult("commitment-view", events, views.Count, watch.Elapsed);
    }

    /// <summary>Documents per bulk insert: each bulk insert ends with one upsert statement of all its documents.</summary>
    public const int DocumentsPerWrite = 50_000;

    /// <summary>
    /// Writes the documents in bulk inserts of <see cref="DocumentsPerWrite"/>. Marten's bulk insert copies its documents
    /// into a temporary table and upserts them all with one statement, which runs under the connection's command timeout
    /// (30 s by default): written at once, the value documents of a large store can outlast it and fail the rebuild
    /// (docs/benchmarks.md). A rebuild is rerun whole, so writing in parts changes nothing else.
    /// </summary>
    private static async Task WriteAsync<T>(IDocumentStore store, IEnumerable<T> documents, CancellationToken ct) where T : notnull
    {
        foreach (var part in documents.Chunk(DocumentsPerWrite))
            await store.BulkInsertAsync(part, BulkInsertMode.OverwriteExisting, batchSize: 5000, ct);
    }

    /// <summary>The value documents an event touches: the same identities the inline projection groups it by.</summary>
    public static IEnumerable<Guid> ValueIds(ICommitmentEvent e) => e switch
    {
        ValueSubmitted s => s.Supersedes is { } old ? [s.ValueId, old] : [s.ValueId],
        ValueAccepted a => a.Replaces is { } old ? [a.ValueId, old.ValueId] : [a.ValueId],
        ValueReturned r => [r.ValueId],
        ValueRetracted r => [r.ValueId],
        ValueVoided v => v.Restored is { } back ? [v.ValueId, back.ValueId] : [v.ValueId],
        CommitmentMade or CommitmentStatusChanged or CommitmentReopened or CommitmentRevised or CommitmentTranslated or CommitmentWithdrawn
            or CommitmentRestored => [],
        _ => throw CommitmentEvents.Unhandled(e, "The value documents"),
    };

    /// <summary>
    /// Commitment events, each stream's in version order, folded into their views with the inline projection's own
    /// Apply: the as-of report's fold.
    /// </summary>
    public static async Task<(IReadOnlyCollection<CommitmentView> Views, long Events)> FoldAsync(IAsyncEnumerable<CommitmentLogEntry> log)
    {
        var views = new Dictionary<Guid, CommitmentView>();
        long events = 0;
        await foreach (var e in log)
        {
            views.TryGetValue(e.StreamId, out var view);
            views[e.StreamId] = CommitmentViewProjection.Apply(view, e.StreamId, e.Data, e.Version, e.Timestamp, e.Actor);
            events++;
        }
        return (views.Values, events);
    }
}
