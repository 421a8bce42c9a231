namespace Strategy.Domain;

/// <summary>A text's title (and description, where the text has one) in one language.</summary>
public sealed record TextTranslation(string Title, string? Description = null);

/// <summary>
/// The languages texts are written in: English, the source every text has, and the members' languages a text may be
/// translated into (BCP 47 primary subtags).
/// </summary>
public static class Translations
{
    public const string Source = "en";

    public static readonly IReadOnlyList<string> Members = ["km", "lo", "my", "th", "vi", "zh"];

    /// <summary>Every language the service speaks: the source first, then the members'.</summary>
    public static readonly IReadOnlyList<string> All = [Source, .. Members];

    public static Rejection? CheckLanguage(string field, string? language) =>
        language == Source ? Rejection.Invalid(field, "English is the source language: change the text itself (a revision), not a translation.")
        : language is not null && Members.Contains(language) ? null
        : Rejection.Invalid(field, $"Use one of {string.Join(", ", Members)}.");

    /// <summary>A translation's own rules: a title, and a description only where the text has one.</summary>
    public static Rejection? CheckText(string field, TextTranslation? text, bool hasDescription)
    {
        if (text is null) return Rejection.Invalid(field, "Required.");
        if (Codes.CheckTitle(field + ".title", text.Title) is { } badTitle) return badTitle;
        if (!hasDescription && text.Description is not null)
            return Rejection.Invalid(field + ".description", "This text has no description to translate.");
        return Codes.CheckText(field + ".description", text.Description);
    }

    /// <summary>The text trimmed as it is stored; an empty description is none.</summary>
    public static TextTranslation Normal(TextTranslation text) =>
        new(text.Title.Trim(), string.IsNullOrWhiteSpace(text.Description) ? null : text.Description);
}
