using System.Collections.Frozen;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.Server;
using Marten;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Strategy.Api.Http;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Hosting;

/// <summary>
/// OpenTelemetry: traces from the request to its SQL (ASP.NET Core, HttpClient, the mediator, Npgsql) and of
/// Hangfire jobs, each linked to the request that queued it; the service's metrics (<see cref="StrategyMetrics"/>).
/// Off unless <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (or <c>Telemetry:Enabled</c>, for an exporter of one's own);
/// the exporter reads the standard <c>OTEL_*</c> variables.
/// </summary>
public static class Telemetry
{
    public const string SourceName = "Strategy";
    public const string ServiceName = "strategy-api";

    /// <summary>The mediator request a span is for (its type's name).</summary>
    public const string RequestTag = "strategy.request";

    /// <summary>The service's own spans: mediator requests and Hangfire jobs.</summary>
    public static readonly ActivitySource Source = new(SourceName);

    public static bool Enabled(IConfiguration config) =>
        config.GetValue<bool?>("Telemetry:Enabled") ?? !string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    public static WebApplicationBuilder AddStrategyTelemetry(this WebApplicationBuilder builder)
    {
        // Structured logs for collectors; the host puts the trace and span ids in each entry's scope.
        if (builder.Environment.IsProduction()) builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);

        var config = builder.Configuration;
        var services = builder.Services;
        // Always there for the mediator pipeline to record into; an instrument nobody listens to costs a check.
        services.AddSingleton<WorkBacklog>();
        services.AddSingleton<StrategyMetrics>();
        if (!Enabled(config)) return builder;
        services.AddSingleton<JobTracingFilter>();
        // Per container, like the job storage: Hangfire's global filter collection is static and would collect one
        // filter per host in a process that runs several (tests).
        services.AddSingleton<Hangfire.Common.IJobFilterProvider>(sp => new HostJobFilters(sp.GetRequiredService<JobTracingFilter>()));
        // Marten's connection spans (StoreOptions.OpenTelemetry.TrackConnections) stay off: in Marten 9.58 the span
        // starts when a session is created, becomes the parent of the mediator span that created it, and was not
        // ended by the time the request's trace was exported (checked in TelemetryTests), so traces never completed.
        // The SQL is traced by Npgsql, under the command. Marten counts the events it appends, by type.
        services.ConfigureMarten(o => o.OpenTelemetry.TrackEventCounters());

