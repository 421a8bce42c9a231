using System.Collections.Concurrent;
using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;
using Strategy.Domain.Reports;
using Strategy.Infrastructure.Languages;

namespace Strategy.Infrastructure.Reports;

/// <summary>
/// The words and formats of a report's CSV and HTML in one language: Resources/ReportText.resx (English, the source) and
/// its file per language, read for this language's culture, never the thread's, so the same request renders the same on
/// any server. Only how the canonical JSON is shown changes; the JSON and its hash never do.
/// </summary>
public sealed class ReportText : LanguageTexts
{
    private static readonly ResourceManager Resources = new("Strategy.Infrastructure.Reports.Resources.ReportText", typeof(ReportText).Assembly);

    /// <summary>The source language: ISO dates and invariant numbers, as the reports have always been written.</summary>
    public static readonly ReportText English = new("en", CultureInfo.InvariantCulture);

    private ReportText(string lang, CultureInfo culture) : base(Resources, lang, culture) { }

    /// <summary>The texts of a language that has a resource file; any other language gets English.</summary>
    public static ReportText For(string? lang) => Pick(Resources, lang, English, static (l, c) => new ReportText(l, c));

    /// <summary>A status, health, anticipation or attention word of the JSON (its kebab-case key), in this language.</summary>
    public string Word(string key) => Resources.GetString("Word." + key, Culture) ?? key;

    public string Date(DateOnly date) => Format("Format.Date", date);
    public string Date(DateTimeOffset date) => Format("Format.Date", date);
    public string LongDate(DateOnly date) => Format("Format.LongDate", date);
    public string Instant(DateTimeOffset at) => Format("Format.Instant", at);
    public string InstantToMinute(DateTimeOffset at) => Format("Format.InstantToMinute", at);
    public string Number(double value) => Format("Format.Number", value);

    /// <summary>A share (0.65) as a percentage (65 %); a dash when there is none.</summary>
    public string Percent(double? share) => share is { } x ? Format("Format.Percent", x * 100) : "–";

    /// <summary>A method note in this language, where the note is the one the resources know; else as the JSON has it.</summary>
    public (Translated Name, Translated Definition, Translated Source) Method(MethodNote note)
    {
        if (this == English) return (new(note.Name, true), new(note.Formula, true), new(note.Source, true));
        var key = "Method." + note.Name.Replace(' ', '-');
        return (Same(key + ".Name", note.Name), Template(key + ".Definition", note.Formula), Same(key + ".Source", note.Source));
    }

    /// <summary>A row on the calendar, for a language whose dates are not in the Gregorian calendar (Thai's Buddhist Era).</summary>
    public (string Name, string Definition, string Source)? CalendarNote =>
        Culture.DateTimeFormat.Calendar is GregorianCalendar ? null
            : (this["Method.calendar.Name"], this["Method.calendar.Definition"], this["Method.calendar.Source"]);

    /// <summary>Text in this language, or in English (<see cref="InLanguage"/> false) where no translation fits.</summary>
    public readonly record struct Translated(string Text, bool InLanguage);

    private Translated Same(string key, string english) =>
        Resources.GetString(key, CultureInfo.InvariantCulture) == english ? new(this[key], true) : new(english, false);

    /// <summary>
    /// The definitions carry the configured thresholds ({0}, {1} in the resources): the English template, matched against
    /// the JSON's text, gives them back to fill into the translation. A text the template does not match stays English.
    /// </summary>
    private Translated Template(string key, string english)
    {
        if (Resources.GetString(key, CultureInfo.InvariantCulture) is not { } template) return new(english, false);
        var match = Pattern(template).Match(english);
        if (!match.Success) return new(english, false);
        var args = Enumerable.Range(0, 10).TakeWhile(i => match.Groups["p" + i].Success).Select(i => (object?)match.Groups["p" + i].Value).ToArray();
        return new(string.Format(Culture, this[key], args), true);
    }

    private static readonly ConcurrentDictionary<string, Regex> Patterns = new(StringComparer.Ordinal);

    /// <summary>"a {0} b {1} c {0}" as ^a (?&lt;p0&gt;.+?) b (?&lt;p1&gt;.+?) c \k&lt;p0&gt;$.</summary>
    private static Regex Pattern(string template) => Patterns.GetOrAdd(template, static t =>
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pattern = Regex.Replace(Regex.Escape(t), @"\\\{(\d)}", m =>
            seen.Add(m.Groups[1].Value) ? $"(?<p{m.Groups[1].Value}>.+?)" : $"\\k<p{m.Groups[1].Value}>");
        return new Regex("^" + pattern + "$", RegexOptions.CultureInvariant);
    });
}
