using System.Globalization;
using Strategy.Api.Http;
using Strategy.Domain;

namespace Strategy.Api.Web;

/// <summary>
/// A past moment a reader asks to see something as it stood: a date typed in a date field, meaning the end of that day in
/// the zone the screen names (a person's date, not UTC's), or an exact instant, which the audit log and the histories link
/// to (the moment a change was recorded).
/// </summary>
/// <param name="Date">The day of <paramref name="Instant"/> in the zone, for the date field.</param>
/// <param name="Exact">An instant was given, not a date.</param>
public sealed record PastMoment(DateTimeOffset Instant, DateOnly Date, bool Exact)
{
    /// <summary>The query parameter the screens take it in.</summary>
    public const string Query = "asOf";

    /// <summary>The moment <paramref name="text"/> names, with dates read in <paramref name="zone"/>; null when it names none.</summary>
    public static PastMoment? Parse(string? text, string zone)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return new(MemberTime.EndOfDay(zone, date), date, false);
        try
        {
            // Instants as the API reads them in its own asOf.
            return QueryValues.Instant(Query, text) is { } instant ? new(instant, MemberTime.DateIn(zone, instant), true) : null;
        }
        catch (RejectedException)
        {
            return null;
        }
    }

    /// <summary>
    /// A screen's address (<paramref name="path"/>, which may have a query) as of an instant, given to the microsecond events
    /// are stamped with: the state just after the change recorded then.
    /// </summary>
    public static string Link(string path, DateTimeOffset instant) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(path, Query,
            instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
}
