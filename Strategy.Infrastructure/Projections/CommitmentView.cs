using JasperFx.Events;
using Marten.Events.Aggregation;
using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Infrastructure.Store;

namespace Strategy.Infrastructure.Projections;

/// <summary>
/// A commitment as the API reads it back at once (inline projection): <see cref="State"/> is its summary, folded by the
/// domain's <see cref="CommitmentSummary.Evolve"/>, with who made and last changed it. Decisions never read it: they
/// take the write model, <see cref="Commitment"/>, a document of its own.
/// </summary>
public sealed class CommitmentView
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public CommitmentSummary State { get; set; } = null!;
    public DateTimeOffset CreatedAt { get; set; }
    public ActorRef CreatedBy { get; set; } = null!;
    public DateTimeOffset? WithdrawnAt { get; set; }
    public DateTimeOffset LastUpdatedAt { get; set; }
    public ActorRef LastUpdatedBy { get; set; } = null!;
    public DateTimeOffset? LastProgressAt { get; set; }

    /// <summary>The title and description by member language; null until one is translated.</summary>
    public IReadOnlyDictionary<string, TextTranslation>? Translations { get; set; }

    /// <summary>The title and description in <paramref name="language"/>, if translated.</summary>
    public TextTranslation? TextIn(string language) => Translations is { } t && t.TryGetValue(language, out var text) ? text : null;
}

/// <summary>The commitment view's duplicated columns (StoreSetup), as Marten names them, for SQL that reads the table.</summary>
public static class CommitmentColumns
{
    public const string PlanCode = "stateplan_code";
    public const string Country = "statecountry";
    public const string Code = "statecode";

    /// <summary>The view's state object, in SQL over the table aliased <c>d</c>.</summary>
    public const string State = "d.data->'state'";

    /// <summary>The view is of a commitment not withdrawn, in SQL over the table aliased <c>d</c>.</summary>
    public const string NotWithdrawn = $"not coalesce(({State}->>'withdrawn')::boolean, false)";
}

public sealed class CommitmentViewProjection : SingleStreamProjection<CommitmentView, Guid>
{
    public override CommitmentView? Evolve(CommitmentView? snapshot, Guid id, IEvent e) =>
        e.Data is ICommitmentEvent data ? Apply(snapshot, id, data, e.Version, EventTime.Of(e), ActorRef.From(e)) : snapshot;

    /// <summary>One event applied to a view: shared by the inline projection, <see cref="ViewRebuild"/> and as-of folds.</summary>
    public static CommitmentView Apply(CommitmentView? snapshot, Guid id, ICommitmentEvent data, long version, DateTimeOffset at, ActorRef actor)
    {
        var view = snapshot ?? new CommitmentView { Id = id, CreatedAt = at, CreatedBy = actor };
        view.State = CommitmentSummary.Evolve(snapshot?.State, data);
        view.Version = version;
        view.LastUpdatedAt = at;
        view.LastUpdatedBy = actor;
        switch (data)
        {
            case CommitmentWithdrawn: view.WithdrawnAt = at; break;
            case CommitmentRestored: view.WithdrawnAt = null; break;
            case ValueSubmitted: view.LastProgressAt = at; break;
            case CommitmentTranslated t: view.Translations = CommitmentEvents.WithTranslation(view.Translations, t); break;
        }
        return view;
    }
}

/// <summary>
/// The write model of each commitment, kept as a document of its own by an inline projection, so a write loads one
/// small document rather than folding the stream. Folded by the domain's <see cref="Commitment.Evolve"/>.
/// </summary>
public sealed class CommitmentStateProjection : SingleStreamProjection<Commitment, Guid>
{
    public override Commitment? Evolve(Commitment? snapshot, Guid id, IEvent e) =>
        e.Data is ICommitmentEvent data ? Commitment.Evolve(snapshot, data, e.UserName ?? "unknown") : snapshot;
}
