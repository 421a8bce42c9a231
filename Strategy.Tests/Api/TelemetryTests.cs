using System.Collections;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Strategy.Api.Hosting;

namespace Strategy.Tests.Api;

/// <summary>The API with telemetry on and its traces kept in memory (OpenTelemetry's in-memory exporter).</summary>
public sealed class TelemetryFactory : ApiFactory
{
    public SpanLog Spans { get; } = new();

    /// <summary>What the metrics exporter was handed at each flush (cumulative).</summary>
    public List<MetricSnapshot> Metrics { get; } = [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Telemetry:Enabled", "true");
        // Every trace, so the one a test makes is kept (the service keeps one in ten by default).
        builder.UseSetting("OTEL_TRACES_SAMPLER", "always_on");
        builder.ConfigureTestServices(s =>
        {
            s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(Spans));
            // Exported when a test flushes, not on a timer of its own.
            s.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(Metrics,
                reader => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)TimeSpan.FromHours(1).TotalMilliseconds));
        });
    }
}

/// <summary>
/// The spans the exporter was handed, safe to add to from any thread (the provider hears every host in the process),
/// and a wait for a span to end.
/// </summary>
public sealed class SpanLog : ICollection<Activity>
{
    private readonly List<Activity> spans = [];
    private readonly SemaphoreSlim added = new(0);

    public void Add(Activity item)
    {
        lock (spans) spans.Add(item);
        added.Release();
    }

    /// <summary>The first exported span that matches, waiting for it up to <paramref name="timeout"/>.</summary>
    public async Task<Activity> WaitFor(Func<Activity, bool> match, TimeSpan timeout)
    {
        Activity? found = null;
        await WaitUntil(all => (found = all.FirstOrDefault(match)) is not null, timeout);
        return found!;
    }

    /// <summary>
    /// The spans of <paramref name="trace"/> once every one of them has its parent exported too (the root's parent is
    /// <paramref name="rootParent"/>): a span ends after its children, and a request's session (its connection's span)
    /// may end after the response.
    /// </summary>
    public async Task<List<Activity>> Complete(ActivityTraceId trace, ActivitySpanId rootParent, TimeSpan timeout)
    {
        List<Activity> spans = [];
        await WaitUntil(all =>
        {
            spans = [.. all.Where(s => s.TraceId == trace)];
            var ids = spans.Select(s => s.SpanId).Append(rootParent).ToHashSet();
            return spans.Count > 0 && spans.All(s => ids.Contains(s.ParentSpanId));
        }, timeout);
        return spans;
    }

    private async Task WaitUntil(Func<List<Activity>, bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            lock (spans)
                if (condition(spans)) return;
            var left = TimeSpan.FromSeconds((double)(deadline - Stopwatch.GetTimestamp()) / Stopwatch.Frequency);
            if (left <= TimeSpan.Zero || !await added.WaitAsync(left)) throw new TimeoutException($"The spans waited for were not exported within {timeout.TotalSeconds} s.");
        }
    }

    public void Clear() { lock (spans) spans.Clear(); }
    public bool Contains(Activity item) { lock (spans) return spans.Contains(item); }
    public void CopyTo(Activity[] array, int arrayIndex) { lock (spans) spans.CopyTo(array, arrayIndex); }
    public bool Remove(Activity item) { lock (spans) return spans.Remove(item); }
    public int Count { get { lock (spans) return spans.Count; } }
    public bool IsReadOnly => false;
    public IEnumerator<Activity> GetEnumerator() { lock (spans) return spans.ToList().GetEnumerator(); }
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// Tests of a provider that hears every host in the process, run while no other host starts or stops: metric streams
/// are shared by instrument name across hosts, and a stream whose instrument another host disposed (its test class
/// ending) is dropped after the next collection, with what this host records into it after that (a request's duration
/// missing from the export, now and then, while other test classes ran).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "telemetry";
}

