using JasperFx.Events;
using Marten.Events.Aggregation;
using Strategy.Domain.Commitments;
using Strategy.Infrastructure.Store;

namespace Strategy.Infrastructure.Projections;

/// <summary>
/// A commitment as the API reads it back at once (inline projection). <see cref="State"/> is the domain state,
/// folded by the domain's own Evolve, so reads and decisions never disagree.
/// </summary>
public sealed class CommitmentView
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public Commitment State { get; set; } = null!;
    public DateTimeOffset CreatedAt { get; set; }
    public ActorRef CreatedBy { get; set; } = null!;
    public DateTimeOffset? WithdrawnAt { get; set; }
    public DateTimeOffset LastUpdatedAt { get; set; }
    public ActorRef LastUpdatedBy { get; set; } = null!;
    public DateTimeOffset? LastProgressAt { get; set; }
}

public sealed class CommitmentViewProjection : SingleStreamProjection<CommitmentView, Guid>
{
    public override CommitmentView? Evolve(CommitmentView? snapshot, Guid id, IEvent e)
    {
        var state = Commitment.Evolve(snapshot?.State, e.Data);
        if (state is null) return snapshot;
        var actor = ActorRef.From(e);
        var view = snapshot ?? new CommitmentView { Id = id, CreatedAt = EventTime.Of(e), CreatedBy = actor };
        view.State = state;
        view.Version = e.Version;
        view.LastUpdatedAt = EventTime.Of(e);
        view.LastUpdatedBy = actor;
        if (e.Data is CommitmentWithdrawn) view.WithdrawnAt = EventTime.Of(e);
        if (e.Data is ProgressReported) view.LastProgressAt = EventTime.Of(e);
        return view;
    }
}
