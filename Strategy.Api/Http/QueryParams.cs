using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Strategy.Api.Http;

/// <summary>
/// A query parameter an endpoint reads itself, described once: what it accepts is what <see cref="Read"/> refuses with a
/// 400 naming it, and what the OpenAPI document shows (<see cref="OpenApiConventions.Query"/>).
/// </summary>
public abstract record QueryParam(string Name, string Description)
{
    public abstract OpenApiSchema Schema();
}

/// <summary>A whole number from <paramref name="Min"/> to <paramref name="Max"/>; <paramref name="Default"/> when absent.</summary>
public sealed record IntQuery(string Name, int Default, int Min, int Max, string Description) : QueryParam(Name, Description)
{
    public int Read(string? value) => QueryValues.Int(Name, value, Default, Min, Max);

    public int Read(HttpRequest request) => Read(request.Query[Name].ToString());

    public override OpenApiSchema Schema() => new()
    {
        Type = JsonSchemaType.Integer, Format = "int32", Minimum = Text(Min), Maximum = Text(Max),
        Default = Default >= Min && Default <= Max ? JsonValue.Create(Default) : null,
    };

    private static string Text(long n) => n.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A sequence: a whole number of 0 or more; <paramref name="Default"/> when absent.</summary>
public sealed record SequenceQuery(string Name, long Default, string Description) : QueryParam(Name, Description)
{
    public long Read(string? value) => QueryValues.Long(Name, value, Default);

    public override OpenApiSchema Schema() => new()
    {
        Type = JsonSchemaType.Integer, Format = "int64", Minimum = "0", Maximum = long.MaxValue.ToString(CultureInfo.InvariantCulture),
        Default = JsonValue.Create(Default),
    };
}

/// <summary>One of a fixed set of words (an enum's kebab-case names, a format, true/false).</summary>
public sealed record ChoiceQuery(string Name, IReadOnlyList<string> Values, string Description) : QueryParam(Name, Description)
{
    public static ChoiceQuery Of<T>(string name, string description) where T : struct, Enum =>
        new(name, [.. Enum.GetValues<T>().Select(v => Json.Kebab(v.ToString()))], description);

    public override OpenApiSchema Schema() => new()
    {
        Type = JsonSchemaType.String, Enum = [.. Values.Select(v => (JsonNode)JsonValue.Create(v))],
    };
}

/// <summary>Free text held to a <see cref="TextLimit"/> (a code, a country, an instant).</summary>
public sealed record TextQuery(string Name, TextLimit Limit, string Description) : QueryParam(Name, Description)
{
    public override OpenApiSchema Schema()
    {
        var schema = new OpenApiSchema { Type = JsonSchemaType.String };
        OpenApiLimits.Apply(schema, Limit);
        return schema;
    }
}

/// <summary>The query parameters several endpoints share.</summary>
public static class Queries
{
    public static readonly IntQuery Page = new("page", 1, 1, 1_000_000, "The page, from 1; default 1.");
    public static readonly IntQuery PageSize = new("pageSize", 50, 1, 200, "Items a page, 1-200; default 50.");

    /// <summary>An ISO 8601 instant, or a date (the end of that day, UTC).</summary>
    public static TextQuery Instant(string name, string description) => new(name, new TextLimit(40), description);

    public static TextQuery Code(string name, string description) => new(name, MemberLimits.Code, description);

    public static readonly TextQuery Country = new("country", MemberLimits.CountryCode, "An ISO 3166-1 alpha-2 code such as KH.");
}
