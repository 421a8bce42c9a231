namespace Strategy.Domain.Progress;

/// <summary>
/// The inputs of a least-squares line through (date, value) as running sums, so a read model keeps a fixed size however
/// many values it has seen; a value that stops counting is taken out again. t is in days since <c>origin</c> (the
/// plan's start), which keeps the sums small enough that t² loses no precision.
/// </summary>
public sealed record Trend(int N = 0, double SumT = 0, double SumV = 0, double SumTT = 0, double SumTV = 0)
{
    public static readonly Trend Empty = new();

    public Trend Add(DateOnly origin, DateOnly asOf, double value) => Step(origin, asOf, value, +1);

    public Trend Remove(DateOnly origin, DateOnly asOf, double value) => N <= 1 ? Empty : Step(origin, asOf, value, -1);

    private Trend Step(DateOnly origin, DateOnly asOf, double value, int sign)
    {
        double t = asOf.DayNumber - origin.DayNumber;
        return new Trend(N + sign, SumT + sign * t, SumV + sign * value, SumTT + sign * t * t, SumTV + sign * t * value);
    }

    public static Trend Of(DateOnly origin, IEnumerable<(DateOnly AsOf, double Value)> values) =>
        values.Aggregate(Empty, (trend, v) => trend.Add(origin, v.AsOf, v.Value));

    /// <summary>The line's value at <paramref name="at"/>; null with fewer than two dates.</summary>
    public double? ValueAt(DateOnly origin, DateOnly at)
    {
        if (N < 2) return null;
        var meanT = SumT / N;
        var meanV = SumV / N;
        var sxx = SumTT - SumT * meanT;
        var sxy = SumTV - SumT * meanV;
        // One value per date, so two values mean a spread of at least a day; below that only rounding is left.
        if (sxx < 0.5) return null;
        return meanV + sxy / sxx * (at.DayNumber - origin.DayNumber - meanT);
    }
}
