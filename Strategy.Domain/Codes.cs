using System.Text.RegularExpressions;

namespace Strategy.Domain;

public static partial class Codes
{
    public const int MaxTitleLength = 500;
    public const int MaxTextLength = 4000;

    /// <summary>
    /// Plan, goal, outcome, indicator and commitment codes: safe in URLs, CSV and file names. \A and \z, not ^ and $:
    /// $ also matches before a final newline, which would let "KH-1\n" pass as a second code that looks like "KH-1".
    /// </summary>
    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._\-]{0,63}\z")]
    public static partial Regex Code();

    /// <summary>ISO 3166-1 alpha-2.</summary>
    [GeneratedRegex(@"\A[A-Z]{2}\z")]
    public static partial Regex CountryCode();

    public static Rejection? CheckCode(string field, string? value) =>
        string.IsNullOrWhiteSpace(value) ? Rejection.Invalid(field, "Required.")
        : Code().IsMatch(value) ? null
        : Rejection.Invalid(field, "Use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.");

    public static Rejection? CheckTitle(string field, string? value) =>
        string.IsNullOrWhiteSpace(value) ? Rejection.Invalid(field, "Must not be empty.")
        : value.Length > MaxTitleLength ? Rejection.Invalid(field, $"Must be at most {MaxTitleLength} characters.")
        : null;

    public static Rejection? CheckText(string field, string? value, bool required = false) =>
        string.IsNullOrWhiteSpace(value) ? (required ? Rejection.Invalid(field, "Must not be empty.") : null)
        : value.Length > MaxTextLength ? Rejection.Invalid(field, $"Must be at most {MaxTextLength} characters.")
        : null;

    public static Rejection? CheckFinite(string field, double? value) =>
        value is { } v && !double.IsFinite(v) ? Rejection.Invalid(field, "Must be a finite number.") : null;
}
