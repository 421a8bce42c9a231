using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;

namespace Strategy.Api.Http;

public static class OpenApiConventions
{
    /// <summary>The problem responses every write can give, so the OpenAPI document lists them.</summary>
    public static RouteHandlerBuilder WriteResponses(this RouteHandlerBuilder b, bool created = false) => b
        .Produces(created ? StatusCodes.Status201Created : StatusCodes.Status200OK)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    public static RouteHandlerBuilder ReadResponses<T>(this RouteHandlerBuilder b) => b
        .Produces<T>()
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status404NotFound);

    /// <summary>
    /// Lists an optional query parameter the endpoint reads itself (through <see cref="QueryValues"/>, so a bad value
    /// gets a 400 naming it), which the OpenAPI document would otherwise not show.
    /// </summary>
    public static RouteHandlerBuilder QueryParameter(this RouteHandlerBuilder b, string name, JsonSchemaType type, string description) =>
        b.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name, In = ParameterLocation.Query, Required = false, Description = description,
                Schema = new OpenApiSchema { Type = type },
            });
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
    public static RouteHandlerBuilder ResponseHeader(this RouteHandlerBuilder b, int status, string name, string description) =>
        b.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.Responses?.TryGetValue(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response) == true
                && response is OpenApiResponse concrete)
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers[name] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
            }
            return Task.CompletedTask;
        });
}
