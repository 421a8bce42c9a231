using System.Globalization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Strategy.Api.Http;

/// <summary>
/// Writes <see cref="MemberLimits"/> into the OpenAPI document's schemas, lists as required only what request bodies
/// require (<see cref="RequestLimits.Required"/>; every other member may be left out or null), and bounds what the
/// table does not name by its form: identifiers, dates and instants by their length, integers by their format
/// (every integer the API reads or writes is 0 or more).
/// </summary>
public sealed class OpenApiLimits : IOpenApiSchemaTransformer
{
    private const int UuidLength = 36;
    private const int DateLength = 10;
    private const int InstantLength = 40;

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo is { } property && !IsReportContent(property.DeclaringType))
        {
            var declaring = property.DeclaringType;
            if (Is(schema, JsonSchemaType.String) && schema.Enum is not { Count: > 0 } && MemberLimits.ForString(declaring, property.Name) is { } text)
                Apply(schema, text);
            if (Is(schema, JsonSchemaType.Array))
            {
                if (MemberLimits.ForList(property.Name) is { } max) schema.MaxItems = max;
                if (schema.Items is OpenApiSchema { } items && Is(items, JsonSchemaType.String) && MemberLimits.ForItem(property.Name) is { } item)
                    Apply(items, item);
            }
        }
        else if (RequestLimits.IsBodyType(context.JsonTypeInfo.Type) && RequestTypes.Contains(context, context.JsonTypeInfo.Type))
        {
            schema.Required = new HashSet<string>(RequestLimits.Required(context.JsonTypeInfo.Type));
        }
        if (context.JsonPropertyInfo is null && context.JsonTypeInfo.Type == typeof(Microsoft.AspNetCore.Mvc.ProblemDetails)) DescribeProblem(schema);
        // An uploaded file: the multipart part the evidence upload reads, at most EvidenceDecisions.MaxBytes.
        if (context.JsonTypeInfo.Type == typeof(IFormFile)) schema.MaxLength = (int)Strategy.Domain.Commitments.EvidenceDecisions.MaxBytes;
        ByForm(schema);
        if (schema.Items is OpenApiSchema list) ByForm(list);
        return Task.CompletedTask;
    }

    /// <summary>The members every problem document of this API carries beside RFC 9457's (ProblemExceptionHandler, ServiceSetup).</summary>
    private static void DescribeProblem(OpenApiSchema schema)
    {
        schema.AdditionalPropertiesAllowed = true;
        schema.AdditionalProperties = null;
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        schema.Properties["traceId"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String, MaxLength = 128, Description = "The W3C trace id of the request, as logged.",
        };
        schema.Properties["errors"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object, MaxProperties = ProblemExceptionHandler.MaxErrorFields,
            Description = "For 400: what is wrong, by member path (goals[2].title), in plain words.",
            AdditionalProperties = new OpenApiSchema
            {
                Type = JsonSchemaType.Array, MaxItems = ProblemExceptionHandler.MaxErrorsPerField,
                Items = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = Strategy.Domain.Codes.MaxTextLength },
            },
        };
    }

    /// <summary>
    /// A report's content: written by the service from a plan and its history, as long as they are, never accepted from
    /// a caller. The table's member names mean other things there (a report's outcomes are all of a plan's), so it is
    /// not applied.
    /// </summary>
    private static bool IsReportContent(Type type) => type.Namespace == typeof(Strategy.Domain.Reports.ProgressReportContent).Namespace;

    public static void Apply(OpenApiSchema schema, TextLimit limit)
    {
        schema.MaxLength = limit.MaxLength;
        if (limit.Pattern is { } pattern) schema.Pattern = pattern;
        if (limit.Format is { } format) schema.Format = format;
    }

    /// <summary>Limits that follow from a value's form, for schemas the table leaves unbounded.</summary>
    public static void ByForm(OpenApiSchema schema)
    {
        if (Is(schema, JsonSchemaType.String) && schema.MaxLength is null && schema.Enum is not { Count: > 0 })
            schema.MaxLength = schema.Format switch
            {
                "uuid" => UuidLength,
                "date" => DateLength,
                "date-time" => InstantLength,
                _ => null,
            };
        if (Is(schema, JsonSchemaType.Integer))
        {
            schema.Format ??= "int32";
            schema.Minimum ??= "0";
            schema.Maximum ??= (schema.Format == "int64" ? long.MaxValue : int.MaxValue).ToString(CultureInfo.InvariantCulture);
        }
    }

    public static bool Is(OpenApiSchema schema, JsonSchemaType type) => schema.Type is { } t && (t & type) == type;
}

/// <summary>The types endpoints accept as JSON bodies, and the types nested in them, found once from the endpoints.</summary>
internal static class RequestTypes
{
    private static HashSet<Type>? known;

    public static bool Contains(OpenApiSchemaTransformerContext context, Type type) => (known ??= Find(context.ApplicationServices)).Contains(type);

    private static HashSet<Type> Find(IServiceProvider services)
    {
        var found = new HashSet<Type>();
        var endpoints = services.GetRequiredService<EndpointDataSource>().Endpoints;
        foreach (var accepts in endpoints.SelectMany(e => e.Metadata.OfType<IAcceptsMetadata>()))
            if (accepts.RequestType is { } type && accepts.ContentTypes.Any(c => c.Contains("json", StringComparison.Ordinal))) Add(type);
        return found;

        void Add(Type type)
        {
            if (!RequestLimits.IsBodyType(type) || !found.Add(type)) return;
            foreach (var p in type.GetProperties())
                Add(RequestLimits.ItemType(p.PropertyType) ?? Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType);
        }
    }
}
