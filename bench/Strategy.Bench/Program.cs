using System.Diagnostics;
using System.Text.Json;
using JasperFx.Events.Daemon;
using Marten;
using Marten.Linq.MatchesSql;
using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Domain.Rounds;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Reports;
using Strategy.Infrastructure.Store;

// bench/run.sh's tool, and the measurements docs/benchmarks.md cites for what was changed.
//   marten-loop CONNECTION SECONDS TASKS   the bare Marten baseline: one event appended per transaction (JSON on stdout)
//   marten-write CONNECTION TASKS TARGETS [POSTMASTER_PID]
//                                          the write baseline: a write's database work through the service's own store
//                                          configuration, on the commitments of TARGETS ("id country" lines), in turns: each
//                                          line of standard input is a turn's length in seconds, answered with one JSON line
//                                          (the process stays warm between turns, so bench/run.sh can alternate it with the
//                                          API's); with the PostgreSQL server's process id, also the CPU time per write of
//                                          this process and of the server (Linux /proc)
//   rebuild CONNECTION PROJECTION          Marten's own daemon rebuild of an inline projection, timed
//   report-phases CONNECTION PLAN RUNS [POSTMASTER_PID]
//                                          where a current progress report's time goes: its inputs read (each
//                                          commitment's row computed as it is parsed, as the job does), the content
//                                          built, serialized, hashed and stored (in a temporary copy of the contents'
//                                          table), each timed over RUNS runs after two not counted, with the garbage
//                                          collector's pauses and collections by generation, the bytes allocated and
//                                          this process's CPU time in the read and in the whole report; with the
//                                          server's process id, also the server's CPU time in the read (JSON on
//                                          stdout). REPORT_SINCE_SEQUENCE=N lists the changes since event N instead of
//                                          since the latest report: a data set kept after the write load then lists
//                                          as many as the run's report did
//   scan CONNECTION                        Marten's raw-event query over the commitment events, timed
//   read-log CONNECTION 0|1                CommitmentEventLog over the same events, timed; 1 also folds them
//   sign-checkpoint KEY.pem SEQUENCE HASH  a checkpoint of the chain at SEQUENCE signed with the PEM private key
//                                          (AuditCheckpoints.Sign), as JSON on stdout, for bench/verify-export.sh
return args switch
{
    ["marten-loop", var cs, var seconds, var tasks] => await MartenLoop(cs, int.Parse(seconds), int.Parse(tasks)),
    ["marten-write", var cs, var tasks, var targets] => await MartenWrite(cs, int.Parse(tasks), targets, null),
    ["marten-write", var cs, var tasks, var targets, var postmaster] => await MartenWrite(cs, int.Parse(tasks), targets, int.Parse(postmaster)),
    ["rebuild", var cs, var projection] => await Rebuild(cs, projection),
    ["report-phases", var cs, var plan, var runs] => await ReportPhases(cs, plan, int.Parse(runs), null),
    ["report-phases", var cs, var plan, var runs, var postmaster] => await ReportPhases(cs, plan, int.Parse(runs), int.Parse(postmaster)),
    ["scan", var cs] => await Scan(cs),
    ["read-log", var cs, var fold] => await ReadLog(cs, fold == "1"),
    ["sign-checkpoint", var key, var sequence, var hash] => SignCheckpoint(key, long.Parse(sequence), hash),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Strategy.Bench marten-loop CONNECTION SECONDS TASKS | marten-write CONNECTION TASKS TARGETS [POSTMASTER_PID] | " +
        "rebuild CONNECTION PROJECTION | report-phases CONNECTION PLAN RUNS | scan CONNECTION | read-log CONNECTION 0|1 | sign-checkpoint KEY.pem SEQUENCE HASH");
    return 2;
}

