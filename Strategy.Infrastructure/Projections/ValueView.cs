using JasperFx.Events;
using Marten.Events.Projections;
using Strategy.Domain.Commitments;
using Strategy.Infrastructure.Store;

namespace Strategy.Infrastructure.Projections;

/// <summary>
/// One reported value and where it stands in review: a document per value, so a commitment's view stays the same size
/// however many values it receives. Read by the commitment's value list, the review queue, round completeness and
/// round reports.
/// </summary>
public sealed class ValueView
{
    public Guid Id { get; set; }
    public Guid CommitmentId { get; set; }
    public double Value { get; set; }
    public DateOnly AsOf { get; set; }
    public string? Round { get; set; }
    public ValueState State { get; set; }
    /// <summary>Accepted, and the value that counts for its date (a later accepted value of the same date replaces it).</summary>
    public bool Standing { get; set; }
    public bool Late { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }
    public ActorRef SubmittedBy { get; set; } = null!;
    public DateTimeOffset? ReviewedAt { get; set; }
    public ActorRef? ReviewedBy { get; set; }
    public string? Note { get; set; }
    /// <summary>The secretariat's note on accepting, its comment on returning, or the reason for a retraction or void.</summary>
    public string? ReviewNote { get; set; }
    public IReadOnlyList<EvidenceRef> Evidence { get; set; } = [];
    public string? EvidenceUrl { get; set; }
    public Guid? Supersedes { get; set; }
    public Guid? SupersededBy { get; set; }
}

public sealed class ValueViewProjection : MultiStreamProjection<ValueView, Guid>
{
    public ValueViewProjection()
    {
        Identities<ValueSubmitted>(e => [.. ViewRebuild.ValueIds(e)]);
        Identities<ValueAccepted>(e => [.. ViewRebuild.ValueIds(e)]);
        Identities<ValueReturned>(e => [.. ViewRebuild.ValueIds(e)]);
        Identities<ValueRetracted>(e => [.. ViewRebuild.ValueIds(e)]);
        Identities<ValueVoided>(e => [.. ViewRebuild.ValueIds(e)]);
    }

    public override ValueView? Evolve(ValueView? snapshot, Guid id, IEvent e) => Apply(snapshot, id, e.Data, EventTime.Of(e), ActorRef.From(e));

    public static ValueView? Apply(ValueView? view, Guid id, object data, DateTimeOffset at, ActorRef actor)
    {
        switch (data)
        {
            case ValueSubmitted s when s.ValueId == id:
                return new ValueView
                {
                    Id = id, CommitmentId = s.CommitmentId, Value = s.Value, AsOf = s.AsOf, Round = s.Round, State = ValueState.Submitted,
                    Late = s.Late, SubmittedAt = at, SubmittedBy = actor, Note = s.Note, Evidence = s.Evidence, EvidenceUrl = s.EvidenceUrl,
                    Supersedes = s.Supersedes,
                };
            case ValueSubmitted s when view is not null:
                view.SupersededBy = s.ValueId;
                return view;
            case ValueAccepted a when view is not null && a.ValueId == id:
                view.State = ValueState.Accepted;
                view.Standing = true;
                return Reviewed(view, at, actor, a.Note);
            case ValueAccepted when view is not null:
                view.Standing = false;
                return view;
            case ValueReturned r when view is not null:
                view.State = ValueState.Returned;
                return Reviewed(view, at, actor, r.Comment);
            case ValueRetracted r when view is not null:
                view.State = ValueState.Retracted;
                return Reviewed(view, at, actor, r.Reason);
            case ValueVoided v when view is not null && v.ValueId == id:
                view.State = ValueState.Voided;
                view.Standing = false;
                return Reviewed(view, at, actor, v.Reason);
            case ValueVoided when view is not null:
                view.Standing = true;
                return view;
            default:
                return view;
        }
    }

    private static ValueView Reviewed(ValueView view, DateTimeOffset at, ActorRef actor, string? note)
    {
        view.ReviewedAt = at;
        view.ReviewedBy = actor;
        view.ReviewNote = note;
        return view;
    }
}
