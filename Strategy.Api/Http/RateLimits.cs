using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Strategy.Api.Auth;

namespace Strategy.Api.Http;

/// <summary>
/// Requests per caller and minute (<c>RateLimits</c> in configuration). 0 turns a limit off. The defaults are far
/// above what a ministry or the secretariat sends by hand; they stop a runaway script or a flood.
/// </summary>
public sealed class RateLimitSettings
{
    /// <summary>POST, PUT, PATCH and DELETE under /api, other than report requests.</summary>
    public int WritesPerMinute { get; set; } = 600;

    /// <summary>POST /api/reports: each one queues a background job, so it has a lower limit of its own.</summary>
    public int ReportsPerMinute { get; set; } = 30;

    /// <summary>GET /api/audit/export: exports running at once per caller (each holds a connection while it streams).</summary>
    public int ExportsPerCaller { get; set; } = 2;
}

/// <summary>
/// Per-caller rate limits on writes and report requests: a fixed one-minute window per caller, where the caller is the
/// token's <c>sub</c>, or the client address for a request without a valid token; and a limit on the audit exports a
/// caller runs at once. Other reads are not limited. A refused request gets 429 with <c>Retry-After</c> (seconds) and a
/// problem document, before anything reads its body.
/// </summary>
public static class RateLimits
{
    public const string WritesPolicy = "writes";
    public const string ReportsPolicy = "reports";
    public const string ExportsPolicy = "exports";

    /// <summary>Retry-After of a refused export: exports take seconds to minutes, so sooner would be refused again.</summary>
    public const int ExportRetryAfterSeconds = 10;

    public static IServiceCollection AddStrategyRateLimits(this IServiceCollection services, IConfiguration config)
    {
        var settings = config.GetSection("RateLimits").Get<RateLimitSettings>() ?? new RateLimitSettings();
        if (settings.WritesPerMinute < 0 || settings.ReportsPerMinute < 0 || settings.ExportsPerCaller < 0)
            throw new InvalidOperationException("RateLimits:WritesPerMinute, RateLimits:ReportsPerMinute and RateLimits:ExportsPerCaller are 0 (off) or more.");
        services.AddSingleton(settings);
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => Partition(http, settings));
            o.OnRejected = RejectAsync;
        });
        return services;
    }

    /// <summary>Which limit applies to a request: writes, report requests, audit exports, or none (other reads and everything outside /api).</summary>
    public static string? Policy(HttpRequest request)
    {
        var method = request.Method;
        if (HttpMethods.IsGet(method) && request.Path.StartsWithSegments("/api/audit/export", StringComparison.OrdinalIgnoreCase, out var tail)
            && (!tail.HasValue || tail.Value == "/"))
            return ExportsPolicy;
        var write = HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);
        if (!write || !request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)) return null;
        var report = HttpMethods.IsPost(method)
            && request.Path.StartsWithSegments("/api/reports", StringComparison.OrdinalIgnoreCase, out var rest)
            && (!rest.HasValue || rest.Value == "/");
        return report ? ReportsPolicy : WritesPolicy;
    }

    /// <summary>The token's subject, or the client address when the request carries no valid token.</summary>
    public static string Caller(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true && http.User.FindFirstValue(Claims.Subject) is { Length: > 0 } sub
            ? "sub:" + sub
            : "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    private static RateLimitPartition<string> Partition(HttpContext http, RateLimitSettings settings)
    {
        var policy = Policy(http.Request);
        var limit = policy switch
        {
            WritesPolicy => settings.WritesPerMinute,
            ReportsPolicy => settings.ReportsPerMinute,
            ExportsPolicy => settings.ExportsPerCaller,
            _ => 0,
        };
        if (limit == 0) return RateLimitPartition.GetNoLimiter("");
        // Held for as long as the export streams: the middleware releases it when the response ends.
        if (policy == ExportsPolicy)
            return RateLimitPartition.GetConcurrencyLimiter($"{policy}|{Caller(http)}", _ => new ConcurrencyLimiterOptions { PermitLimit = limit, QueueLimit = 0 });
        return RateLimitPartition.GetFixedWindowLimiter($"{policy}|{Caller(http)}", _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken ct)
    {
        var http = context.HttpContext;
        var policy = Policy(http.Request);
        var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : policy == ExportsPolicy ? ExportRetryAfterSeconds : 60;
        var what = policy switch
        {
            ReportsPolicy => "report requests",
            ExportsPolicy => "audit exports",
            _ => "writes",
        };
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RateLimits))
            .LogWarning("Rate limit on {What} reached by {Caller}", what, Caller(http));
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests.",
                Detail = policy == ExportsPolicy
                    ? $"The limit on {what} running at once was reached; one must finish first. Retry after {seconds} seconds."
                    : $"The limit on {what} per minute was reached; nothing was recorded. Retry after {seconds} seconds.",
            },
        });
    }
}
