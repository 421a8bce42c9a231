using Strategy.Domain.Commitments;


namespace Strategy.Domain.Progress;

/// <summary>Progress, expected progress, health and anticipated progress of a commitment.</summary>
public static class ProgressMath
{
    /// <summary>
    /// p = (v - b) / (T - b). Works for indicators that should go down (both differences are negative).
    /// When the target equals the baseline (hold a level), p is 1 if the value is at or better than the target, else 0.
    /// Null when it cannot be computed: finite inputs near the limits of a double can overflow to infinity or NaN.
    /// </summary>
    public static double? Ratio(double? baseline, double? target, double value, bool shouldDecrease)
    {
        if (baseline is not { } b || target is not { } t) return null;
        if (t == b) return (shouldDecrease ? value <= t : value >= t) ? 1 : 0;
        var p = (value - b) / (t - b);
        return double.IsFinite(p) ? p : null;
    }

    /// <summary>e = (t - start) / (due - start), clamped to [0, 1].</summary>
    public static double Expected(DateOnly start, DateOnly due, DateOnly at)
    {
        var span = due.DayNumber - start.DayNumber;
        if (span <= 0) return at >= due ? 1 : 0;
        return Math.Clamp((double)(at.DayNumber - start.DayNumber) / span, 0, 1);
    }

    /// <summary>
    /// unknown for withdrawn or cancelled commitments (no longer pursued); done when completed; overdue past due
    /// and not completed; unknown without a value; otherwise on-track, at-risk or off-track by
    /// comparing p with the thresholds times e.
    /// </summary>
    public static Health HealthOf(CommitmentStatus status, bool withdrawn, DateOnly start, DateOnly due, double? progress, DateOnly at, HealthThresholds thresholds)
    {
        if (withdrawn) return Health.Unknown;
        if (status == CommitmentStatus.Completed) return Health.Done;
        if (status == CommitmentStatus.Cancelled) return Health.Unknown;
        if (at > due) return Health.Overdue;
        if (progress is not { } p) return Health.Unknown;
        var e = Expected(start, due, at);
        if (p >= thresholds.OnTrack * e) return Health.OnTrack;
        if (p >= thresholds.AtRisk * e) return Health.AtRisk;
        return Health.OffTrack;
    }

    public static Health HealthOf(CommitmentSummary c, DateOnly at, HealthThresholds thresholds) =>
        HealthOf(c.Status, c.Withdrawn, c.Start, c.Due, c.Progress, at, thresholds);

    /// <summary>
    /// With two or more values on distinct dates: the least-squares line through (date, value), read at the due
    /// date, as progress r = (v̂(due) - b) / (T - b). Null when it cannot be computed.
    /// </summary>
    public static double? AnticipatedRatio(Trend trend, DateOnly origin, double? baseline, double? target, DateOnly due, bool shouldDecrease) =>
        baseline is null || target is null || trend.ValueAt(origin, due) is not { } projected
            ? null
            : Ratio(baseline, target, projected, shouldDecrease);

    /// <summary>The same from the values themselves.</summary>
    public static double? AnticipatedRatio(IReadOnlyList<Measurement> values, double? baseline, double? target, DateOnly due, bool shouldDecrease)
    {
        var origin = values.Count == 0 ? due : values[0].AsOf;
        return AnticipatedRatio(Trend.Of(origin, values.Select(v => (v.AsOf, v.Value))), origin, baseline, target, due, shouldDecrease);
    }

    public static Anticipation? Anticipate(double? anticipatedRatio, HealthThresholds thresholds) => anticipatedRatio switch
    {
        null => null,
        var r when r >= thresholds.AnticipatedOnTrack => Anticipation.OnTrack,
        var r when r >= thresholds.Stagnation => Anticipation.AccelerationNeeded,
        _ => Anticipation.StagnationOrRegression,
    };
}
