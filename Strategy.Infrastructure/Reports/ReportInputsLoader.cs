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

public sealed record ReportInputs(Plan Plan, long PlanVersion, IReadOnlyList<CommitmentSnapshot> Commitments, long EventSequence, string ChainHash,
    RoundSection? Round = null);

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
    public async Task<ReportInputs?> LoadAsync(string planCode, DateTimeOffset? asOf, CancellationToken ct, string? round = null)
    {
        // Npgsql writes only UTC instants to timestamptz: an asOf given with an offset is the same instant in UTC.
        asOf = asOf?.ToUniversalTime();
        // One snapshot for the views and the last sequence, so the report and its eventSequence agree.
        await using var session = store.QuerySession(new Marten.Services.SessionOptions { IsolationLevel = IsolationLevel.RepeatableRead });
        var planId = StreamIds.ForPlan(planCode);
        PlanView? plan;
        List<CommitmentSnapshot> commitments;
        if (asOf is { } at)
        {
            plan = await session.Events.AggregateStreamAsync<PlanView>(planId, timestamp: at, token: ct);
            if (plan is null) return null;
            commitments = [.. (await FoldAsync(session, planCode, at, ct)).Select(Snapshot)];
        }
        else
        {
            plan = await session.LoadAsync<PlanView>(planId, ct);
            if (plan is null) return null;
            var views = await session.Query<CommitmentView>().Where(x => x.State.PlanCode == planCode).ToListAsync(ct);
            commitments = [.. views.Select(Snapshot)];
        }

        RoundSection? section = null;
        Guid? roundStream = null;
        if (round is not null)
        {
            var view = await session.Query<RoundView>().SingleOrDefaultAsync(r => r.State.Plan == planCode && r.State.Code == round, ct);
            if (view is null) return null;
            roundStream = view.Id;
            commitments = await MeasuredUpToAsync(session, commitments, view.State.PeriodEnd, ct);
            section = await RoundSectionAsync(session, plan.Plan, view.State, commitments, ct);
        }

        var sequence = await LastSequenceAsync(session, planId, planCode, asOf, roundStream, ct);
        var chain = await ChainHashAtAsync(sequence, ct);
        return new ReportInputs(plan.Plan, plan.Version, commitments, sequence, chain, section);
    }

    /// <summary>
    /// The commitments with their official figures (latest value, trend) from the values that count now and are dated
    /// up to <paramref name="periodEnd"/>, folded into the same running sums the views keep.
    /// </summary>
    private static async Task<List<CommitmentSnapshot>> MeasuredUpToAsync(IQuerySession session, List<CommitmentSnapshot> commitments, DateOnly periodEnd, CancellationToken ct)
    {
        var counting = (await session.Query<ValueView>()
                .Where(v => v.Standing && v.AsOf <= periodEnd)
                .Where(v => v.MatchesSql($"d.commitment_id = any(?)", commitments.Select(c => c.State.Id).ToArray()))
                .Select(v => new CountingValue(v.CommitmentId, v.AsOf, v.Value))
                .ToListAsync(ct))
            .ToLookup(v => v.CommitmentId);
        return [.. commitments.Select(c =>
        {
            var values = counting[c.State.Id].OrderBy(v => v.AsOf).ToList();
            var trend = Trend.Of(c.State.PlanStart, values.Select(v => (v.AsOf, v.Value)));
            var latest = values.Count == 0 ? null : new Measurement(values[^1].AsOf, values[^1].Value);
            return c with { State = c.State with { Latest = latest, Trend = trend } };
        })];
    }

    private sealed record CountingValue(Guid CommitmentId, DateOnly AsOf, double Value);

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
    private async Task<IReadOnlyCollection<CommitmentView>> FoldAsync(IQuerySession session, string planCode, DateTimeOffset at, CancellationToken ct)
    {
        var where = $"e.timestamp <= @at and e.stream_id in {PlanCommitmentIds("@plan")}";
        var parameters = new Dictionary<string, object> { ["at"] = at, ["plan"] = planCode };
        var connection = session.Connection ?? throw new InvalidOperationException("The report's session has no open connection.");
        var (views, _) = await ViewRebuild.FoldAsync(CommitmentEventLog.ReadAsync(store, connection, settings.Schema, where, parameters, ct, actorDetails: false, byStream: true));
        return views;
    }

    /// <summary>What a report reads of a commitment, from its view (current) or its folded view (as of an instant).</summary>
    private static CommitmentSnapshot Snapshot(CommitmentView v) => new(v.State, v.CreatedAt, v.LastUpdatedAt, v.LastUpdatedBy.Id);

    /// <summary>The ids of the plan's commitments (SQL, with the plan code as <paramref name="parameter"/>).</summary>
    private string PlanCommitmentIds(string parameter) =>
        $"(select id from {settings.Schema}.mt_doc_commitmentview where {CommitmentColumns.PlanCode} = {parameter})";

    /// <summary>The last event of the plan's own stream or of its commitments' streams (report runs do not count).</summary>
    private async Task<long> LastSequenceAsync(IQuerySession session, Guid planId, string planCode, DateTimeOffset? asOf, Guid? roundStream, CancellationToken ct)
    {
        var s = settings.Schema;
        // Now: each stream's last event is the one at the stream's version, found by the (stream, version) index, so
        // the cost grows with the plan's streams, not with their history. As of an instant: the events up to it.
        var sql = asOf is null
            ? $"select coalesce(max(e.seq_id), 0) from {s}.mt_streams st join {s}.mt_events e on e.stream_id = st.id and e.version = st.version " +
              $"where st.id = ? or st.id in {PlanCommitmentIds("?")}"
            : $"select coalesce(max(e.seq_id), 0) from {s}.mt_events e where (e.stream_id = ? or e.stream_id in {PlanCommitmentIds("?")}) and e.timestamp <= ?";
        // A DateTimeOffset, not a UTC DateTime: Marten sends DateTime as "timestamp without time zone", which Npgsql
        // refuses for Kind=Utc, so every as-of report failed here.
        object[] parameters = asOf is { } at ? [planId, planCode, at] : [planId, planCode];
        var result = (await session.AdvancedSql.QueryAsync<long>(sql, ct, parameters)).Single();
        if (roundStream is not { } rs) return result;
        // A round report also saw its round's events (its deadline, its closing).
        var roundLast = (await session.AdvancedSql.QueryAsync<long>(
            $"select coalesce(max(e.seq_id), 0) from {s}.mt_events e where e.stream_id = ?", ct, rs)).Single();
        return Math.Max(result, roundLast);
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
        var s = settings.Schema;
        long from = 0;
        var hash = AuditHash.Genesis;
        await using (var last = new NpgsqlCommand($"select id, data->>'hash' from {s}.mt_doc_auditlink where id <= @seq order by id desc limit 1", connection))
        {
            last.Parameters.AddWithValue("seq", sequence);
            await using var r = await last.ExecuteReaderAsync(ct);
            if (await r.ReadAsync(ct)) { from = r.GetInt64(0); hash = r.GetString(1); }
        }
        if (from == sequence) return hash;
        await using var rest = new NpgsqlCommand(AuditHash.Sql(s, "e.seq_id > @from and e.seq_id <= @seq"), connection);
        rest.Parameters.AddWithValue("from", from);
        rest.Parameters.AddWithValue("seq", sequence);
        await using var reader = await rest.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) hash = AuditHash.Next(hash, AuditHash.Canonical(reader));
        return hash;
    }

    /// <summary>New commitments, status changes and withdrawals in the plan between two sequences.</summary>
    public async Task<IReadOnlyList<CommitmentChange>> ChangesAsync(string planCode, long after, long upTo, IReadOnlyList<CommitmentSnapshot> commitments, CancellationToken ct)
    {
        if (upTo <= after) return [];
        var byId = commitments.ToDictionary(c => c.State.Id);
        var where = $"e.seq_id > @after and e.seq_id <= @upTo and e.type = any(@changes) and e.stream_id in {PlanCommitmentIds("@plan")}";
        var parameters = new Dictionary<string, object>
        {
            ["after"] = after, ["upTo"] = upTo, ["plan"] = planCode,
            ["changes"] = ChangeTypeNames,
        };
        var changes = new List<CommitmentChange>();
        await foreach (var e in CommitmentEventLog.ReadAsync(store, settings, where, parameters, ct, actorDetails: false))
            if (byId.TryGetValue(e.StreamId, out var snapshot) && CommitmentChanges.From(e.Sequence, e.Timestamp, e.Data, snapshot.State) is { } change) changes.Add(change);
        return changes;
    }

    /// <summary>The stored names of the event types reports list as changes.</summary>
    private static readonly string[] ChangeTypeNames =
        [.. CommitmentEventLog.Types.Where(t => CommitmentChanges.KindOf(t.Value) is not null).Select(t => t.Key)];
}
