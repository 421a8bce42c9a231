using Strategy.Domain.Commitments;

namespace Strategy.Domain.Reports;

/// <summary>A commitment as it stood at the report's instant, with when and by whom it was last changed.</summary>
public sealed record CommitmentSnapshot(Commitment State, DateTimeOffset CreatedAt, DateTimeOffset LastUpdatedAt, string LastUpdatedBy);

/// <summary>What a report was computed from. The same basis and inputs always give the same content.</summary>
/// <param name="EvaluatedOn">The day health is evaluated on: the as-of date, or the day a current report was made.</param>
public sealed record ReportBasis(long EventSequence, string ChainHash, DateOnly EvaluatedOn, long PlanVersion);

public enum ChangeKind { NewCommitment, StatusChange, Withdrawal }

/// <summary>A change to a commitment between the previous report and this one.</summary>
public sealed record CommitmentChange(long Sequence, DateTimeOffset Timestamp, ChangeKind Kind, string Code, string Country, string? From, string? To, string? Reason);

public sealed record PreviousReport(Guid Id, long EventSequence);

public sealed record MethodNote(string Name, string Formula, string Source);

public static class ReportMethod
{
    public static IReadOnlyList<MethodNote> Notes(Progress.HealthThresholds t) =>
    [
        new("progress", "p = (v - b) / (T - b), with v the latest reported value, b the baseline and T the target; when T = b, p = 1 if v is at or better than T, else 0. Means of progress cap p to [0, 1].", "Strategy service"),
        new("expected progress", "e = (t - start) / (due - start), clamped to [0, 1]; start is the plan's start, t the day the report is evaluated on.", "Straight-line trajectory from baseline to target"),
        new("health", $"unknown if withdrawn or cancelled; done if completed; overdue if past due and not completed; unknown without a value; on-track if p >= {t.OnTrack} e; at-risk if p >= {t.AtRisk} e; else off-track.", "Statistics Canada, Sustainable Development Goals Data Hub, progress assessment method (95 % / 60 % bands)"),
        new("anticipated progress", $"With two or more values: least-squares line through (date, value), projected to the due date, r = (v̂(due) - b) / (T - b); on-track if r >= {t.AnticipatedOnTrack}, acceleration-needed if {t.Stagnation} <= r < {t.AnticipatedOnTrack}, else stagnation-or-regression.", "United Nations Statistics Division, SDG Progress Chart 2023, technical note"),
        new("needs attention", "Off-track, overdue, or no update (no event on the commitment) in the 180 days before the evaluation day.", "Strategy service"),
    ];

    public static double Round(double v) => Math.Round(v, 4, MidpointRounding.AwayFromZero);
    public static double? Round(double? v) => v is { } x ? Round(x) : null;
}