// The service signs its own checkpoints; this signs one with a key of the bench's (openssl ecparam -name prime256v1),
// in camelCase JSON as the API serves records, so verify-export can be timed against a checkpoint.
static int SignCheckpoint(string keyFile, long sequence, string hash)
{
    using var key = System.Security.Cryptography.ECDsa.Create();
    key.ImportFromPem(File.ReadAllText(keyFile));
    var checkpoint = Strategy.Infrastructure.Audit.AuditCheckpoints.Sign(key, sequence, hash, DateTimeOffset.UtcNow);
    Console.WriteLine(JsonSerializer.Serialize(checkpoint, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
    return 0;
}

// Plain Marten in a schema of its own: default options, no projections, no service code. Each task appends
// ValueSubmitted events, one per transaction, to streams of its own (started beforehand), so the loop measures
// what Marten and PostgreSQL do for one durable append, with the service's event type and metadata.
static async Task<int> MartenLoop(string cs, int seconds, int taskCount)
{
    const int streamsPerTask = 64;
    await using var store = DocumentStore.For(o =>
    {
        o.Connection(cs);
        o.DatabaseSchemaName = "bench_bare";
        o.Events.MetadataConfig.HeadersEnabled = true;
        o.Events.MetadataConfig.CorrelationIdEnabled = true;
    });
    await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
    var streams = new Guid[taskCount][];
    await using (var setup = store.LightweightSession())
    {
        for (var t = 0; t < taskCount; t++)
        {
            streams[t] = [.. Enumerable.Range(0, streamsPerTask).Select(_ => Guid.CreateVersion7())];
            foreach (var id in streams[t]) setup.Events.StartStream(id, BareValue(id, 0, new DateOnly(2025, 1, 1), "start"));
        }
        await setup.SaveChangesAsync();
    }

    var latencies = new List<double>[taskCount];
    var until = Stopwatch.GetTimestamp() + (long)(seconds * (double)Stopwatch.Frequency);
    var warmUntil = Stopwatch.GetTimestamp() + Stopwatch.Frequency; // the first second warms pools and JIT, not counted
    await Task.WhenAll(Enumerable.Range(0, taskCount).Select(t => Task.Run(async () =>
    {
        var mine = latencies[t] = new List<double>(1 << 16);
        var i = 0;
        while (Stopwatch.GetTimestamp() < until)
        {
            var id = streams[t][i++ % streamsPerTask];
            var s = Stopwatch.GetTimestamp();
            await using var session = store.LightweightSession();
            session.CorrelationId = "bench";
            session.SetHeader("actor-name", "Bench");
            session.Events.Append(id, BareValue(id, i, new DateOnly(2025, 6, 30), "bench value"));
            await session.SaveChangesAsync();
            if (s >= warmUntil) mine.Add(Stopwatch.GetElapsedTime(s).TotalMilliseconds);
        }
    })));
    var measuredSeconds = Stopwatch.GetElapsedTime(warmUntil).TotalSeconds;
    var all = latencies.SelectMany(l => l).Order().ToArray();
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        requests = all.Length,
        seconds = measuredSeconds,
        rps = all.Length / measuredSeconds,
        p50 = Percentile(all, 0.50),
        p99 = Percentile(all, 0.99),
    }));
    return 0;
}

static ValueSubmitted BareValue(Guid id, double value, DateOnly asOf, string note) =>
    new(id, Guid.CreateVersion7(), value, asOf, null, false, null, note, [], null);

