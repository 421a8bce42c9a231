using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Strategy.Api.Http;

/// <summary>
/// Writes a problem as <c>application/problem+json</c> whatever the request's Accept header says. The framework's
/// writer declines a client that accepts no JSON (<c>Accept: text/html</c>), which left such an error with no body at
/// all, or with a plain-text status line; API.md wants every error to be a problem document. It takes exactly the
/// requests the framework's writer declines, and writes them with the same defaults and customization.
/// </summary>
public sealed class ProblemJsonWriter(IOptions<ProblemDetailsOptions> options, IOptions<JsonOptions> json) : IProblemDetailsWriter
{
    /// <summary>The framework's default problem types (RFC 9110 sections) for the statuses it knows.</summary>
    private static readonly Dictionary<int, string> Types = new()
    {
        [400] = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        [401] = "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        [403] = "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        [404] = "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        [405] = "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        [406] = "https://tools.ietf.org/html/rfc9110#section-15.5.7",
        [408] = "https://tools.ietf.org/html/rfc9110#section-15.5.9",
        [409] = "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        [412] = "https://tools.ietf.org/html/rfc9110#section-15.5.13",
        [415] = "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        [500] = "https://tools.ietf.org/html/rfc9110#section-15.6.1",
        [502] = "https://tools.ietf.org/html/rfc9110#section-15.6.3",
        [503] = "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        [504] = "https://tools.ietf.org/html/rfc9110#section-15.6.5",
    };

    private static readonly MediaTypeHeaderValue JsonMedia = new("application/json");
    private static readonly MediaTypeHeaderValue ProblemMedia = new("application/problem+json");

    /// <summary>The framework's writer takes a request with no Accept, or one that accepts JSON; this one the others.</summary>
    public bool CanWrite(ProblemDetailsContext context)
    {
        var accept = context.HttpContext.Request.GetTypedHeaders().Accept;
        return accept.Count > 0 && !accept.Any(a => JsonMedia.IsSubsetOf(a) || ProblemMedia.IsSubsetOf(a));
    }

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        problem.Status ??= http.Response.StatusCode;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        if (problem.Type is null && Types.TryGetValue(problem.Status.Value, out var type)) problem.Type = type;
        options.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(http.Response.WriteAsJsonAsync(problem, problem.GetType(), json.Value.SerializerOptions,
            "application/problem+json", http.RequestAborted));
    }
}