/// <summary>
/// One write traced from the HTTP request through the mediator command to its SQL; a report job traced on its own and
/// linked to the request that queued it; writes counted by command and outcome, and the review backlog measured.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTests(TelemetryFactory api) : IClassFixture<TelemetryFactory>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string Plan = "OTEL-" + Guid.NewGuid().ToString("N")[..8];

    public async Task InitializeAsync()
    {
        var created = await api.Secretariat().PostJson("/api/plans", TestPlan.Document(Plan));
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A client whose requests continue a trace the test chose, so their spans can be found by its id.</summary>
    private static (HttpClient Client, ActivityTraceId Trace, ActivitySpanId Caller) Traced(HttpClient client)
    {
        var trace = ActivityTraceId.CreateRandom();
        var caller = ActivitySpanId.CreateRandom();
        client.DefaultRequestHeaders.Add("traceparent", $"00-{trace}-{caller}-01");
        return (client, trace, caller);
    }

    private static bool Under(Activity span, Activity ancestor, IReadOnlyCollection<Activity> trace)
    {
        for (var parent = span.ParentSpanId; parent != default; parent = trace.FirstOrDefault(s => s.SpanId == parent)?.ParentSpanId ?? default)
            if (parent == ancestor.SpanId) return true;
        return false;
    }

    [Fact]
    public async Task A_write_is_one_trace_from_the_HTTP_span_through_the_mediator_command_to_its_SQL_without_personal_data()
    {
        var (client, trace, caller) = Traced(api.FocalPoint("KH"));
        var response = await client.PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment());
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());

        var spans = await api.Spans.Complete(trace, caller, Patience);
        var http = spans.Where(s => s.Kind == ActivityKind.Server).ShouldHaveSingleItem();
        http.ParentSpanId.ShouldBe(caller);
        http.GetTagItem("http.route").ShouldBe("/api/plans/{code}/commitments");

        var command = spans.Where(s => s.Source.Name == Telemetry.SourceName).ShouldHaveSingleItem();
        command.DisplayName.ShouldBe("MakeCommitmentInPlan");
        command.GetTagItem(Telemetry.RequestTag).ShouldBe("MakeCommitmentInPlan");
        command.GetTagItem("strategy.request.kind").ShouldBe("command");
        Under(command, http, spans).ShouldBeTrue();

        var sql = spans.Where(s => s.Source.Name == "Npgsql").ToList();
        sql.ShouldNotBeEmpty();
        sql.ShouldAllBe(s => Under(s, command, spans));
        sql.ShouldContain(s => s.Kind == ActivityKind.Client && s.GetTagItem("db.system.name") as string == "postgresql");

        // Who wrote travels in the token and the events' metadata, never in telemetry.
        foreach (var span in spans)
            foreach (var (key, value) in span.TagObjects)
            {
                var text = value?.ToString() ?? "";
                text.ShouldNotContain("fp-kh", Case.Insensitive, $"{span.DisplayName} {key}");
                text.ShouldNotContain("Ministry of Environment KH", Case.Insensitive, $"{span.DisplayName} {key}");
            }
    }

    [Fact]
    public async Task A_report_job_runs_in_a_trace_of_its_own_linked_to_the_request_that_queued_it()
    {
        var (client, trace, caller) = Traced(api.Secretariat());
        var id = await ReportFixture.Request(client, new { kind = "progress", plan = Plan });
        await ReportFixture.Succeeded(api.Secretariat(), id);

        var job = await api.Spans.WaitFor(s => s.Source.Name == Telemetry.SourceName && s.DisplayName == "job ReportJob.Run"
            && s.Links.Any(l => l.Context.TraceId == trace), Patience);
        job.TraceId.ShouldNotBe(trace);
        job.Kind.ShouldBe(ActivityKind.Consumer);
        job.ParentSpanId.ShouldBe(default);
        job.Status.ShouldNotBe(ActivityStatusCode.Error);
        job.GetTagItem("hangfire.job.name").ShouldBe("ReportJob.Run");

        // The link points at the span that queued it: the RequestReport command of the POST.
        var request = await api.Spans.Complete(trace, caller, Patience);
        var queuedBy = request.Where(s => s.DisplayName == "RequestReport").ShouldHaveSingleItem();
        job.Links.ShouldHaveSingleItem().Context.SpanId.ShouldBe(queuedBy.SpanId);

        // The job's own work is in its trace: the GenerateReport command and its SQL under the job's span.
        var work = await api.Spans.Complete(job.TraceId, default, Patience);
        var generate = work.Where(s => s.DisplayName == "GenerateReport").ShouldHaveSingleItem();
        Under(generate, job, work).ShouldBeTrue();
        work.ShouldContain(s => s.Source.Name == "Npgsql" && Under(s, generate, work));
    }

    [Fact]
    public async Task Writes_are_counted_by_command_and_outcome_and_the_review_backlog_is_measured()
    {
        var writes = new List<(string Command, string Outcome)>();
        var gauges = new Dictionary<string, long>();
        // This host's instruments only (its meter factory): other hosts in the process have their own.
        var factory = api.Services.GetRequiredService<IMeterFactory>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StrategyMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "strategy.writes")
                lock (writes) writes.Add(((string)Tag(tags, "command")!, (string)Tag(tags, "outcome")!));
            else lock (gauges) gauges[instrument.Name] = value;
        });
        listener.Start();

        var made = await api.FocalPoint("KH").PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment());
        made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
        var commitment = (await made.Json()).GetProperty("id").GetGuid();
        var submitted = await api.FocalPoint("KH").PostJson($"/api/commitments/{commitment}/progress", new { value = 1, asOf = "2025-01-31" });
        submitted.StatusCode.ShouldBe(HttpStatusCode.OK, await submitted.Content.ReadAsStringAsync());
        var refused = await api.FocalPoint("TH").PostJson($"/api/commitments/{commitment}/progress", new { value = 2, asOf = "2025-01-31" });
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        lock (writes)
        {
            writes.ShouldContain(("MakeCommitmentInPlan", "ok"));
            writes.ShouldContain(("SubmitCommitmentValue", "ok"));
            writes.ShouldContain(("SubmitCommitmentValue", "forbidden"));
        }
        // The gauges share one read kept for 5 s, which a collection by another listener (a flush) may have taken just
        // before the value was submitted: read again until a fresh one comes, within a bound.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            listener.RecordObservableInstruments();
            lock (gauges) if (gauges.GetValueOrDefault("strategy.reviews.pending") == 1 || DateTime.UtcNow > until) break;
            await Task.Delay(250);
        }
        lock (gauges)
        {
            gauges.ShouldContainKeyAndValue("strategy.reviews.pending", 1);
            gauges.ShouldContainKeyAndValue("strategy.reviews.pending_past_deadline", 0);
            gauges.ShouldContainKey("strategy.audit.chain_lag");
            gauges["strategy.audit.chain_lag"].ShouldBeGreaterThanOrEqualTo(0);
            // No contacts, so no mail to wait for.
            gauges.ShouldContainKeyAndValue("strategy.mail.waiting", 0);
        }
    }

    [Fact]
    public async Task Requests_reach_the_metrics_exporter_by_route_and_status()
    {
        var made = await api.FocalPoint("KH").PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment());
        made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
        var commitment = (await made.Json()).GetProperty("id").GetGuid();
        var refused = await api.FocalPoint("TH").PostJson($"/api/commitments/{commitment}/progress", new { value = 2, asOf = "2025-01-31" });
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        (string? Route, object? Status) created = ("/api/plans/{code}/commitments", 201), forbidden = ("/api/commitments/{id:guid}/progress", 403);
        // ASP.NET Core records a request's duration as the request ends on the server, which can be just after the
        // client has its answer: flushed again, within a bound, until both are there.
        List<(string? Route, object? Status)> requests = [];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        do
        {
            api.Services.GetRequiredService<MeterProvider>().ForceFlush().ShouldBeTrue();
            lock (api.Metrics)
                requests = [.. api.Metrics.Where(m => m.Name == "http.server.request.duration")
                    .SelectMany(m => m.MetricPoints)
                    .Select(p => (Route: PointTag(p, "http.route") as string, Status: PointTag(p, "http.response.status_code")))];
            if (requests.Contains(created) && requests.Contains(forbidden)) break;
            await Task.Delay(50);
        } while (DateTime.UtcNow < deadline);
        requests.ShouldContain(created);
        requests.ShouldContain(forbidden);
    }

    [Fact]
    public async Task Per_command_and_per_request_instruments_left_out_are_not_listened_to_while_the_pool_figures_are_exported()
    {
        var made = await api.FocalPoint("KH").PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment());
        made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());

        // A listener that enables nothing hears of every instrument in the process; Enabled says whether anyone listens.
        var published = new List<Instrument>();
        using (var listener = new MeterListener { InstrumentPublished = (instrument, _) => { lock (published) published.Add(instrument); } })
            listener.Start();
        var dropped = published.Where(i => Telemetry.DroppedInstruments.Contains(i.Name)).ToList();
        dropped.Select(i => i.Name).ShouldContain("db.client.operation.duration");
        dropped.Select(i => i.Name).ShouldContain("aspnetcore.routing.match_attempts");
        dropped.Where(i => i.Enabled).Select(i => i.Name).ShouldBeEmpty();
        // Every host in the process has its own; this one's is listened to.
        published.Where(i => i.Name == "http.server.request.duration").ShouldContain(i => i.Enabled);

        api.Services.GetRequiredService<MeterProvider>().ForceFlush().ShouldBeTrue();
        HashSet<string> exported;
        lock (api.Metrics) exported = [.. api.Metrics.Select(m => m.Name)];
        exported.ShouldContain("db.client.connection.count");
        exported.ShouldContain("http.server.request.duration");
        exported.Intersect(Telemetry.DroppedInstruments).ShouldBeEmpty();
    }

    private static object? PointTag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
            if (tag.Key == key) return tag.Value;
        return null;
    }

    private static object? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
            if (tag.Key == key) return tag.Value;
        return null;
    }
}
