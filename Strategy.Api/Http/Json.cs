using System.Text.Json;
using System.Text.Json.Serialization;

namespace Strategy.Api.Http;

public static class Json
{
    /// <summary>The API's JSON: camelCase, enums as kebab-case strings, unknown and duplicated members refused (a typo is an error, not a no-op).</summary>
    public static void Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.DictionaryKeyPolicy = null;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        o.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        o.NumberHandling = JsonNumberHandling.Strict;
        o.MaxDepth = 32;
        // A member given twice is refused, not "last one wins": a proxy or log that reads the first would see another request.
        o.AllowDuplicateProperties = false;
    }

    public static string Kebab(string name) => JsonNamingPolicy.KebabCaseLower.ConvertName(name);
}
