namespace Strategy.Domain.Commitments;

public enum CommitmentStatus { NotStarted, InProgress, OnHold, Completed, Cancelled }

/// <summary>
/// An event on a commitment's own stream. Implementing it is the one declaration of such an event type: the store's
/// event reader, the folds, history and audit take their lists from <see cref="CommitmentEvents.Types"/>, and a test
/// fails when one of them does not handle a type.
/// </summary>
public interface ICommitmentEvent : IDomainEvent
{
    Guid CommitmentId { get; }
}

/// <summary>
/// A country's commitment under an outcome. <see cref="Baseline"/> and <see cref="Target"/> are the effective
/// values the commitment is measured by (its own, or defaults from its indicator, see <see cref="Units"/>).
/// Expected progress runs from <see cref="Start"/> to <see cref="Due"/>. With <see cref="Review"/>, a focal point's
/// value counts only once the secretariat accepts it.
/// </summary>
public sealed record CommitmentMade(
    Guid CommitmentId, string PlanCode, string Code, string Country, string Goal, string Outcome,
    string Title, string? Description, string LeadAgency, DateOnly PlanStart, DateOnly PlanEnd, DateOnly Start, DateOnly Due,
    string? Indicator, string? Unit, double? Baseline, double? Target, bool ShouldDecrease, bool Review) : ICommitmentEvent;

public sealed record CommitmentStatusChanged(Guid CommitmentId, CommitmentStatus From, CommitmentStatus To, string? Note) : ICommitmentEvent;

/// <summary>The secretariat took a completed or cancelled commitment back to an open status.</summary>
public sealed record CommitmentReopened(Guid CommitmentId, CommitmentStatus From, CommitmentStatus To, string Reason) : ICommitmentEvent;

/// <summary>The changed terms only: a null field did not change. <see cref="Before"/> holds the old values of the same fields.</summary>
public sealed record CommitmentTerms(string? Title = null, string? Description = null, string? LeadAgency = null, DateOnly? Due = null, double? Target = null)
{
    /// <summary>A method, not a property: a property would be stored with the event as if it were one of the terms.</summary>
    public bool IsEmpty() => Title is null && Description is null && LeadAgency is null && Due is null && Target is null;
}

public sealed record CommitmentRevised(Guid CommitmentId, CommitmentTerms Before, CommitmentTerms After, string Reason) : ICommitmentEvent;

/// <summary>
/// The commitment's title and description in a member language, by the secretariat or its country's focal point;
/// <see cref="Before"/> is that language's earlier translation, if there was one.
/// </summary>
public sealed record CommitmentTranslated(Guid CommitmentId, string Language, string Title, string? Description, TextTranslation? Before) : ICommitmentEvent;

public sealed record CommitmentWithdrawn(Guid CommitmentId, string Reason) : ICommitmentEvent;

/// <summary>The secretariat undid a withdrawal made in error.</summary>
public sealed record CommitmentRestored(Guid CommitmentId, string Reason) : ICommitmentEvent;

public enum ValueState { Submitted, Accepted, Returned, Retracted, Voided }

/// <summary>A value as the read models need it to correct their running figures, without the value history.</summary>
public sealed record ValueRef(Guid ValueId, DateOnly AsOf, double Value);

/// <summary>An evidence file a value refers to; the hash puts the file's content under the audit chain.</summary>
public sealed record EvidenceRef(Guid Id, string Name, string Sha256);

/// <summary>
/// A value reported for the commitment's indicator. It counts in official figures only once accepted.
/// <see cref="Late"/>: sent after its round's deadline. <see cref="Supersedes"/>: the returned value it corrects.
/// </summary>
public sealed record ValueSubmitted(Guid CommitmentId, Guid ValueId, double Value, DateOnly AsOf, string? Round, bool Late,
    Guid? Supersedes, string? Note, IReadOnlyList<EvidenceRef> Evidence, string? EvidenceUrl) : ICommitmentEvent;

/// <summary>
/// The value counts from now on. <see cref="Replaces"/> is the accepted value it takes the place of (one value counts
/// per date: the last accepted).
/// </summary>
public sealed record ValueAccepted(Guid CommitmentId, Guid ValueId, DateOnly AsOf, double Value, string? Note, ValueRef? Replaces) : ICommitmentEvent;

/// <summary>The secretariat sent the value back for correction; the comment opens or continues the thread.</summary>
public sealed record ValueReturned(Guid CommitmentId, Guid ValueId, Guid CommentId, string Comment) : ICommitmentEvent;

/// <summary>Its submitter took back a value that was not accepted.</summary>
public sealed record ValueRetracted(Guid CommitmentId, Guid ValueId, ValueState From, string Reason) : ICommitmentEvent;

/// <summary>
/// The secretariat voided a value. When it counted (<see cref="Stood"/>), <see cref="Restored"/> is the earlier accepted
/// value of the same date that counts again, and <see cref="LatestAfter"/> the latest counting value after the void.
/// </summary>
public sealed record ValueVoided(Guid CommitmentId, Guid ValueId, ValueState From, string Reason, ValueRef Voided, bool Stood,
    ValueRef? Restored, ValueRef? LatestAfter) : ICommitmentEvent;

/// <summary>Every event type a commitment's stream holds.</summary>
public static class CommitmentEvents
{
    public static readonly IReadOnlyList<Type> Types = [.. DomainEvents.Types.Where(typeof(ICommitmentEvent).IsAssignableFrom)];

    /// <summary>The translations by language once <paramref name="e"/> is applied.</summary>
    public static IReadOnlyDictionary<string, TextTranslation> WithTranslation(IReadOnlyDictionary<string, TextTranslation>? translations, CommitmentTranslated e) =>
        new Dictionary<string, TextTranslation>(translations ?? new Dictionary<string, TextTranslation>())
        {
            [e.Language] = new(e.Title, e.Description),
        };

    /// <summary>What a fold throws for a commitment event it was not written for.</summary>
    public static InvalidOperationException Unhandled(object e, string consumer) =>
        new($"{consumer} does not handle {e.GetType().Name}.");
}