// A write's database work, as the API does it for a focal point's write without If-Match (CommitmentWrites.Decide),
// minus HTTP, the mediator's pipeline and the reads around the write: the service's own store configuration (its
// inline projections: write model, view, value documents), the same connection defaults, per write a session stamped
// with the actor's metadata, FetchForExclusiveWriting<Commitment> (the stream's row lock and the write model), the
// domain's decision, the events appended and saved. Each task rotates through commitments of its own, as the HTTP
// load does, and does the same mix: a value submitted, then a status change (on hold, or back in progress), in turn.
// The plan's rounds are read once, not per write. The first WARMUP seconds (JIT, pools) are not counted.
static async Task<int> MartenWrite(string cs, int taskCount, string targetsFile, int? postmaster)
{
    var options = Options(ConnectionDefaults.Apply(cs));
    await using var store = new DocumentStore(options);
    var targets = File.ReadLines(targetsFile).Select(l => l.Split(' ')).Where(p => p.Length == 2)
        .Select(p => (Id: Guid.Parse(p[0]), Country: p[1])).ToArray();
    if (targets.Length < taskCount) throw new InvalidOperationException($"{targets.Length} commitments for {taskCount} tasks.");
    IReadOnlyList<Round> rounds;
    await using (var query = store.QuerySession()) rounds = await query.Query<Round>().ToListAsync();
    // Each task's place in its walk, kept from one turn to the next, as wrk's visits file keeps the API's.
    var visits = new int[taskCount];

    // One turn per line of standard input (its length in seconds), answered with one JSON line, until input ends.
    while (Console.ReadLine() is { } line)
    {
        var seconds = double.Parse(line, System.Globalization.CultureInfo.InvariantCulture);
        var latencies = new List<double>[taskCount];
        long rejected = 0, failed = 0;
        var ownCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var serverCpuBefore = postmaster is { } pm ? ServerCpuSeconds(pm) : 0;
        var start = Stopwatch.GetTimestamp();
        var until = start + (long)(seconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, taskCount).Select(t => Task.Run(async () =>
        {
            var mine = targets.Where((_, i) => i % taskCount == t).ToArray();
            var list = latencies[t] = new List<double>(1 << 16);
            while (Stopwatch.GetTimestamp() < until)
            {
                var visit = visits[t]++;
                var (id, country) = mine[visit % mine.Length];
                // The n-th visit of a commitment: a value (n even; within 1..100, valid for every unit) or a status change (n odd).
                var pass = visit / mine.Length;
                var submit = pass % 2 == 0;
                var actor = new Actor($"focal-point-{country.ToLowerInvariant()}", $"Bench focal point {country}", Role.FocalPoint, country);
                var s = Stopwatch.GetTimestamp();
                try
                {
                    await using var session = store.LightweightSession();
                    session.LastModifiedBy = actor.Id;
                    session.SetHeader(ActorRef.NameHeader, actor.Name);
                    session.SetHeader(ActorRef.RoleHeader, "focal-point");
                    session.SetHeader(ActorRef.CountryHeader, country);
                    session.CorrelationId = Guid.NewGuid().ToString("N");
                    session.CausationId = $"bench:{t}:{visit}";
                    var stream = await session.Events.FetchForExclusiveWriting<Commitment>(id);
                    var state = stream.Aggregate ?? throw new InvalidOperationException($"No commitment {id}.");
                    var now = DateTimeOffset.UtcNow;
                    var today = MemberTime.TodayFor(actor, now);
                    var decision = submit
                        ? ValueDecisions.Submit(state, new SubmitValue(pass % 100 + 1, DateOnly.FromDateTime(now.UtcDateTime), null, null, "bench", [], null),
                            rounds, Guid.CreateVersion7(), actor, today)
                        : CommitmentDecisions.ChangeStatus(state, state.Status == CommitmentStatus.OnHold ? CommitmentStatus.InProgress : CommitmentStatus.OnHold,
                            "bench", actor);
                    if (!decision.IsAccepted)
                    {
                        if (Interlocked.Increment(ref rejected) <= 3) Console.Error.WriteLine($"rejected: {decision.Rejection!.Message}");
                        continue;
                    }
                    stream.AppendMany(decision.Events.ToArray());
                    await session.SaveChangesAsync();
                }
                catch (Exception e)
                {
                    if (Interlocked.Increment(ref failed) <= 5) Console.Error.WriteLine(e.Message);
                    continue;
                }
                list.Add(Stopwatch.GetElapsedTime(s).TotalMilliseconds);
            }
        })));
        var measuredSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var ownCpu = (Process.GetCurrentProcess().TotalProcessorTime - ownCpuBefore).TotalSeconds;
        var serverCpu = postmaster is { } server ? ServerCpuSeconds(server) - serverCpuBefore : double.NaN;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            requests = all.Length,
            seconds = measuredSeconds,
            rps = all.Length / measuredSeconds,
            p50 = Percentile(all, 0.50),
            p99 = Percentile(all, 0.99),
            rejected,
            failed,
            cpuMsPerWrite = all.Length == 0 ? double.NaN : 1000 * ownCpu / all.Length,
            serverCpuMsPerWrite = all.Length == 0 || !postmaster.HasValue ? (double?)null : 1000 * serverCpu / all.Length,
        }));
    }
    return 0;
}

