using System.Data;
using JasperFx.Events;
using Marten;
using Npgsql;
using Strategy.Domain.Commitments;
using Strategy.Domain.Plans;
using Strategy.Domain.Progress;
using Strategy.Domain.Reports;
using Strategy.Domain.Rounds;
using Marten.Linq.MatchesSql;
using Strategy.Infrastructure.Audit;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;

namespace Strategy.Infrastructure.Reports;

/// <param name="Previous">With changes asked for: the report they are listed since (none: since the plan began).</param>
/// <param name="Changes">With changes asked for: new commitments, status changes, withdrawals and restorations since <paramref name="Previous"/>.</param>
/// <param name="Rows">With rows asked for, of a current report: each commitment's report row, computed while the views were read.</param>
public sealed record ReportInputs(Plan Plan, long PlanVersion, IReadOnlyList<CommitmentSnapshot> Commitments, long EventSequence, string ChainHash,
    RoundSection? Round = null, PreviousReport? Previous = null, IReadOnlyList<CommitmentChange>? Changes = null, ProgressRows? Rows = null);

/// <summary>
/// What a report is computed from. Current reports read the inline views (cost grows with commitments, not with
/// history); as-of reports fold the plan's events up to the instant with the domain's own Evolve. Both give the
/// same snapshots for the same events, so a current report and an as-of report of the same moment match.
/// </summary>
public sealed class ReportInputsLoader(IDocumentStore store, StoreSettings settings)
{
    /// <param name="round">
    /// A round's code: the commitments as they are now, with official figures from the values dated up to the round's
    /// period end that count now (accepted, and not replaced), and the round's completeness.
    /// </param>
    /// <param name="previous">
    /// Given the report's last sequence, the earlier report whose changes since are listed (null: all since the plan
    /// began); without it, no changes are read. The changes are read while the commitments are, in the same snapshot.
    /// </param>
    /// <param name="rowsFor">
    /// For a current progress report (no instant, no round): the day and thresholds it is evaluated with; each
    /// commitment's row (<see cref="ProgressReport.Row"/>) is then computed as its view is parsed.
    /// </param>
    public async Task<ReportInputs?> LoadAsync(string planCode, DateTimeOffset? asOf, CancellationToken ct, string? round = null,
        Func<long, CancellationToken, Task<PreviousReport?>>? previous = null, (DateOnly On, HealthThresholds Thresholds)? rowsFor = null)
    {
        // Npgsql writes only UTC instants to timestamptz: an asOf given with an offset is the same instant in UTC.
        asOf = asOf?.ToUniversalTime();
        // One snapshot for the views and the last sequence, so the report and its eventSequence agree.
        await using var session = store.QuerySession(new Marten.Services.SessionOptions { IsolationLevel = IsolationLevel.RepeatableRead });
        var planId = StreamIds.ForPlan(planCode);
        var plan = asOf is { } at
            ? await session.Events.AggregateStreamAsync<PlanView>(planId, timestamp: at, token: ct)
            : await session.LoadAsync<PlanView>(planId, ct);
        if (plan is null) return null;
        RoundView? roundView = null;
        if (round is not null)
        {
            roundView = await session.Query<RoundView>().SingleOrDefaultAsync(r => r.State.Plan == planCode && r.State.Code == round, ct);
            if (roundView is null) return null;
        }

        // The last sequence and its chain hash are read on a second connection in the same snapshot while this one reads
        // the commitments: the two reads overlap instead of adding up.
        var connection = session.Connection ?? throw new InvalidOperationException("The report's session has no open connection.");
        var snapshot = await ExportSnapshotAsync(connection, ct);
        var basis = BasisAsync(snapshot, planId, planCode, asOf, roundView?.Id, previous, ct);
        List<CommitmentSnapshot> commitments;
        ProgressRows? rows = null;
        RoundSection? section = null;
        try
        {
            if (asOf is null && roundView is null && rowsFor is var (on, thresholds))
            {
                var read = await CommitmentSnapshots.ReadAsync(connection, settings.Schema, planCode, c => ProgressReport.Row(c, on, thresholds), r => r.C.State.Code, ct);
                rows = new ProgressRows(read, on, thresholds);
                commitments = [.. read.Select(r => r.C)];
            }
            else commitments = asOf is { } instant
                ? [.. (await FoldAsync(connection, planCode, instant, ct)).Select(Snapshot)]
                : await CommitmentSnapshots.ReadAsync(connection, settings.Schema, planCode, ct);
            if (roundView is not null)
            {
                commitments = await MeasuredUpToAsync(connection, commitments, roundView.State.PeriodEnd, ct);
                section = await RoundSectionAsync(session, plan.Plan, roundView.State, commitments, ct);
            }
        }
        catch
        {
            // The second read is not left running, nor its failure unobserved, when this one fails: this one's is reported.
            try { await basis; } catch (Exception) { }
            throw;
        }
        var (sequence, chain, since, entries) = await basis;
        return new ReportInputs(plan.Plan, plan.Version, commitments, sequence, chain, section, since,
            entries is null ? null : Changes(entries, commitments), rows);
    }

