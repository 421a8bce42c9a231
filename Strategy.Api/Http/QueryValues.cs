using System.Globalization;

namespace Strategy.Api.Http;

/// <summary>Query-string parsing that names the parameter in its 400, instead of the framework's generic binding failure.</summary>
public static class QueryValues
{
    /// <summary>An ISO 8601 instant; a bare date (YYYY-MM-DD) means the end of that day, UTC.</summary>
    public static DateTimeOffset? Instant(string name, string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return new DateTimeOffset(day.ToDateTime(TimeOnly.MaxValue), TimeSpan.Zero);
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
            return instant;
        throw RejectedException.Invalid(name, "Use an ISO 8601 instant such as 2025-06-30T00:00:00Z, or a date.");
    }

    public static int Int(string name, string? value, int fallback, int min, int max)
    {
        if (string.IsNullOrEmpty(value)) return fallback;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max) return n;
        throw RejectedException.Invalid(name, $"Use a whole number from {min} to {max}.");
    }

    public static long Long(string name, string? value, long fallback)
    {
        if (string.IsNullOrEmpty(value)) return fallback;
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return n;
        throw RejectedException.Invalid(name, "Use a whole number of 0 or more.");
    }

    public static T? Enum<T>(string name, string? value) where T : struct, System.Enum
    {
        if (string.IsNullOrEmpty(value)) return null;
        foreach (var candidate in System.Enum.GetValues<T>())
            if (Json.Kebab(candidate.ToString()) == value) return candidate;
        throw RejectedException.Invalid(name, $"Use one of: {string.Join(", ", System.Enum.GetValues<T>().Select(v => Json.Kebab(v.ToString())))}.");
    }
}
