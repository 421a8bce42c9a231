using System.Collections.Concurrent;
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

    /// <summary>GET under /api other than exports: 20 a second, sustained for a minute, is a script, not a person.</summary>
    public int ReadsPerMinute { get; set; } = 1200;
}

/// <summary>
/// Per-caller rate limits: a one-minute window per caller for writes, report requests and reads, where the caller is
/// the token's <c>sub</c>, or the client address for a request without a valid token; and a limit on the audit exports
/// a caller runs at once. A refused request gets 429 with <c>Retry-After</c> (seconds) and a problem document, before
/// anything reads its body. Every response the limits count carries the IETF fields (draft-ietf-httpapi-ratelimit-headers):
/// <c>RateLimit-Policy: "writes";q=600;w=60</c> (the quota and its window in seconds) and <c>RateLimit: "writes";r=599;t=42</c>
/// (what remains, and the seconds until the window ends); for exports, which are counted while they run, no window.
/// </summary>
public static class RateLimits
{
    public const string WritesPolicy = "writes";
    public const string ReportsPolicy = "reports";
    public const string ExportsPolicy = "exports";
    public const string ReadsPolicy = "reads";

    public const string PolicyHeader = "RateLimit-Policy";
    public const string StateHeader = "RateLimit";

    /// <summary>Retry-After of a refused export: exports take seconds to minutes, so sooner would be refused again.</summary>
    public const int ExportRetryAfterSeconds = 10;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public static IServiceCollection AddStrategyRateLimits(this IServiceCollection services, IConfiguration config)
    {
        var settings = config.GetSection("RateLimits").Get<RateLimitSettings>() ?? new RateLimitSettings();
        if (settings.WritesPerMinute < 0 || settings.ReportsPerMinute < 0 || settings.ExportsPerCaller < 0 || settings.ReadsPerMinute < 0)
            throw new InvalidOperationException("RateLimits:WritesPerMinute, ReportsPerMinute, ReadsPerMinute and ExportsPerCaller are 0 (off) or more.");
        services.AddSingleton(settings);
        services.AddSingleton<CallerRateLimiter>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<CallerRateLimiter>((o, limiter) =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = limiter;
            o.OnRejected = RejectAsync;
        });
        return services;
    }

    /// <summary>Which limit applies to a request: writes (the screens' form posts too), report requests, audit exports, reads under /api, or none.</summary>
    public static string? Policy(HttpRequest request) => Policy(request.Method, request.Path);

    public static string? Policy(string method, PathString path)
    {
        var write = HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);
        // A screen's form post (or the dashboard's) changes things as a write under /api does, and counts as one.
        if (!path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)) return write ? WritesPolicy : null;
        if (HttpMethods.IsGet(method) && path.StartsWithSegments("/api/audit/export", StringComparison.OrdinalIgnoreCase, out var tail)
            && (!tail.HasValue || tail.Value == "/"))
            return ExportsPolicy;
        if (!write) return HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? ReadsPolicy : null;
        var report = HttpMethods.IsPost(method)
            && path.StartsWithSegments("/api/reports", StringComparison.OrdinalIgnoreCase, out var rest)
            && (!rest.HasValue || rest.Value == "/");
        return report ? ReportsPolicy : WritesPolicy;
    }

    /// <summary>The limit of a policy under these settings; 0 is none.</summary>
    public static int Limit(string policy, RateLimitSettings settings) => policy switch
    {
        WritesPolicy => settings.WritesPerMinute,
        ReportsPolicy => settings.ReportsPerMinute,
        ExportsPolicy => settings.ExportsPerCaller,
        ReadsPolicy => settings.ReadsPerMinute,
        _ => 0,
    };

    /// <summary>The token's subject, or the client address when the request carries no valid token.</summary>
    public static string Caller(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true && http.User.FindFirstValue(Claims.Subject) is { Length: > 0 } sub
            ? "sub:" + sub
            : "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");

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
            ReadsPolicy => "reads",
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
                    : policy == ReadsPolicy
                        ? $"The limit on {what} per minute was reached. Retry after {seconds} seconds."
                        : $"The limit on {what} per minute was reached; nothing was recorded. Retry after {seconds} seconds.",
            },
        });
    }
}

