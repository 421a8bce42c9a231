using System.Collections.Concurrent;
using System.Globalization;
using System.Resources;
using Strategy.Domain;

namespace Strategy.Infrastructure.Languages;

/// <summary>
/// The texts of one resource (an English .resx, the source, and its file per member language) in one language, with the
/// culture its dates and numbers are written in: the language's own, never the thread's, so the same text renders the
/// same on any server. Reports and mail each read their own resource through one of these.
/// </summary>
public abstract class LanguageTexts
{
    private readonly ResourceManager resources;

    protected LanguageTexts(ResourceManager resources, string lang, CultureInfo culture) => (this.resources, Lang, Culture) = (resources, lang, culture);

    /// <summary>The BCP 47 language of the texts (<c>en</c>, <c>km</c>, ...), as an HTML <c>lang</c> says.</summary>
    public string Lang { get; }

    /// <summary>
    /// English: the invariant culture. A member language: its usual region (km-KH, lo-LA, my-MM, th-TH, vi-VN, zh-CN) for
    /// numbers and dates; th-TH counts years in the Buddhist Era, as Thai government documents do.
    /// </summary>
    public CultureInfo Culture { get; }

    /// <summary>The text of <paramref name="key"/> in this language, English where the language file lacks it.</summary>
    public string this[string key] =>
        resources.GetString(key, Culture) ?? throw new InvalidOperationException($"{resources.BaseName} has no '{key}'.");

    /// <summary>The text of <paramref name="key"/> as a format, its arguments formatted in this language's culture.</summary>
    public string Format(string key, params object?[] args) => string.Format(Culture, this[key], args);

    private static readonly ConcurrentDictionary<(string Resource, string Lang), LanguageTexts> Known = new();

    /// <summary>
    /// The texts of <paramref name="lang"/> where <paramref name="resources"/> has a file for it (made once and kept);
    /// <paramref name="english"/> for English, no language, or one without a file.
    /// </summary>
    protected static T Pick<T>(ResourceManager resources, string? lang, T english, Func<string, CultureInfo, T> make) where T : LanguageTexts
    {
        if (string.IsNullOrEmpty(lang) || lang == Translations.Source) return english;
        return (T)Known.GetOrAdd((resources.BaseName, lang), key =>
        {
            var translated = resources.GetResourceSet(CultureInfo.GetCultureInfo(key.Lang), createIfNotExists: true, tryParents: false) is not null;
            return translated ? make(key.Lang, CultureInfo.GetCultureInfo(CultureInfo.CreateSpecificCulture(key.Lang).Name)) : english;
        });
    }
}
