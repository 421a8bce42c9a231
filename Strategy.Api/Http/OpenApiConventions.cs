using Microsoft.AspNetCore.Mvc;

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
}