        var version = typeof(Telemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r
                .AddService(config["OTEL_SERVICE_NAME"] ?? ServiceName, serviceVersion: version, serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}")
                .AddAttributes([new("host.name", Environment.MachineName)]))
            .WithTracing(t => t
                .SetDefaultSampler(config)
                .AddSource(SourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation()
                .AddNpgsql())
            .WithMetrics(m => m
                // Resolved with the provider, so the gauges exist before the first request.
                .AddInstrumentation(sp => sp.GetRequiredService<StrategyMetrics>())
                .AddMeter(StrategyMetrics.MeterName, "Marten", "Npgsql", "System.Runtime")
                .AddMeter(AspNetCoreMeters)
                .AddHttpClientInstrumentation()
                // A dropped instrument is not listened to at all, so its owner skips the recording.
                .AddView(instrument => DroppedInstruments.Contains(instrument.Name) ? MetricStreamConfiguration.Drop : null));
        if (!string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_ENDPOINT"])) otel.UseOtlpExporter();
        return builder;
    }

    /// <summary>
    /// ASP.NET Core's own meters (requests, connections, routing, exceptions, rate limits, sign-in and authorization),
    /// listened to by name. Not AddAspNetCoreInstrumentation for metrics: before ASP.NET Core 11 it also puts a
    /// middleware around every request only to tag 5xx answers given without an exception with error.type. Here most 5xx
    /// come from exceptions, which ASP.NET Core's exception handler tags itself; the others (a health probe, a busy export)
    /// still carry their status code (docs/operations.md has what the middleware cost).
    /// </summary>
    public static readonly string[] AspNetCoreMeters =
    [
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting", "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Authorization",
    ];

    /// <summary>
    /// Instruments of the meters above that record on every SQL command or every request and tell an operator nothing
    /// <c>http.server.request.duration</c> (status and latency by route), the SQL spans and the pool's own figures do
    /// not, while each write records them several times (docs/operations.md, "Telemetry's cost").
    /// Npgsql's pool use (<c>db.client.connection.count</c>, <c>.max</c>, pending requests, timeouts, create time) and
    /// its failed commands stay.
    /// </summary>
    public static readonly FrozenSet<string> DroppedInstruments = FrozenSet.Create(
        // Npgsql, per command or per network read and write.
        "db.client.operation.duration", "db.client.operation.npgsql.executing", "db.client.operation.npgsql.bytes_read",
        "db.client.operation.npgsql.bytes_written", "db.client.operation.npgsql.prepared_ratio",
        // ASP.NET Core, per request: a 401, 403 or 429 is in the request's status code already.
        "aspnetcore.routing.match_attempts", "aspnetcore.authentication.authenticate.duration",
        "aspnetcore.authorization.attempts", "aspnetcore.rate_limiting.request_lease.duration",
        "aspnetcore.rate_limiting.active_request_leases");

    /// <summary>Of the traces that start here, the share kept unless <c>OTEL_TRACES_SAMPLER</c> says otherwise.</summary>
    public const double DefaultSampleRatio = 0.1;

    /// <summary>
    /// One trace in ten by default (parentbased_traceidratio, 0.1): keeping every trace costs writes more (its cost is
    /// measured in docs/operations.md). <c>OTEL_TRACES_SAMPLER</c>
    /// (and <c>OTEL_TRACES_SAMPLER_ARG</c>), when set, is the SDK's to read: <c>parentbased_always_on</c> keeps every trace.
    /// </summary>
    private static TracerProviderBuilder SetDefaultSampler(this TracerProviderBuilder tracing, IConfiguration config) =>
        string.IsNullOrWhiteSpace(config["OTEL_TRACES_SAMPLER"])
            ? tracing.SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(DefaultSampleRatio)))
            : tracing;

    private sealed class HostJobFilters(JobTracingFilter tracing) : Hangfire.Common.IJobFilterProvider
    {
        private readonly JobFilter own = new(tracing, JobFilterScope.Global, null);

        public IEnumerable<JobFilter> GetFilters(Job job) => Hangfire.Common.JobFilterProviders.Providers.GetFilters(job).Append(own);
    }
}

/// <summary>
/// The service's metrics, in one place; each instrument is named for what an operator asks of it. Requests are
/// ASP.NET Core's own (<c>http.server.request.duration</c>).
/// </summary>
public sealed class StrategyMetrics
{
    public const string MeterName = "Strategy";

    private readonly Counter<long> writes;
    private readonly Histogram<double> jobDuration;

    public StrategyMetrics(IMeterFactory meters, WorkBacklog backlog, TimeProvider clock, ILogger<StrategyMetrics> log)
    {
        var meter = meters.Create(MeterName);
        writes = meter.CreateCounter<long>("strategy.writes", "{write}",
            "Commands sent through the mediator, by command and outcome (ok, invalid, forbidden, not-found, conflict, unavailable, error).");
        jobDuration = meter.CreateHistogram<double>("strategy.jobs.duration", "s",
            "How long Hangfire jobs ran, by job (report, overdue check, ...) and outcome (succeeded, failed).");

        // The gauges share one read, taken at most once per collection round.
        var snapshot = new CachedBacklog(backlog, clock, log);
        meter.CreateObservableGauge("strategy.reviews.pending", () => snapshot.Read(b => b.PendingReviews), "{value}",
            "Submitted values awaiting the secretariat's review.");
        meter.CreateObservableGauge("strategy.reviews.pending_past_deadline", () => snapshot.Read(b => b.PendingReviewsPastDeadline), "{value}",
            "Submitted values awaiting review in reporting rounds whose deadline has passed.");
        meter.CreateObservableGauge("strategy.audit.chain_lag", () => snapshot.Read(b => b.ChainLag), "{event}",
            "Events appended but not yet chained into the audit hash chain (the async daemon's backlog).");
        meter.CreateObservableGauge("strategy.mail.waiting", () => snapshot.Read(b => b.MailWaiting), "{mail}",
            "Outbox mails not yet taken by the SMTP server: new ones, and those waiting to be retried while it is unreachable.");
    }

