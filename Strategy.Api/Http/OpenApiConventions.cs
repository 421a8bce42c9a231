using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Strategy.Api.Http;

public static class OpenApiConventions
{
    /// <summary>What a write answers (<typeparamref name="T"/>, 200 or 201) and the problem responses every write can give.</summary>
    public static RouteHandlerBuilder WriteResponses<T>(this RouteHandlerBuilder b, bool created = false) => b
        .Produces<T>(created ? StatusCodes.Status201Created : StatusCodes.Status200OK)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
        .ResponseHeader(created ? StatusCodes.Status201Created : StatusCodes.Status200OK, "ETag",
            "The stream's version after the write, quoted; send it back in If-Match to make the next write conditional.", 24);

    /// <summary>What a read answers: <typeparamref name="T"/>; for a list, at most <paramref name="maxItems"/> items.</summary>
    public static RouteHandlerBuilder ReadResponses<T>(this RouteHandlerBuilder b, int? maxItems = null)
    {
        b.Produces<T>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        if (maxItems is { } max)
            b.AddOpenApiOperationTransformer((operation, _, _) =>
            {
                foreach (var content in Response(operation, StatusCodes.Status200OK)?.Content?.Values ?? [])
                    if (content.Schema is OpenApiSchema schema && OpenApiLimits.Is(schema, JsonSchemaType.Array)) schema.MaxItems = max;
                return Task.CompletedTask;
            });
        return b;
    }

    /// <summary>
    /// A 200 of one of two shapes, chosen by the request (the document lists both, as components). anyOf, not oneOf:
    /// they share no discriminating member, and generated clients (Kiota) read an anyOf into both, a oneOf into neither.
    /// </summary>
    public static RouteHandlerBuilder EitherResponse<TFirst, TSecond>(this RouteHandlerBuilder b) =>
        b.Produces<TFirst>().AddOpenApiOperationTransformer(async (operation, context, ct) =>
        {
            if (Response(operation, StatusCodes.Status200OK)?.Content is not { } content || !content.TryGetValue("application/json", out var json) || context.Document is not { } document) return;
            json.Schema = new OpenApiSchema { AnyOf = [await Component<TFirst>(context, document, ct), await Component<TSecond>(context, document, ct)] };
        });

    /// <summary>
    /// A 200 that is a file in each of <paramref name="contentTypes"/> (a download, a CSV, a page), beside any JSON the
    /// endpoint declares: Produces keeps only the last content type it is given for a status.
    /// </summary>
    public static RouteHandlerBuilder Files(this RouteHandlerBuilder b, params string[] contentTypes) =>
        b.AddOpenApiOperationTransformer(async (operation, context, ct) =>
        {
            if (Response(operation, StatusCodes.Status200OK) is not { } response || context.Document is not { } document) return;
            response.Content ??= new Dictionary<string, OpenApiMediaType>();
            var file = await Component<Stream>(context, document, ct);
            foreach (var type in contentTypes) response.Content[type] = new OpenApiMediaType { Schema = file };
        });

    private static async Task<IOpenApiSchema> Component<T>(OpenApiOperationTransformerContext context, OpenApiDocument document, CancellationToken ct)
    {
        var name = typeof(T).Name;
        if (document.Components?.Schemas?.ContainsKey(name) != true)
            document.AddComponent<IOpenApiSchema>(name, await context.GetOrCreateSchemaAsync(typeof(T), null, ct));
        return new OpenApiSchemaReference(name, document);
    }

    /// <summary>
    /// Declares query parameters the endpoint reads itself (through <see cref="QueryParam"/>, so a bad value gets a 400
    /// naming it), in place of the plain string the framework would list for a parameter it binds.
    /// </summary>
    public static RouteHandlerBuilder Query(this RouteHandlerBuilder b, params QueryParam[] parameters) =>
        b.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            foreach (var p in parameters)
            {
                var at = operation.Parameters.ToList().FindIndex(existing => existing.Name == p.Name && existing.In == ParameterLocation.Query);
                var declared = new OpenApiParameter
                {
                    Name = p.Name, In = ParameterLocation.Query, Required = false, Description = p.Description, Schema = p.Schema(),
                };
                if (at >= 0) operation.Parameters[at] = declared;
                else operation.Parameters.Add(declared);
            }
            return Task.CompletedTask;
        });

    /// <summary>An endpoint anyone may call: no token needed, and the document says so (an empty security list).</summary>
    public static RouteHandlerBuilder Anonymous(this RouteHandlerBuilder b) =>
        b.AllowAnonymous().AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Security = [];
            return Task.CompletedTask;
        });

    /// <summary>Lists a header the response with <paramref name="status"/> may carry.</summary>
    public static RouteHandlerBuilder ResponseHeader(this RouteHandlerBuilder b, int status, string name, string description, int maxLength = 2048) =>
        b.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (Response(operation, status) is { } response) AddHeader(response, name, description, new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = maxLength });
            return Task.CompletedTask;
        });

    public static OpenApiResponse? Response(OpenApiOperation operation, int status) =>
        operation.Responses?.TryGetValue(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response) == true
            ? response as OpenApiResponse
            : null;

    public static void AddHeader(OpenApiResponse response, string name, string description, OpenApiSchema schema)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers[name] = new OpenApiHeader { Description = description, Schema = schema };
    }
}
