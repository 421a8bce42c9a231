using System.Diagnostics;
using Marten;
using Strategy.Infrastructure.Store;
using Weasel.Core;

namespace Strategy.Infrastructure.Projections;

public sealed record RebuildResult(string View, long Events, int Documents, TimeSpan Elapsed);

/// <summary>
/// Rebuilds the commitment views from the event log in one pass: one query reads the commitment events in sequence
/// order, the projection's own Evolve folds them in memory (one view per commitment, so memory grows with commitments,
/// not with history), and the views are written back with COPY. Marten's daemon rebuild reads the log a page at a time
/// through its generic event pipeline (about 25,000 events/s here); this streams only the commitment
/// events through <see cref="CommitmentEventLog"/>. Run it with writes stopped (the `rebuild` command is for deployments and repairs, not a live store): a
/// commitment written during the rebuild could be overwritten with its state from before that write.
/// </summary>
public static class ViewRebuild
{
    public static async Task<RebuildResult> CommitmentViewsAsync(IDocumentStore store, StoreSettings settings, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var (views, events) = await FoldAsync(CommitmentEventLog.ReadAsync(store, settings, "true", new Dictionary<string, object>(), ct));
        await store.BulkInsertAsync(views.ToList(), BulkInsertMode.OverwriteExisting, batchSize: 5000, ct);
        return new RebuildResult("commitment-view", events, views.Count, watch.Elapsed);
    }

    /// <summary>
    /// Commitment events, oldest first, folded into their views with the inline projection's own Apply: the rebuild's
    /// fold and the as-of report's.
    /// </summary>
    public static async Task<(IReadOnlyCollection<CommitmentView> Views, long Events)> FoldAsync(IAsyncEnumerable<CommitmentLogEntry> log)
    {
        var views = new Dictionary<Guid, CommitmentView>();
        long events = 0;
        await foreach (var e in log)
        {
            views.TryGetValue(e.StreamId, out var view);
            if (CommitmentViewProjection.Apply(view, e.StreamId, e.Data, e.Version, e.Timestamp, e.Actor) is { } next) views[e.StreamId] = next;
            events++;
        }
        return (views.Values, events);
    }
}
