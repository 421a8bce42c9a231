namespace Strategy.Domain;

/// <summary>
/// Dates a person means ("today", "not in the future", "overdue since") are dates in the member's own time zone;
/// instants stay UTC. A country not listed here, and the system itself, use UTC.
/// </summary>
public static class MemberTime
{
    public const string SecretariatZone = "Asia/Shanghai";

    public static readonly IReadOnlyDictionary<string, string> Zones = new Dictionary<string, string>
    {
        ["KH"] = "Asia/Bangkok",
        ["LA"] = "Asia/Bangkok",
        ["TH"] = "Asia/Bangkok",
        ["VN"] = "Asia/Bangkok",
        ["MM"] = "Asia/Yangon",
        ["CN"] = "Asia/Shanghai",
    };

    private static readonly Dictionary<string, TimeZoneInfo> Resolved = Zones.Values.Append(SecretariatZone).Distinct()
        .ToDictionary(z => z, TimeZoneInfo.FindSystemTimeZoneById);

    public static string ZoneOf(string? country) => country is not null && Zones.TryGetValue(country, out var zone) ? zone : "UTC";

    /// <summary>The calendar date in <paramref name="country"/> at <paramref name="now"/>.</summary>
    public static DateOnly Today(string? country, DateTimeOffset now) => DateIn(ZoneOf(country), now);

    /// <summary>The calendar date at the secretariat's seat.</summary>
    public static DateOnly SecretariatToday(DateTimeOffset now) => DateIn(SecretariatZone, now);

    /// <summary>The day an actor means by "today": its country's, or the secretariat's for everyone else.</summary>
    public static DateOnly TodayFor(Actor actor, DateTimeOffset now) =>
        actor.Role == Role.FocalPoint ? Today(actor.Country, now) : SecretariatToday(now);

    /// <summary>The calendar date in <paramref name="zone"/> (one of <see cref="Zones"/>, the secretariat's, or UTC) at an instant.</summary>
    public static DateOnly DateIn(string zone, DateTimeOffset now) =>
        zone == "UTC" ? DateOnly.FromDateTime(now.UtcDateTime) : DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Resolved[zone]).DateTime);

    /// <summary>
    /// The last instant of <paramref name="date"/> in <paramref name="zone"/>: a microsecond before the next day begins
    /// there, the precision events are stamped with, so that everything recorded on that day falls at or before it.
    /// </summary>
    public static DateTimeOffset EndOfDay(string zone, DateOnly date)
    {
        var next = date.AddDays(1).ToDateTime(TimeOnly.MinValue);
        var offset = zone == "UTC" ? TimeSpan.Zero : Resolved[zone].GetUtcOffset(next);
        return new DateTimeOffset(next, offset).AddTicks(-TimeSpan.TicksPerMicrosecond).ToUniversalTime();
    }
}
