namespace Strategy.Domain;

/// <summary>What the units used in the plan allow, and how a commitment's default baseline follows from them.</summary>
public static class Units
{
    /// <summary>
    /// Units that count what a country adds (items, hectares, megawatts): a country's commitment target is its
    /// own contribution, so its baseline defaults to 0 rather than the regional indicator's baseline.
    /// Other units (percent, ug/m3) are levels, whose baseline defaults to the indicator's.
    /// </summary>
    private static readonly HashSet<string> Cumulative = new(StringComparer.OrdinalIgnoreCase) { "count", "hectares", "ha", "MW", "km", "people", "number" };

    private static readonly HashSet<string> NonNegative = new(StringComparer.OrdinalIgnoreCase)
        { "count", "hectares", "ha", "MW", "km", "people", "number", "percent", "%", "ug/m3", "mg/l", "tonnes", "USD" };

    /// <summary>
    /// Far beyond any indicator (hectares of the whole Earth are about 5e10), and small enough that a trend's running
    /// sums of days times values stay finite.
    /// </summary>
    public const double MaxMagnitude = 1e15;

    public static bool IsCumulative(string? unit) => unit is not null && Cumulative.Contains(unit);

    /// <summary>Null when <paramref name="value"/> is acceptable for <paramref name="unit"/>, else why not.</summary>
    public static string? CheckValue(string? unit, double value)
    {
        if (!double.IsFinite(value)) return "Must be a finite number.";
        if (Math.Abs(value) > MaxMagnitude) return "Must be at most 1e15 in magnitude.";
        if (unit is not null && NonNegative.Contains(unit) && value < 0) return $"Must not be negative for unit '{unit}'.";
        if (unit is not null && (unit.Equals("percent", StringComparison.OrdinalIgnoreCase) || unit == "%") && value > 100) return "A percentage must be at most 100.";
        return null;
    }
}
