using System.Text.Json;
using FluentValidation;
using JasperFx;
using Marten.Exceptions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Strategy.Domain;

namespace Strategy.Api.Http;

public sealed class RejectedException(Rejection rejection) : Exception(rejection.Message)
{
    public Rejection Rejection { get; } = rejection;

    public static RejectedException Invalid(string field, string message) => new(Rejection.Invalid(field, message));
    public static RejectedException NotFound(string message) => new(new Rejection(RejectionKind.NotFound, message));
}

public sealed class PreconditionFailedException(string message) : Exception(message);

/// <summary>A stored file whose bytes no longer hash to what was recorded when it was stored: it is not served.</summary>
public sealed class StoredFileAlteredException(string message) : Exception(message);

public sealed class IdempotencyKeyReusedException()
    : Exception("This Idempotency-Key was used with a different request; use a new key for a new request.");

/// <summary>The one place where exceptions become RFC 9457 problem documents. Anything unmapped is a 500 and a bug.</summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> log) : IExceptionHandler
{
    /// <summary>The most members a problem's errors name, and the most messages for one.</summary>
    public const int MaxErrorFields = 100;
    public const int MaxErrorsPerField = 16;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var (status, title, detail, errors) = Map(exception, http.Request.Headers.IfMatch.Count > 0, AcceptsBody(http));
        if (Overloaded(exception)) log.LogWarning("Request {Method} {Path} answered {Status}: {Detail}", http.Request.Method, http.Request.Path, status, detail);
        else if (status >= 500) log.LogError(exception, "Request {Method} {Path} failed", http.Request.Method, http.Request.Path);
        else log.LogDebug("Request {Method} {Path} answered {Status}: {Detail}", http.Request.Method, http.Request.Path, status, detail);
        http.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable) http.Response.Headers.RetryAfter = "5";
        // A person's browser on a screen gets a page in words; forms catch their own refusals, so what arrives here is rare.
        if (Web.WebAuth.ServesScreen(http.Request))
        {
            await Web.ScreenErrors.WriteAsync(http, status);
            return true;
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = errors is null
                ? new ProblemDetails { Status = status, Title = title, Detail = detail }
                : new ValidationProblemDetails(errors) { Status = status, Title = title, Detail = detail },
        });
    }

    /// <summary>The status a request failing with <paramref name="exception"/> answers (a stale version as 409: the request's If-Match is not known here).</summary>
    public static int StatusOf(Exception exception) => Map(exception, conditional: false, acceptsBody: false).Status;

    /// <summary>What the caller is told about <paramref name="exception"/>: the API's problem document, and the screens' form errors.</summary>
    public static (int Status, string Title, string Detail, Dictionary<string, string[]>? Errors) Map(Exception exception, bool conditional, bool acceptsBody)
    {
        switch (exception)
        {
            case RejectedException { Rejection: var r }:
                return r.Kind switch
                {
                    RejectionKind.Validation => (400, "The request is not valid.", r.Message, new() { [r.Field ?? ""] = [r.Message] }),
                    RejectionKind.Forbidden => (403, "Not allowed.", r.Message, null),
                    RejectionKind.NotFound => (404, "Not found.", r.Message, null),
                    _ => (409, "The change conflicts with the current state.", r.Message, null),
                };
            case ValidationException v:
                // Bounded as the contract says (OpenApiLimits): a large import can fail on thousands of members at once.
                var errors = v.Errors.GroupBy(e => JsonPath(e.PropertyName)).Take(MaxErrorFields)
                    .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Take(MaxErrorsPerField).ToArray());
                return (400, "The request is not valid.", string.Join(" ", errors.Select(e => $"{e.Key}: {e.Value[0]}")), errors);
            case IdempotencyKeyReusedException reused:
                return (422, "Idempotency-Key reused.", reused.Message, null);
            case PreconditionFailedException p:
                return (412, "The resource has changed.", p.Message, null);
            case StoredFileAlteredException altered:
                return (409, "The stored file was altered.", altered.Message, null);
            case ConcurrencyException:
                return conditional
                    ? (412, "The resource has changed.", "The version in If-Match is no longer current; read the resource again.", null)
                    : (409, "A concurrent change won.", "Another change was saved at the same moment; retry.", null);
            case ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException or DocumentAlreadyExistsException:
                return (409, "Already exists.", "A resource with the same identity already exists.", null);
            case BadHttpRequestException { InnerException: JsonException json }:
                return BadJson(json);
            case JsonException json:
                return BadJson(json);
            case BadHttpRequestException { StatusCode: 400 } when acceptsBody:
                // The framework refusing a body it could not bind (absent, empty or JSON null): no JsonException to take a
                // path from, and its message is advice for developers ("Did you mean to use a Service instead?").
                return (400, "The request body is not valid JSON for this operation.", "body: A JSON object is required.",
                    new() { ["body"] = ["A JSON object is required."] });
            case BadHttpRequestException bad:
                return (bad.StatusCode, bad.StatusCode switch
                {
                    413 => "The request body is too large.",
                    415 => "The media type is not supported.",
                    431 => "The request headers are too large.",
                    _ => "Bad request.",
                }, Sanitize(bad.Message), null);
            case Strategy.Infrastructure.Audit.ExportsBusyException busy:
                return (503, "Too many exports at once.", busy.Message, null);
            case UnauthorizedAccessException u:
                return (401, "Not authenticated.", u.Message, null);
            case not null when UnstorableText(exception):
                // PostgreSQL stores no NUL character in text or jsonb: a request carrying one (a query value, a JSON
                // string with \u0000) fails there, and is the caller's error, not an outage. Nothing was saved.
                return (400, "The request is not valid.", "The request contains a character that cannot be stored (NUL, \\u0000).", null);
            case not null when Postgres(exception) is { SqlState: PostgresErrorCodes.UniqueViolation }:
                return (409, "Already exists.", "A resource with the same code already exists.", null);
            case not null when Postgres(exception) is { SqlState: Strategy.Infrastructure.Store.DatabaseRoles.EventTimestampRefused }:
                // The database refuses events stamped more than a few seconds from its clock (deploy/app-role.sql):
                // this host's clock has drifted, an outage for writes until it is set right, not the caller's error.
                return (503, "The service cannot record changes now.", "Its clock is out of step with the database's; try again later.", null);
            case not null when Postgres(exception) is { SqlState: PostgresErrorCodes.QueryCanceled }:
                // A read stopped by its statement timeout (Limits): the database is busy or the read too long for now.
                return (503, "The read took too long.", "It was stopped at its time limit; try again later, or ask for less.", null);
            case { } e when IsDatabaseFailure(e):
                return (503, "The database is unavailable.", "Try again shortly.", null);
            default:
                return (500, "An unexpected error occurred.", "The error was logged with this trace id.", null);
        }
    }

    /// <summary>
    /// A database error, or one wrapped at any depth: Marten wraps Npgsql's in MartenCommandException, Hangfire in
    /// BackgroundJobClientException (a report queued while its storage is down), batches in AggregateException.
    /// </summary>
    public static bool IsDatabaseFailure(Exception exception) => exception switch
    {
        // The server answered: an outage only if it is shutting down, out of resources or the connection broke.
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("53", StringComparison.Ordinal)
                                || pg.SqlState.StartsWith("57P", StringComparison.Ordinal),
        NpgsqlException or TimeoutException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsDatabaseFailure),
        { InnerException: { } inner } => IsDatabaseFailure(inner),
        _ => false,
    };

    /// <summary>A read stopped at its time limit, or an export refused for want of a slot: the service working as set, not a fault.</summary>
    private static bool Overloaded(Exception exception) =>
        exception is Strategy.Infrastructure.Audit.ExportsBusyException || Postgres(exception) is { SqlState: PostgresErrorCodes.QueryCanceled };

    /// <summary>The PostgreSQL error under any wrapping (Marten, Hangfire), if there is one.</summary>
    private static PostgresException? Postgres(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
            if (exception is PostgresException pg) return pg;
        return null;
    }

    private static bool UnstorableText(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
            if (exception is PostgresException { SqlState: PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter })
                return true;
        return false;
    }

    /// <summary>Whether the failed endpoint binds a body; the exception handler sees the endpoint only through its feature.</summary>
    private static bool AcceptsBody(HttpContext http) =>
        (http.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? http.GetEndpoint())?.Metadata.GetMetadata<IAcceptsMetadata>() is not null;

    private static (int, string, string, Dictionary<string, string[]>?) BadJson(JsonException json)
    {
        var field = JsonPath(json.Path);
        var message = json.Message.Split(" Path:")[0];
        // The serializer's messages name .NET types ("...contained in type 'Strategy.Api...'"): say it in the API's terms.
        if (message.Contains("could not be converted", StringComparison.Ordinal)) message = "Has the wrong type or an unknown value.";
        else if (message.Contains("could not be mapped", StringComparison.Ordinal)) message = "Is not a field of this operation.";
        else if (message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase)) message = "Appears more than once.";
        else if (message.Contains("System.", StringComparison.Ordinal) || message.Contains("Strategy.", StringComparison.Ordinal) || message.Contains(".NET", StringComparison.Ordinal))
            message = "Does not fit this operation.";
        return (400, "The request body is not valid JSON for this operation.", $"{(field.Length == 0 ? "body" : field)}: {message}",
            new() { [field.Length == 0 ? "body" : field] = [message] });
    }

    /// <summary>"$.goals[0].code" and FluentValidation's "Goals[0].Code" both become "goals[0].code".</summary>
    public static string JsonPath(string? path)
    {
        if (string.IsNullOrEmpty(path)) return "";
        var trimmed = path.StartsWith("$.") ? path[2..] : path == "$" ? "" : path;
        return string.Join('.', trimmed.Split('.').Select(s => s.Length == 0 ? s : char.ToLowerInvariant(s[0]) + s[1..]));
    }

    private static string Sanitize(string message) => message.Length > 300 ? message[..300] : message;
}
