using System.Collections;
using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using Strategy.Domain;

namespace Strategy.Api.Http;

/// <summary>
/// Holds every request body to <see cref="MemberLimits"/> before a handler reads it
/// (<see cref="Pipeline.RequestLimitsBehaviour{TMessage, TResponse}"/>): a string over its length or off its pattern, or
/// a list with too many items, gets a 400 naming the member (goals[2].outcomes[0].title). The same table is what the
/// OpenAPI document shows, so what the document promises is what the server enforces. Every string, limited or not,
/// dictionary keys included, is refused if it holds a NUL: PostgreSQL would refuse it mid-statement, and a statement
/// batch that fails that way has left a pooled connection out of step with the server (the next request on it failed).
/// </summary>
public static class RequestLimits
{
    private sealed record Member(PropertyInfo Property, string Name, TextLimit? Text, int? MaxItems, TextLimit? ItemText, bool Nested, bool NestedItems);

    private static readonly ConcurrentDictionary<Type, Member[]> Members = new();

    /// <summary>The types clients send as JSON bodies and the types nested in them: records of this assembly.</summary>
    public static bool IsBodyType(Type type) => type.Assembly == typeof(RequestLimits).Assembly && type.IsClass && !type.IsAbstract;

    /// <summary>The member names a body type requires (<see cref="RequiredAttribute"/>), as the document lists them.</summary>
    public static IEnumerable<string> Required(Type type) =>
        type.GetProperties().Where(p => p.GetCustomAttribute<RequiredAttribute>() is not null).Select(p => JsonName(p.Name));

    public static string JsonName(string member) => JsonNamingPolicy.CamelCase.ConvertName(member);

    public static void Check(object body)
    {
        if (Find(body, "") is { } rejection) throw new RejectedException(rejection);
    }

    private static Rejection? Find(object value, string prefix)
    {
        foreach (var m in Members.GetOrAdd(value.GetType(), Describe))
        {
            var field = prefix + m.Name;
            switch (m.Property.GetValue(value))
            {
                case null:
                    break;
                case string text:
                    if (CheckText(field, text, m.Text) is { } bad) return bad;
                    break;
                case IDictionary map:
                    foreach (DictionaryEntry entry in map)
                    {
                        var at = $"{field}.{entry.Key}";
                        if (entry.Key is string key && key.Contains('\0')) return Rejection.Invalid(field, Codes.NulRule);
                        if (entry.Value is string s && s.Contains('\0')) return Rejection.Invalid(at, Codes.NulRule);
                        if (entry.Value is { } v && v is not string && IsBodyType(v.GetType()) && Find(v, at + ".") is { } badEntry) return badEntry;
                    }
                    break;
                case IList list:
                    if (m.MaxItems is { } max && list.Count > max) return Rejection.Invalid(field, Codes.TooMany(max));
                    for (var i = 0; i < list.Count; i++)
                    {
                        var item = list[i];
                        if (item is string s && CheckText($"{field}[{i}]", s, m.ItemText) is { } badItem) return badItem;
                        if (item is not null && m.NestedItems && Find(item, $"{field}[{i}].") is { } badNested) return badNested;
                    }
                    break;
                case { } nested when m.Nested:
                    if (Find(nested, field + ".") is { } inner) return inner;
                    break;
            }
        }
        return null;
    }

    private static Rejection? CheckText(string field, string text, TextLimit? limit) =>
        text.Contains('\0') ? Rejection.Invalid(field, Codes.NulRule)
        : limit is null ? null
        : text.Length > limit.MaxLength ? Rejection.Invalid(field, Codes.TooLong(limit.MaxLength))
        // Empty and blank values are left to the rules that say what is required.
        : limit.Pattern is { } pattern && !string.IsNullOrWhiteSpace(text) && !Patterns.GetOrAdd(pattern, Compile).IsMatch(text)
            ? Rejection.Invalid(field, limit.Rule ?? $"Must match {pattern}.")
            : null;

    private static readonly ConcurrentDictionary<string, System.Text.RegularExpressions.Regex> Patterns = new();

    // ECMAScript semantics, as JSON Schema defines patterns: $ does not match before a final newline there.
    private static System.Text.RegularExpressions.Regex Compile(string pattern) =>
        new(pattern.EndsWith('$') ? pattern[..^1] + @"\z" : pattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static Member[] Describe(Type type) =>
    [
        .. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0)
            .Select(p =>
            {
                var name = JsonName(p.Name);
                var itemType = ItemType(p.PropertyType);
                return new Member(p, name,
                    p.PropertyType == typeof(string) ? MemberLimits.ForString(type, name) : null,
                    itemType is null ? null : MemberLimits.ForList(name),
                    itemType == typeof(string) ? MemberLimits.ForItem(name) : null,
                    itemType is null && IsBodyType(p.PropertyType),
                    itemType is not null && IsBodyType(itemType));
            }),
    ];

    public static Type? ItemType(Type type) =>
        type == typeof(string) ? null
        : type.IsArray ? type.GetElementType()
        : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[0]
        : null;
}