/// <summary>
/// The per-caller limits of <see cref="RateLimits"/>. Windows are whole minutes of the clock, so the seconds until a
/// window ends are known and sent (the framework's fixed-window limiter keeps its window start to itself).
/// </summary>
public sealed class CallerRateLimiter(RateLimitSettings settings, TimeProvider clock) : PartitionedRateLimiter<HttpContext>
{
    private sealed class Counter
    {
        public long Window;
        public int Used;
    }

    private readonly ConcurrentDictionary<string, Counter> counters = new();
    private long sweptWindow;

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;

    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount) => Acquire(resource);

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Acquire(resource));

    private RateLimitLease Acquire(HttpContext http)
    {
        if (RateLimits.Policy(http.Request) is not { } policy) return Lease.Granted;
        var limit = RateLimits.Limit(policy, settings);
        if (limit == 0) return Lease.Granted;
        var counter = counters.GetOrAdd(policy + "|" + RateLimits.Caller(http), _ => new Counter());
        if (policy == RateLimits.ExportsPolicy)
        {
            int remaining;
            lock (counter)
            {
                if (counter.Used >= limit)
                {
                    Announce(http, policy, limit, 0, null);
                    return Lease.Refused(TimeSpan.FromSeconds(RateLimits.ExportRetryAfterSeconds));
                }
                remaining = limit - ++counter.Used;
            }
            Announce(http, policy, limit, remaining, null);
            return new Lease(true, null, () => { lock (counter) counter.Used--; });
        }

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var windowMs = (long)RateLimits.Window.TotalMilliseconds;
        var window = now / windowMs;
        var reset = TimeSpan.FromMilliseconds(windowMs - now % windowMs);
        Sweep(window);
        lock (counter)
        {
            if (counter.Window != window) (counter.Window, counter.Used) = (window, 0);
            var granted = counter.Used < limit;
            if (granted) counter.Used++;
            Announce(http, policy, limit, limit - counter.Used, reset);
            return granted ? Lease.Granted : Lease.Refused(reset);
        }
    }

    /// <summary>Drops the counters of windows that ended, once a window, so callers seen once do not stay in memory.</summary>
    private void Sweep(long window)
    {
        if (Interlocked.Exchange(ref sweptWindow, window) == window) return;
        foreach (var (key, counter) in counters)
            if (!key.StartsWith(RateLimits.ExportsPolicy + "|", StringComparison.Ordinal) && Volatile.Read(ref counter.Window) < window)
                counters.TryRemove(key, out _);
    }

    /// <summary>The IETF fields, set as the response starts, so a problem response written later keeps them.</summary>
    private static void Announce(HttpContext http, string policy, int limit, int remaining, TimeSpan? reset)
    {
        var window = policy == RateLimits.ExportsPolicy ? "" : $";w={(int)RateLimits.Window.TotalSeconds}";
        var left = reset is { } r ? $";t={Math.Max(1, (int)Math.Ceiling(r.TotalSeconds))}" : "";
        var policyValue = $"\"{policy}\";q={limit}{window}";
        var stateValue = $"\"{policy}\";r={Math.Max(0, remaining)}{left}";
        http.Response.OnStarting(() =>
        {
            http.Response.Headers[RateLimits.PolicyHeader] = policyValue;
            http.Response.Headers[RateLimits.StateHeader] = stateValue;
            return Task.CompletedTask;
        });
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter, Action? release = null) : RateLimitLease
    {
        /// <summary>A permit that holds nothing back when released: every request a window counts, and every one no limit counts.</summary>
        public static readonly Lease Granted = new(true, null);

        public static Lease Refused(TimeSpan retryAfter) => new(false, retryAfter);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }

        private Action? onRelease = release;

        protected override void Dispose(bool disposing) => Interlocked.Exchange(ref onRelease, null)?.Invoke();
    }
}