    public void Write(string command, string outcome) =>
        writes.Add(1, new KeyValuePair<string, object?>("command", command), new KeyValuePair<string, object?>("outcome", outcome));

    public void Job(string job, bool succeeded, TimeSpan elapsed) =>
        jobDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("job", job),
            new KeyValuePair<string, object?>("outcome", succeeded ? "succeeded" : "failed"));

    /// <summary>A request's outcome named from the status its failure answers (Errors.cs maps exceptions once).</summary>
    public static string Outcome(Exception? failure) => failure is null ? "ok" : ProblemExceptionHandler.StatusOf(failure) switch
    {
        400 or 413 or 422 => "invalid",
        401 or 403 => "forbidden",
        404 => "not-found",
        409 or 412 => "conflict",
        503 => "unavailable",
        _ => "error",
    };

    private sealed class CachedBacklog(WorkBacklog backlog, TimeProvider clock, ILogger log)
    {
        private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(5);
        private readonly Lock gate = new();
        private (Backlog? Value, long At) last;

        public IEnumerable<Measurement<long>> Read(Func<Backlog, long> pick)
        {
            Backlog? value;
            lock (gate)
            {
                if (last.At == 0 || clock.GetElapsedTime(last.At) > Fresh)
                {
                    try
                    {
                        last = (backlog.ReadAsync(Domain.MemberTime.SecretariatToday(clock.GetUtcNow()), CancellationToken.None).GetAwaiter().GetResult(), clock.GetTimestamp());
                    }
                    catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
                    {
                        // No figure rather than a wrong one; the readiness probe reports the database.
                        log.LogDebug(e, "The backlog could not be read for the metrics");
                        last = (null, clock.GetTimestamp());
                    }
                }
                value = last.Value;
            }
            return value is null ? [] : [new Measurement<long>(pick(value))];
        }
    }
}

/// <summary>
/// Jobs as spans. Queuing stores the current trace context with the job (a job parameter); running starts the job's
/// own trace, linked to that context rather than under it: a job may run long after the request ended, or run again.
/// </summary>
public sealed class JobTracingFilter(StrategyMetrics metrics) : IClientFilter, IServerFilter
{
    public const string TraceParameter = "traceparent";
    private const string ActivityItem = "strategy.activity";
    private const string StartedItem = "strategy.started";

    public void OnCreating(CreatingContext context)
    {
        if (Activity.Current is { } current) context.SetJobParameter(TraceParameter, current.Id);
    }

    public void OnCreated(CreatedContext context) { }

    public void OnPerforming(PerformingContext context)
    {
        var links = ActivityContext.TryParse(context.GetJobParameter<string>(TraceParameter), null, out var queuedBy)
            ? new[] { new ActivityLink(queuedBy) }
            : null;
        // A worker thread carries no request's activity; make sure the job's span is a root of its own.
        Activity.Current = null;
        var activity = Telemetry.Source.StartActivity(ActivityKind.Consumer, default,
            [new("hangfire.job.name", JobName(context.BackgroundJob.Job)), new("hangfire.job.id", context.BackgroundJob.Id)],
            links, name: "job " + JobName(context.BackgroundJob.Job));
        context.Items[ActivityItem] = activity;
        context.Items[StartedItem] = Stopwatch.GetTimestamp();
    }

    public void OnPerformed(PerformedContext context)
    {
        var failed = context.Exception is not null && !context.ExceptionHandled;
        if (context.Items.TryGetValue(StartedItem, out var started) && started is long at)
            metrics.Job(JobName(context.BackgroundJob.Job), !failed, Stopwatch.GetElapsedTime(at));
        if (context.Items.TryGetValue(ActivityItem, out var item) && item is Activity activity)
        {
            if (failed) activity.SetStatus(ActivityStatusCode.Error, context.Exception!.GetType().Name);
            activity.Dispose();
        }
    }

    /// <summary>"ReportJob.Run": the job's type and method, never its arguments.</summary>
    public static string JobName(Job? job) => job is null ? "unknown" : $"{job.Type.Name}.{job.Method.Name}";
}
