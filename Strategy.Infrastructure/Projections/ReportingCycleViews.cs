using JasperFx.Events;
using Marten.Events.Aggregation;
using Marten.Events.Projections;
using Strategy.Domain.Commitments;
using Strategy.Domain.Rounds;
using Strategy.Infrastructure.Store;

namespace Strategy.Infrastructure.Projections;

/// <summary>A reporting round as reads show it; decisions take the <see cref="Round"/> document.</summary>
public sealed class RoundView
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public Round State { get; set; } = null!;
    public DateTimeOffset OpenedAt { get; set; }
    public ActorRef OpenedBy { get; set; } = null!;
    public DateTimeOffset? ClosedAt { get; set; }
    public ActorRef? ClosedBy { get; set; }
}

public sealed class RoundViewProjection : SingleStreamProjection<RoundView, Guid>
{
    public override RoundView? Evolve(RoundView? snapshot, Guid id, IEvent e)
    {
        if (e.Data is not IRoundEvent data) return snapshot;
        var view = snapshot ?? new RoundView { Id = id, OpenedAt = EventTime.Of(e), OpenedBy = ActorRef.From(e) };
        view.State = Round.Evolve(snapshot?.State, data);
        view.Version = e.Version;
        if (e.Data is RoundClosed)
        {
            view.ClosedAt = EventTime.Of(e);
            view.ClosedBy = ActorRef.From(e);
        }
        return view;
    }
}

/// <summary>The round's write model, a document of its own like a commitment's.</summary>
public sealed class RoundStateProjection : SingleStreamProjection<Round, Guid>
{
    public override Round? Evolve(Round? snapshot, Guid id, IEvent e) => e.Data is IRoundEvent data ? Round.Evolve(snapshot, data) : snapshot;
}

/// <summary>A message in a commitment's thread: posted as a comment, or written when the secretariat returned a value.</summary>
public sealed class CommentView
{
    public Guid Id { get; set; }
    public Guid CommitmentId { get; set; }
    public string Text { get; set; } = "";
    public Guid? ValueId { get; set; }
    /// <summary>Whether the secretariat wrote it when returning <see cref="ValueId"/> for correction.</summary>
    public bool Return { get; set; }
    public DateTimeOffset PostedAt { get; set; }
    public ActorRef PostedBy { get; set; } = null!;
}

public sealed class CommentViewProjection : MultiStreamProjection<CommentView, Guid>
{
    public CommentViewProjection()
    {
        Identity<CommentPosted>(e => e.CommentId);
        Identity<ValueReturned>(e => e.CommentId);
    }

    public override CommentView? Evolve(CommentView? snapshot, Guid id, IEvent e) => e.Data switch
    {
        CommentPosted c => new CommentView
            { Id = id, CommitmentId = c.CommitmentId, Text = c.Text, ValueId = c.ValueId, PostedAt = EventTime.Of(e), PostedBy = ActorRef.From(e) },
        ValueReturned r => new CommentView
            { Id = id, CommitmentId = r.CommitmentId, Text = r.Comment, ValueId = r.ValueId, Return = true, PostedAt = EventTime.Of(e), PostedBy = ActorRef.From(e) },
        _ => snapshot,
    };
}

/// <summary>The due date the overdue register last recorded a commitment as overdue for.</summary>
public sealed class OverdueRecord
{
    public Guid Id { get; set; }
    public DateOnly Due { get; set; }
    public DateOnly DetectedOn { get; set; }
}

public sealed class OverdueRecordProjection : MultiStreamProjection<OverdueRecord, Guid>
{
    public OverdueRecordProjection() => Identity<CommitmentBecameOverdue>(e => e.CommitmentId);

    public override OverdueRecord? Evolve(OverdueRecord? snapshot, Guid id, IEvent e) =>
        e.Data is CommitmentBecameOverdue o ? new OverdueRecord { Id = id, Due = o.Due, DetectedOn = o.DetectedOn } : snapshot;
}