    private static async Task<string> ExportSnapshotAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var export = new NpgsqlCommand("select pg_export_snapshot()", connection);
        return (string)(await export.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// The report's last sequence, read in <paramref name="snapshot"/> (exported by the report's session), the chain's
    /// hash after it and, when <paramref name="previous"/> is given, the change events since the previous report, read
    /// in the same snapshot while the hash is computed.
    /// </summary>
    private async Task<(long Sequence, string Chain, PreviousReport? Previous, List<CommitmentLogEntry>? Changes)> BasisAsync(string snapshot, Guid planId,
        string planCode, DateTimeOffset? asOf, Guid? roundStream, Func<long, CancellationToken, Task<PreviousReport?>>? previous, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        // Snapshot ids are generated by the server (pg_export_snapshot), never from input.
        await using (var use = new NpgsqlCommand($"set transaction snapshot '{snapshot}'", connection, transaction))
            await use.ExecuteNonQueryAsync(ct);
        var sequence = await LastSequenceAsync(connection, planId, planCode, asOf, roundStream, ct);
        if (previous is null) return (sequence, await ChainHashAtAsync(sequence, ct), null, null);
        var chain = ChainHashAtAsync(sequence, ct);
        PreviousReport? since;
        List<CommitmentLogEntry> changes;
        try
        {
            since = await previous(sequence, ct);
            changes = await ChangeEventsAsync(connection, planCode, since?.EventSequence ?? 0, sequence, ct);
        }
        catch
        {
            try { await chain; } catch (Exception) { }
            throw;
        }
        return (sequence, await chain, since, changes);
    }

    /// <summary>
    /// The commitments with their official figures (latest value, trend) from the values that count now and are dated
    /// up to <paramref name="periodEnd"/>, folded into the same running sums the views keep. The values are streamed in
    /// date order per commitment and folded as they come, so memory holds one commitment's sums, not the history
    /// (381,819 values at L).
    /// </summary>
    private async Task<List<CommitmentSnapshot>> MeasuredUpToAsync(NpgsqlConnection connection, List<CommitmentSnapshot> commitments, DateOnly periodEnd, CancellationToken ct)
    {
        static string Member(string name) => $"(d.data->>'{StoredJson.Member(name)}')";
        await using var command = new NpgsqlCommand(
            $"select d.commitment_id, {Member(nameof(ValueView.AsOf))}::date, {Member(nameof(ValueView.Value))}::float8 from {settings.Schema}.mt_doc_valueview d " +
            $"where {Member(nameof(ValueView.Standing))}::boolean and {Member(nameof(ValueView.AsOf))}::date <= @end and d.commitment_id = any(@ids) " +
            "order by d.commitment_id, 2", connection);
        command.Parameters.AddWithValue("end", periodEnd);
        command.Parameters.AddWithValue("ids", commitments.Select(c => c.State.Id).ToArray());
        var byId = commitments.ToDictionary(c => c.State.Id);
        var measured = new Dictionary<Guid, (Trend Trend, Measurement Latest)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetGuid(0);
                var asOf = reader.GetFieldValue<DateOnly>(1);
                var value = reader.GetDouble(2);
                var trend = measured.TryGetValue(id, out var soFar) ? soFar.Trend : Trend.Empty;
                // One standing value per date, so the order (and with it every sum) is the same on each run.
                measured[id] = (trend.Add(byId[id].State.PlanStart, asOf, value), new Measurement(asOf, value));
            }
        }
        return [.. commitments.Select(c => measured.TryGetValue(c.State.Id, out var m)
            ? c with { State = c.State with { Latest = m.Latest, Trend = m.Trend } }
            : c with { State = c.State with { Latest = null, Trend = Trend.Empty } })];
    }

    private static async Task<RoundSection> RoundSectionAsync(IQuerySession session, Plan plan, Round round, IReadOnlyList<CommitmentSnapshot> commitments, CancellationToken ct)
    {
        var completeness = await Values.ValueReads.CompletenessAsync(session, plan, round,
            [.. commitments.Select(c => (c.State.Id, c.State.Country, c.State.Withdrawn))], ct);
        return new RoundSection(round.Code, round.Title, round.PeriodStart, round.PeriodEnd, round.Deadline, !round.Closed, completeness);
    }

    /// <summary>
    /// The plan's commitments as they stood at <paramref name="at"/>, folded from their events. Read through
    /// <see cref="CommitmentEventLog"/> (a single streamed query; memory grows with commitments, not with history).
    /// A commitment made after the instant has no event before it, so it does not appear. Read on the session's own
    /// connection, in its repeatable-read snapshot, so the fold and the report's last sequence see the same events.
    /// </summary>
    private async Task<IReadOnlyCollection<CommitmentView>> FoldAsync(NpgsqlConnection connection, string planCode, DateTimeOffset at, CancellationToken ct)
    {
        var where = $"e.timestamp <= @at and e.stream_id in {PlanCommitmentIds("@plan")}";
        var parameters = new Dictionary<string, object> { ["at"] = at, ["plan"] = planCode };
        var (views, _) = await ViewRebuild.FoldAsync(CommitmentEventLog.ReadAsync(store, connection, settings.Schema, where, parameters, ct, actorDetails: false, byStream: true));
        return views;
    }

    /// <summary>What a report reads of a commitment, from its view (current) or its folded view (as of an instant).</summary>
    private static CommitmentSnapshot Snapshot(CommitmentView v) => new(v.State, v.CreatedAt, v.LastUpdatedAt, v.LastUpdatedBy.Id);

    /// <summary>The ids of the plan's commitments (SQL, with the plan code as <paramref name="parameter"/>).</summary>
    private string PlanCommitmentIds(string parameter) =>
        $"(select id from {settings.Schema}.mt_doc_commitmentview where {CommitmentColumns.PlanCode} = {parameter})";

    /// <summary>
    /// How many of the latest events a current report looks through for the plan's last one before it looks the last
    /// event up stream by stream. The plan's last event is nearly always among them (what came after it is report runs,
    /// other plans' events), and finding it there costs a few index probes instead of one per commitment.
    /// </summary>
    public int RecentEventsScanned { get; init; } = 1_000;

    /// <summary>The last event of the plan's own stream or of its commitments' streams (report runs do not count).</summary>
    private async Task<long> LastSequenceAsync(NpgsqlConnection connection, Guid planId, string planCode, DateTimeOffset? asOf, Guid? roundStream, CancellationToken ct)
    {
        var s = settings.Schema;
        // A scalar lookup per event, by the view's primary key: as an EXISTS, PostgreSQL hashes all the plan's commitments
        // first (14 ms at 20,000), where the walk usually stops at the first event.
        var ofPlan = $"(e.stream_id = @plan or (select v.{CommitmentColumns.PlanCode} from {s}.mt_doc_commitmentview v where v.id = e.stream_id) = @code)";
        // Now: the latest of the plan's events among the most recent ones, walking back the sequence's index; if none is
        // there, each stream's last event, the one at the stream's version, found by the (stream, version) index (the
        // cost grows with the plan's streams, not with their history). COALESCE runs the second only when the first is
        // null. As of an instant: the events up to it.
        var sql = asOf is null
            ? $"select coalesce((select e.seq_id from (select seq_id, stream_id from {s}.mt_events order by seq_id desc limit @recent) e where {ofPlan} order by e.seq_id desc limit 1), " +
              $"(select coalesce(max(e.seq_id), 0) from {s}.mt_streams st join {s}.mt_events e on e.stream_id = st.id and e.version = st.version " +
              $"where st.id = @plan or st.id in {PlanCommitmentIds("@code")}))"
            : $"select coalesce(max(e.seq_id), 0) from {s}.mt_events e where (e.stream_id = @plan or e.stream_id in {PlanCommitmentIds("@code")}) and e.timestamp <= @at";
        // A round report also saw its round's events (its deadline, its closing).
        if (roundStream is not null) sql = $"select greatest(({sql}), (select coalesce(max(e.seq_id), 0) from {s}.mt_events e where e.stream_id = @round))";
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("plan", planId);
        command.Parameters.AddWithValue("code", planCode);
        if (asOf is null) command.Parameters.AddWithValue("recent", RecentEventsScanned);
        // A DateTimeOffset, which Npgsql sends as timestamptz.
        if (asOf is { } at) command.Parameters.AddWithValue("at", at);
        if (roundStream is { } rs) command.Parameters.AddWithValue("round", rs);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// The audit chain's hash after <paramref name="sequence"/>: the stored link when the daemon has reached it,
    /// otherwise computed on from the last stored link, exactly as the daemon will.
    /// </summary>
    public async Task<string> ChainHashAtAsync(long sequence, CancellationToken ct)
    {
        if (sequence == 0) return AuditHash.Genesis;
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(ct);
        long from = 0;
        var hash = AuditHash.Genesis;
        await using (var last = new NpgsqlCommand($"select id, data->>'hash' from {settings.Schema}.mt_doc_auditlink where id <= @seq order by id desc limit 1", connection))
        {
            last.Parameters.AddWithValue("seq", sequence);
            await using var r = await last.ExecuteReaderAsync(ct);
            if (await r.ReadAsync(ct)) { from = r.GetInt64(0); hash = r.GetString(1); }
        }
        if (from == sequence) return hash;
        await AwaitEventWritersAsync(connection, ct);
        return (await AuditVerifier.ExtendAsync(connection, settings.Schema, from, hash, sequence, ct)).Hash;
    }

    /// <summary>How long a report waits for writers still committing events before it gives up (and its job is retried).</summary>
    public static readonly TimeSpan EventWritersWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Waits until every transaction that is writing events now has ended. An event's sequence is drawn when it is
    /// inserted, not when it commits: one still committing may hold a sequence below the report's last, and a chain
    /// hash computed without it would differ from the chain once it lands (and the report's signed checkpoint with it).
    /// Writers that start later draw higher sequences, so only those holding the events table now are waited for.
    /// </summary>
    private async Task AwaitEventWritersAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var find = new NpgsqlCommand(
            "select coalesce(array_agg(distinct a.backend_xid::text), '{}') from pg_locks l join pg_stat_activity a on a.pid = l.pid " +
            "where l.locktype = 'relation' and l.relation = to_regclass(@events) and l.mode = 'RowExclusiveLock' and l.granted " +
            "and a.pid <> pg_backend_pid() and a.backend_xid is not null", connection);
        find.Parameters.AddWithValue("events", $"{settings.Schema}.mt_events");
        var writers = (string[])(await find.ExecuteScalarAsync(ct))!;
        if (writers.Length == 0) return;
        await using var running = new NpgsqlCommand("select count(*) from pg_stat_activity where backend_xid::text = any(@writers)", connection);
        running.Parameters.AddWithValue("writers", writers);
        var deadline = DateTime.UtcNow + EventWritersWait;
        while ((long)(await running.ExecuteScalarAsync(ct))! > 0)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Transactions writing events did not end within {EventWritersWait.TotalSeconds:0} s; the report's chain hash cannot be fixed yet.");
            await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
        }
    }

    /// <summary>The events of the plan's commitments that reports list as changes, between two sequences, read on <paramref name="connection"/>.</summary>
    private async Task<List<CommitmentLogEntry>> ChangeEventsAsync(NpgsqlConnection connection, string planCode, long after, long upTo, CancellationToken ct)
    {
        var events = new List<CommitmentLogEntry>();
        if (upTo <= after) return events;
        var where = $"e.seq_id > @after and e.seq_id <= @upTo and e.type = any(@changes) and e.stream_id in {PlanCommitmentIds("@plan")}";
        var parameters = new Dictionary<string, object>
        {
            ["after"] = after, ["upTo"] = upTo, ["plan"] = planCode,
            ["changes"] = ChangeTypeNames,
        };
        await foreach (var e in CommitmentEventLog.ReadAsync(store, connection, settings.Schema, where, parameters, ct, actorDetails: false)) events.Add(e);
        return events;
    }

    /// <summary>New commitments, status changes, withdrawals and restorations, from their events and the commitments they are of.</summary>
    private static List<CommitmentChange> Changes(List<CommitmentLogEntry> events, IReadOnlyList<CommitmentSnapshot> commitments)
    {
        var byId = commitments.ToDictionary(c => c.State.Id);
        var changes = new List<CommitmentChange>(events.Count);
        foreach (var e in events)
            if (byId.TryGetValue(e.StreamId, out var snapshot) && CommitmentChanges.From(e.Sequence, e.Timestamp, e.Data, snapshot.State) is { } change) changes.Add(change);
        return changes;
    }

    /// <summary>The stored names of the event types reports list as changes.</summary>
    private static readonly string[] ChangeTypeNames =
        [.. CommitmentEventLog.Types.Where(t => CommitmentChanges.KindOf(t.Value) is not null).Select(t => t.Key)];
}
