using System.Text.RegularExpressions;

namespace Strategy.Domain;

public static partial class Codes
{
    public const int MaxCodeLength = 64;
    public const int MaxTitleLength = 500;
    public const int MaxTextLength = 4000;
    public const int MaxUnitLength = 32;
    public const int MaxUrlLength = 2000;

    /// <summary>The code rule without anchors, so .NET (\A, \z) and JSON Schema (^, $, ECMA-262) each anchor it their own way.</summary>
    public const string CodeBody = @"[A-Za-z0-9][A-Za-z0-9._\-]{0,63}";
    public const string CountryCodeBody = "[A-Z]{2}";
    public const string CodeRule = "Use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.";

    /// <summary>
    /// Plan, goal, outcome, indicator and commitment codes: safe in URLs, CSV and file names. \A and \z, not ^ and $:
    /// $ also matches before a final newline, which would let "KH-1\n" pass as a second code that looks like "KH-1".
    /// </summary>
    [GeneratedRegex(@"\A" + CodeBody + @"\z")]
    public static partial Regex Code();

    /// <summary>ISO 3166-1 alpha-2.</summary>
    [GeneratedRegex(@"\A" + CountryCodeBody + @"\z")]
    public static partial Regex CountryCode();

    public static Rejection? CheckCode(string field, string? value) =>
        string.IsNullOrWhiteSpace(value) ? Rejection.Invalid(field, "Required.")
        : Code().IsMatch(value) ? null
        : Rejection.Invalid(field, CodeRule);

    public static Rejection? CheckTitle(string field, string? value) =>
        string.IsNullOrWhiteSpace(value) ? Rejection.Invalid(field, "Must not be empty.")
        : value.Length > MaxTitleLength ? Rejection.Invalid(field, TooLong(MaxTitleLength))
        : null;

    public static Rejection? CheckText(string field, string? value, bool required = false) =>
        string.IsNullOrWhiteSpace(value) ? (required ? Rejection.Invalid(field, "Must not be empty.") : null)
        : value.Length > MaxTextLength ? Rejection.Invalid(field, TooLong(MaxTextLength))
        : null;

    public static string TooLong(int max) => $"Must be at most {max} characters.";

    /// <summary>PostgreSQL stores no NUL in text or jsonb; refused before a statement carries one.</summary>
    public const string NulRule = "Must not contain a NUL character (\\u0000): it cannot be stored.";

    public static string TooMany(int max) => $"At most {max} items.";

    public static Rejection? CheckFinite(string field, double? value) =>
        value is { } v && !double.IsFinite(v) ? Rejection.Invalid(field, "Must be a finite number.") : null;
}