// CPU seconds the PostgreSQL server has used: the postmaster's own and its exited children's (utime, stime, cutime,
// cstime of /proc/PID/stat), and its live children's (the backends) own.
static double ServerCpuSeconds(int postmaster)
{
    static long[]? Fields(string pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return [.. text[(text.LastIndexOf(')') + 2)..].Split(' ').Select(f => long.TryParse(f, out var n) ? n : 0)];
        }
        catch (IOException) { return null; }
    }
    // After the command name: state, ppid, ..., utime at 11, stime 12, cutime 13, cstime 14 (0-based from state).
    long ticks = 0;
    if (Fields(postmaster.ToString()) is { } own) ticks += own[11] + own[12] + own[13] + own[14];
    foreach (var dir in Directory.EnumerateDirectories("/proc"))
    {
        var pid = Path.GetFileName(dir);
        if (!pid.All(char.IsAsciiDigit) || Fields(pid) is not { } f || f[1] != postmaster) continue;
        ticks += f[11] + f[12];
    }
    return ticks / 100.0; // USER_HZ: 100 on Linux
}

static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

// The service's own store configuration (the API must not be running its daemon on the same schema for the rebuild's
// projection: inline projections have none, so a running API is fine as long as nothing writes).
static async Task<int> Rebuild(string cs, string projection)
{
    await using var store = new DocumentStore(Options(cs));
    using var daemon = await store.BuildProjectionDaemonAsync();
    var watch = Stopwatch.StartNew();
    await daemon.RebuildProjectionAsync(projection, TimeSpan.FromMinutes(30), CancellationToken.None);
    var elapsed = watch.Elapsed.TotalSeconds;
    Console.WriteLine(JsonSerializer.Serialize(new { projection, seconds = elapsed }));
    return 0;
}

