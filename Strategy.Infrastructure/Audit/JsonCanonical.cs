using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Strategy.Infrastructure.Audit;

/// <summary>
/// RFC 8785, the JSON Canonicalization Scheme (JCS): one text for a JSON value whoever printed it. Object members are
/// sorted by the UTF-16 code units of their names, there is no whitespace, strings are escaped as ECMAScript's
/// JSON.stringify escapes them, and numbers are IEEE doubles printed as ECMAScript's Number.prototype.toString does.
/// </summary>
/// <remarks>
/// One deliberate difference: RFC 8785 rejects a number beyond the double range (such as 1e400); here such a number
/// keeps its text. Every document PostgreSQL can store then has a canonical form, so the audit chain cannot be stopped
/// by one event. Canonicalizing a canonical text gives the same text back.
/// </remarks>
public static class JsonCanonical
{
    // Far deeper than any event; the default (64) is a guard against hostile request bodies, not stored documents.
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 1000 };

    /// <exception cref="FormatException">The text is not one JSON value, or it has a member twice or a lone surrogate.</exception>
    public static string Canonicalize(string json)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(json, Options); }
        catch (JsonException e) { throw new FormatException(e.Message, e); }
        using (document) return Canonicalize(document.RootElement);
    }

    /// <inheritdoc cref="Canonicalize(string)"/>
    // Fully optimized from the first call, as are Write and String: the offline verifier runs for seconds only.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string Canonicalize(JsonElement value)
    {
        // One builder per thread, kept: the chain and the offline verifier canonicalize every event.
        var text = builder ??= new StringBuilder(1024);
        text.Clear();
        try { Write(text, value); }
        // A lone surrogate (\ud800 without its pair) cannot be read as a string: RFC 8785 (I-JSON) excludes it too.
        catch (InvalidOperationException e) { throw new FormatException(e.Message, e); }
        var canonical = text.ToString();
        if (text.Capacity > 1 << 16) builder = null; // not kept for one large document
        return canonical;
    }

    [ThreadStatic] private static StringBuilder? builder;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Write(StringBuilder text, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                // Each name read once: JsonProperty.Name makes a new string on every read, and sorting reads them often.
                var members = new List<(string Name, JsonElement Value)>();
                foreach (var member in value.EnumerateObject()) members.Add((member.Name, member.Value));
                members.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                text.Append('{');
                for (var i = 0; i < members.Count; i++)
                {
                    if (i > 0)
                    {
                        // Which of two values would count is a parser's choice, so JCS admits no duplicate.
                        if (members[i].Name == members[i - 1].Name) throw new FormatException($"The member \"{members[i].Name}\" appears twice.");
                        text.Append(',');
                    }
                    String(text, members[i].Name);
                    text.Append(':');
                    Write(text, members[i].Value);
                }
                text.Append('}');
                break;
            case JsonValueKind.Array:
                text.Append('[');
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!first) text.Append(',');
                    first = false;
                    Write(text, item);
                }
                text.Append(']');
                break;
            case JsonValueKind.String:
                String(text, value.GetString()!);
                break;
            case JsonValueKind.Number:
                // An integer up to 2^53 is exactly a double, which ECMAScript prints as its digits: the common case,
                // without the double's round trip (-0 comes out as 0, as it should).
                if (value.TryGetInt64(out var integer) && Math.Abs(integer) <= 1L << 53)
                {
                    text.Append(integer.ToString(CultureInfo.InvariantCulture));
                    break;
                }
                var raw = value.GetRawText();
                var number = double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
                text.Append(double.IsFinite(number) ? Number(number) : raw);
                break;
            case JsonValueKind.True: text.Append("true"); break;
            case JsonValueKind.False: text.Append("false"); break;
            case JsonValueKind.Null: text.Append("null"); break;
            default: throw new FormatException($"Not a JSON value: {value.ValueKind}.");
        }
    }

    /// <summary>A string as JSON.stringify writes it: only the quote, the backslash and control characters escaped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void String(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case < ' ': text.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)); break;
                default: text.Append(c); break;
            }
        }
        text.Append('"');
    }

    /// <summary>A finite double as ECMAScript's Number.prototype.toString prints it (ECMA-262, Number::toString).</summary>
    public static string Number(double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "JSON has no NaN or Infinity.");
        if (value == 0) return "0"; // -0 too
        // .NET's round-trip form holds the shortest digits that read back as the same double, which is what
        // ECMAScript prints; only their layout differs ("1E+21", "1.5E-07").
        var r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var e = r.IndexOf('E');
        var mantissa = e < 0 ? r : r[..e];
        var exponent = e < 0 ? 0 : int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.');
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        // n: where the decimal point falls after the first digit of s, i.e. value = 0.s x 10^n with s = digits.
        var n = (dot < 0 ? mantissa.Length : dot) + exponent;
        var leading = 0;
        while (digits[leading] == '0') leading++;
        digits = digits[leading..].TrimEnd('0');
        n -= leading;
        var k = digits.Length;

        var text = new StringBuilder(value < 0 ? "-" : "");
        if (k <= n && n <= 21) text.Append(digits).Append('0', n - k);
        else if (0 < n && n <= 21) text.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        else if (-6 < n && n <= 0) text.Append("0.").Append('0', -n).Append(digits);
        else
        {
            text.Append(digits[0]);
            if (k > 1) text.Append('.').Append(digits, 1, k - 1);
            text.Append('e').Append(n - 1 >= 0 ? '+' : '-').Append(Math.Abs(n - 1).ToString(CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }
}
