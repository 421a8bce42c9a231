using System.Globalization;
using Strategy.Domain.Commitments;

namespace Strategy.Domain.Reports;

/// <summary>A commitment as it stood at the report's instant, with when and by whom it was last changed.</summary>
public sealed record CommitmentSnapshot(CommitmentSummary State, DateTimeOffset CreatedAt, DateTimeOffset LastUpdatedAt, string LastUpdatedBy);

/// <summary>What a report was computed from. The same basis and inputs always give the same content.</summary>
/// <param name="EvaluatedOn">The day health is evaluated on: the as-of date, or the day a current report was made.</param>
public sealed record ReportBasis(long EventSequence, string ChainHash, DateOnly EvaluatedOn, long PlanVersion);

public enum ChangeKind { NewCommitment, StatusChange, Withdrawal, Restoration }

/// <summary>A change to a commitment between the previous report and this one.</summary>
public sealed record CommitmentChange(long Sequence, DateTimeOffset Timestamp, ChangeKind Kind, string Code, string Country, string? From, string? To, string? Reason);

/// <summary>Which commitment events a progress report lists as changes since the previous report, and how.</summary>
public static class CommitmentChanges
{
    /// <summary>Every commitment event type answers here, so a new one cannot be left out of reports unnoticed.</summary>
    public static ChangeKind? KindOf(Type eventType) => eventType switch
    {
        _ when eventType == typeof(CommitmentMade) => ChangeKind.NewCommitment,
        _ when eventType == typeof(CommitmentStatusChanged) || eventType == typeof(CommitmentReopened) => ChangeKind.StatusChange,
        _ when eventType == typeof(CommitmentWithdrawn) => ChangeKind.Withdrawal,
        _ when eventType == typeof(CommitmentRestored) => ChangeKind.Restoration,
        _ when eventType == typeof(CommitmentRevised) || eventType == typeof(CommitmentTranslated) || eventType == typeof(ValueSubmitted) || eventType == typeof(ValueAccepted)
            || eventType == typeof(ValueReturned) || eventType == typeof(ValueRetracted) || eventType == typeof(ValueVoided) => null,
        _ => throw new InvalidOperationException($"Reports do not say whether {eventType.Name} is a change to list."),
    };

    public static CommitmentChange? From(long sequence, DateTimeOffset at, ICommitmentEvent e, CommitmentSummary c) => e switch
    {
        CommitmentMade m => new(sequence, at, ChangeKind.NewCommitment, m.Code, m.Country, null, null, null),
        CommitmentStatusChanged s => new(sequence, at, ChangeKind.StatusChange, c.Code, c.Country, CommitmentDecisions.Kebab(s.From), CommitmentDecisions.Kebab(s.To), s.Note),
        CommitmentReopened r => new(sequence, at, ChangeKind.StatusChange, c.Code, c.Country, CommitmentDecisions.Kebab(r.From), CommitmentDecisions.Kebab(r.To), r.Reason),
        CommitmentWithdrawn w => new(sequence, at, ChangeKind.Withdrawal, c.Code, c.Country, null, null, w.Reason),
        CommitmentRestored r => new(sequence, at, ChangeKind.Restoration, c.Code, c.Country, null, null, r.Reason),
        _ => KindOf(e.GetType()) is null ? null : throw new InvalidOperationException($"No change is built from {e.GetType().Name}."),
    };
}

public sealed record PreviousReport(Guid Id, long EventSequence);

public sealed record MethodNote(string Name, string Formula, string Source);

public static class ReportMethod
{
    /// <summary>
    /// The notes in English, part of the canonical JSON (thresholds written invariantly, whatever the host's locale). The
    /// report's HTML translates them from Strategy.Infrastructure/Reports/Resources/ReportText.resx, whose English
    /// templates must stay these texts.
    /// </summary>
    public static IReadOnlyList<MethodNote> Notes(Progress.HealthThresholds t) =>
    [
        new("progress", "p = (v - b) / (T - b), with v the latest value the secretariat accepted, b the baseline and T the target; when T = b, p = 1 if v is at or better than T, else 0. Values awaiting review do not count. Means of progress cap p to [0, 1].", "Strategy service"),
        new("expected progress", "e = (t - start) / (due - start), clamped to [0, 1]; start is the commitment's start (the day it was made, or the plan's start for the plan's own commitments), t the day the report is evaluated on.", "Straight-line trajectory from baseline to target"),
        new("health", string.Create(CultureInfo.InvariantCulture, $"unknown if withdrawn or cancelled; done if completed; overdue if past due and not completed; unknown without a value; on-track if p >= {t.OnTrack} e; at-risk if p >= {t.AtRisk} e; else off-track."),
            "Adapted from Statistics Canada's SDG progress assessment method (Sustainable Development Goals Data Hub): its 95 % / 60 % cut-offs apply there to the ratio of observed to required growth rates; here to progress p against expected progress e, and its two lowest classes are merged into off-track"),
        new("anticipated progress", string.Create(CultureInfo.InvariantCulture, $"With two or more accepted values: least-squares line through (date, value), projected to the due date, r = (v̂(due) - b) / (T - b); on-track if r >= {t.AnticipatedOnTrack}, acceleration-needed if {t.Stagnation} <= r < {t.AnticipatedOnTrack}, else stagnation-or-regression."),
            "Adapted from the United Nations Statistics Division's SDG Progress Chart 2023 technical note: its bands apply there to a target's projected progress at 2030 from the indicator's trend; here to one commitment's values projected to its due date"),
        new("needs attention", "Off-track, overdue, or no update (no event on the commitment) in the 180 days before the evaluation day.", "Strategy service"),
    ];

    public static double Round(double v) => Math.Round(v, 4, MidpointRounding.AwayFromZero);
    public static double? Round(double? v) => v is { } x ? Round(x) : null;
}
