using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Strategy.Api.Http;

/// <summary>
/// What the OpenAPI document says of every operation, from the rules that apply to it rather than endpoint by endpoint:
/// 401 where a token is needed, 429 and the rate-limit fields where a limit counts the request (<see cref="RateLimits"/>),
/// 500 and 503 everywhere (any operation meets a fault or an unavailable database); and the document's own description,
/// security scheme and server.
/// </summary>
public sealed class OpenApiContract : IOpenApiOperationTransformer, IOpenApiDocumentTransformer
{
    private const string ProblemJson = "application/problem+json";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Strategy API";
        document.Info.Version = "1";
        document.Info.Description =
            "Tracks a multi-country cooperation strategy and action plan: plans, commitments, status and progress, reporting rounds and review. " +
            "Bearer JWT with claims sub, name, role (secretariat, focal-point, reviewer, admin) and country for focal points. " +
            "Writes return the stream version in ETag; If-Match makes them conditional (412 when stale); Idempotency-Key makes a POST retry safe (422 when reused with another body). " +
            "Errors are RFC 9457 problem documents. Enums are kebab-case strings; dates YYYY-MM-DD; instants ISO 8601 UTC. " +
            "Rate limits per caller (the token's sub): writes, report requests and reads per minute, audit exports at once; every response they count carries " +
            "RateLimit-Policy (\"writes\";q=600;w=60: the quota and its window in seconds) and RateLimit (\"writes\";r=599;t=42: what remains and the seconds " +
            "until the window ends), as draft-ietf-httpapi-ratelimit-headers defines them; one more gets 429 with Retry-After.";
        // The document describes every deployment: its operations are on the host that serves it.
        document.Servers =
        [
            new OpenApiServer
            {
                Url = "https://strategy.example.org",
                Description = "production: replace with your deployment's address; the API is served over TLS only.",
                Extensions = new Dictionary<string, IOpenApiExtension> { ["x-internal"] = new JsonNodeExtension(false) },
            },
        ];
        foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
            tag.Description ??= "Plans, commitments, values and review, rounds, reports, evidence, SDG catalogue and audit.";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
            Description = "A signed JWT (JWS), validated as RFC8725 advises: the server fixes the algorithms (HS256 with a configured key, or " +
                "RS256, PS256 and ES256 from the OpenID Connect provider's keys; unsigned tokens are refused), and checks issuer, audience and expiry. " +
                "In Development: dotnet run --project Strategy.Api -- token --role secretariat",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] });
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var responses = operation.Responses ??= new OpenApiResponses();
        var problem = responses.Values.SelectMany(r => r.Content ?? new Dictionary<string, OpenApiMediaType>())
            .FirstOrDefault(c => c.Key == ProblemJson).Value;
        if (problem is null) return Task.CompletedTask;

        if (!metadata.OfType<IAllowAnonymous>().Any()) Add(responses, StatusCodes.Status401Unauthorized, "The request carries no valid token.", problem);
        foreach (var parameter in operation.Parameters ?? [])
            if (parameter.Schema is OpenApiSchema schema && OpenApiLimits.Is(schema, JsonSchemaType.String) && schema.MaxLength is null
                && schema.Enum is not { Count: > 0 } && MemberLimits.ForString(typeof(void), parameter.Name ?? "") is { } limit)
                OpenApiLimits.Apply(schema, limit);
        var policy = RateLimits.Policy(description.HttpMethod ?? "GET", "/" + description.RelativePath);
        if (policy is not null)
        {
            var refused = Add(responses, StatusCodes.Status429TooManyRequests, $"The caller's limit on {policy} was reached.", problem);
            OpenApiConventions.AddHeader(refused, "Retry-After", "Seconds to wait before trying again.",
                new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = "3600" });
        }
        Add(responses, StatusCodes.Status500InternalServerError, "An unexpected error; it was logged with the traceId the problem gives.", problem);
        Add(responses, StatusCodes.Status503ServiceUnavailable, "The database is unavailable or the read took too long; try again later.", problem);

        if (policy is not null)
            foreach (var (status, response) in responses)
                if (status[0] is '2' or '4' && response is OpenApiResponse counted)
                {
                    OpenApiConventions.AddHeader(counted, RateLimits.PolicyHeader, "The limit that counted this request: \"name\";q=quota;w=window seconds.", RateLimitField);
                    OpenApiConventions.AddHeader(counted, RateLimits.StateHeader, "What remains of it: \"name\";r=remaining;t=seconds until the window ends.", RateLimitField);
                }
        return Task.CompletedTask;
    }

    private static OpenApiSchema RateLimitField => new() { Type = JsonSchemaType.String, MaxLength = 64, Pattern = "^\"[a-z]+\";[a-z]=[0-9]+(;[a-z]=[0-9]+)?$" };

    private static OpenApiResponse Add(OpenApiResponses responses, int status, string description, OpenApiMediaType problem)
    {
        var key = status.ToString(CultureInfo.InvariantCulture);
        if (responses.TryGetValue(key, out var existing) && existing is OpenApiResponse known) return known;
        var added = new OpenApiResponse { Description = description, Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = problem } };
        responses[key] = added;
        return added;
    }
}
