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

/// <summary>The commitment view's duplicated columns (StoreSetup), as Marten names them, for SQL that reads the table.</summary>
public static class CommitmentColumns
{
    public const string PlanCode = "stateplan_code";
    public const string Country = "statecountry";
    public const string Code = "statecode";
}

public sealed class CommitmentViewProjection : SingleStreamProjection<CommitmentView, Guid>
{
    public override CommitmentView? Evolve(CommitmentView? snapshot, Guid id, IEvent e) =>
        Apply(snapshot, id, e.Data, e.Version, EventTime.Of(e), ActorRef.From(e));

    /// <summary>One event applied to a view: shared by the inline projection and <see cref="ViewRebuild"/>.</summary>
    public static CommitmentView? Apply(CommitmentView? snapshot, Guid id, object data, long version, DateTimeOffset at, ActorRef actor)
    {
        var state = Commitment.Evolve(snapshot?.State, data);
        if (state is null) return snapshot;
        var view = snapshot ?? new CommitmentView { Id = id, CreatedAt = at, CreatedBy = actor };
        view.State = state;
        view.Version = version;
        view.LastUpdatedAt = at;
        view.LastUpdatedBy = actor;
        if (data is CommitmentWithdrawn) view.WithdrawnAt = at;
        if (data is ProgressReported) view.LastProgressAt = at;
        return view;
    }
}