// The steps of ReportGenerator.GenerateAsync and of the report job's store, one after another as the job takes them.
static async Task<int> ReportPhases(string cs, string plan, int runs, int? postmaster)
{
    cs = ConnectionDefaults.Apply(cs);
    var settings = new StoreSettings(cs, ApplySchemaOnStartup: false);
    await using var store = new DocumentStore(Options(cs));
    var loader = new ReportInputsLoader(store, settings);
    await using var scratch = new Npgsql.NpgsqlConnection(cs);
    await scratch.OpenAsync();
    await using (var create = new Npgsql.NpgsqlCommand(
        $"create temp table content_scratch (like {settings.Schema}.{ReportContentStore.TableName} including all)", scratch))
        await create.ExecuteNonQueryAsync();
    var since = Environment.GetEnvironmentVariable("REPORT_SINCE_SEQUENCE") is { Length: > 0 } n ? long.Parse(n) : (long?)null;
    async Task<Strategy.Domain.Reports.PreviousReport?> Previous(long sequence, CancellationToken ct)
    {
        if (since is { } s) return new(Guid.Empty, s);
        await using var session = store.QuerySession();
        var previous = await session.Query<ReportView>()
            .Where(x => x.State.Plan == plan && x.State.EventSequence < sequence && x.State.Round == null)
            .Where(x => x.MatchesSql("d.data->'state'->>'kind' = ? and d.data->'state'->>'status' = ?", "progress", "succeeded"))
            .OrderByDescending(x => x.State.EventSequence).FirstOrDefaultAsync(ct);
        return previous is null ? null : new(previous.Id, previous.State.EventSequence!.Value);
    }
    var phases = new Dictionary<string, List<double>>();
    long bytes = 0;
    for (var run = -2; run < runs; run++)
    {
        var times = new Dictionary<string, double>();
        var total = Stopwatch.StartNew();
        var w = Stopwatch.StartNew();
        var gcPause = GC.GetTotalPauseDuration();
        var allocated = GC.GetTotalAllocatedBytes();
        int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var serverCpu = postmaster is { } pm ? ServerCpuSeconds(pm) : 0;
        var today = MemberTime.SecretariatToday(DateTimeOffset.UtcNow);
        (DateOnly On, Strategy.Domain.Progress.HealthThresholds Thresholds)? rowsFor = (today, Strategy.Domain.Progress.HealthThresholds.Default);
        var inputs = await loader.LoadAsync(plan, null, CancellationToken.None, null, Previous, rowsFor: rowsFor)
            ?? throw new InvalidOperationException($"No plan {plan}.");
        times["read"] = w.Elapsed.TotalMilliseconds;
        times["readCpu"] = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
        if (postmaster is { } server) times["readServerCpu"] = 1000 * (ServerCpuSeconds(server) - serverCpu);
        w.Restart();
        var basis = new Strategy.Domain.Reports.ReportBasis(inputs.EventSequence, inputs.ChainHash, today, inputs.PlanVersion);
        var content = Strategy.Domain.Reports.ProgressReport.Build(inputs.Plan, inputs.Rows!, [], basis, inputs.Previous, inputs.Changes!);
        times["build"] = w.Elapsed.TotalMilliseconds;
        w.Restart();
        var json = await CanonicalJsonWriter.WriteAsync(content, ReportGenerator.CanonicalJson);
        times["serialize"] = w.Elapsed.TotalMilliseconds;
        w.Restart();
        _ = json.Sha256();
        times["hash"] = w.Elapsed.TotalMilliseconds;
        w.Restart();
        await using (var insert = new Npgsql.NpgsqlCommand("insert into content_scratch (id, kind, json) values (@id, 'progress', @json)", scratch))
        {
            insert.Parameters.AddWithValue("id", Guid.NewGuid());
            insert.Parameters.Add(new Npgsql.NpgsqlParameter("json", NpgsqlTypes.NpgsqlDbType.Bytea) { Value = json.OpenRead() });
            await insert.ExecuteNonQueryAsync();
        }
        times["store"] = w.Elapsed.TotalMilliseconds;
        times["total"] = total.Elapsed.TotalMilliseconds;
        times["gcPause"] = (GC.GetTotalPauseDuration() - gcPause).TotalMilliseconds;
        times["allocatedMB"] = (GC.GetTotalAllocatedBytes() - allocated) / 1e6;
        for (var g = 0; g < 3; g++) times[$"gen{g}"] = GC.CollectionCount(g) - collections[g];
        times["totalCpu"] = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
        bytes = json.Length;
        Console.Error.WriteLine(string.Join(", ", times.Select(t => $"{t.Key} {t.Value:F0}")));
        if (run >= 0) foreach (var (k, v) in times) (phases.TryGetValue(k, out var list) ? list : phases[k] = []).Add(v);
    }
    Console.WriteLine(JsonSerializer.Serialize(new { runs, bytes, medianMs = phases.ToDictionary(p => p.Key, p => Math.Round(p.Value.Order().ElementAt(p.Value.Count / 2), 1)) }));
    return 0;
}

static async Task<int> Scan(string cs)
{
    await using var store = new DocumentStore(Options(cs));
    var w = Stopwatch.StartNew();
    long n = 0;
    await using var session = store.QuerySession();
    await foreach (var e in session.Events.QueryAllRawEvents().Where(e => e.EventTypeName.IsOneOf(CommitmentEventLog.Types.Keys.ToArray())).OrderBy(e => e.Sequence).ToAsyncEnumerable()) n++;
    Console.WriteLine($"{n} {w.Elapsed}");
    return 0;
}

static async Task<int> ReadLog(string cs, bool fold)
{
    await using var store = new DocumentStore(Options(cs));
    var w = Stopwatch.StartNew();
    var log = CommitmentEventLog.ReadAsync(store, new StoreSettings(cs), "true", new Dictionary<string, object>(), CancellationToken.None);
    long n = 0;
    if (fold) n = (await ViewRebuild.FoldAsync(log)).Events;
    else await foreach (var _ in log) n++;
    Console.WriteLine($"{n} {w.Elapsed}");
    return 0;
}

static StoreOptions Options(string cs)
{
    var o = new StoreOptions();
    StoreSetup.Configure(o, new StoreSettings(cs, ApplySchemaOnStartup: false));
    return o;
}
