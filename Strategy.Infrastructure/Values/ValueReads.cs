using Marten;
using Marten.Linq;
using Marten.Linq.MatchesSql;
using Strategy.Domain.Commitments;
using Strategy.Domain.Plans;
using Strategy.Domain.Rounds;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;

namespace Strategy.Infrastructure.Values;

public sealed record ReviewQueueFilter(string Plan, string? Round, string? Country, int Page, int PageSize);

/// <summary>A value awaiting review with the commitment it belongs to.</summary>
public sealed record QueuedValue(ValueView Value, CommitmentView Commitment);

/// <summary>Reads of reported values: a commitment's values, and the secretariat's review queue.</summary>
public sealed class ValueReads(IQuerySession session, StoreSettings settings)
{
    public async Task<IReadOnlyList<ValueView>> ForCommitmentAsync(Guid commitmentId, CancellationToken ct) =>
        await session.Query<ValueView>().Where(v => v.CommitmentId == commitmentId).OrderBy(v => v.SubmittedAt).ThenBy(v => v.Id).ToListAsync(ct);

    /// <summary>Submitted values of the plan (and round, and country) awaiting review, oldest first, paged; with the total.</summary>
    public async Task<(IReadOnlyList<QueuedValue> Items, long Total)> ReviewQueueAsync(ReviewQueueFilter f, CancellationToken ct)
    {
        var views = $"{settings.Schema}.mt_doc_commitmentview";
        var inScope = f.Country is null
            ? $"d.commitment_id in (select id from {views} where {CommitmentColumns.PlanCode} = ?)"
            : $"d.commitment_id in (select id from {views} where {CommitmentColumns.PlanCode} = ? and {CommitmentColumns.Country} = ?)";
        object[] scope = f.Country is null ? [f.Plan] : [f.Plan, f.Country];
        IQueryable<ValueView> Filtered()
        {
            var q = session.Query<ValueView>()
                .Where(v => v.MatchesSql("d.data->>'state' = ?", "submitted"))
                .Where(v => v.MatchesSql(inScope, scope));
            return f.Round is null ? q : q.Where(v => v.Round == f.Round);
        }
        var page = await Filtered().OrderBy(v => v.SubmittedAt).ThenBy(v => v.Id).Stats(out var stats)
            .Skip((f.Page - 1) * f.PageSize).Take(f.PageSize).ToListAsync(ct);
        var total = page.Count == 0 && f.Page > 1 ? await Filtered().CountAsync(ct) : stats.TotalResults;
        var commitments = (await session.LoadManyAsync<CommitmentView>(ct, page.Select(v => v.CommitmentId).Distinct())).ToDictionary(c => c.Id);
        return ([.. page.Select(v => new QueuedValue(v, commitments[v.CommitmentId]))], total);
    }

    /// <summary>A round's completeness per member of <paramref name="plan"/>, over all the plan's commitments.</summary>
    public static async Task<IReadOnlyList<CountryCompleteness>> CompletenessAsync(IQuerySession on, Plan plan, Round round, CancellationToken ct)
    {
        var commitments = await on.Query<CommitmentView>().Where(c => c.State.PlanCode == round.Plan)
            .Select(c => new { c.Id, c.State.Country, c.State.Withdrawn }).ToListAsync(ct);
        return await CompletenessAsync(on, plan, round, [.. commitments.Select(c => (c.Id, c.Country, c.Withdrawn))], ct);
    }

    /// <summary>The members whose commitments still lack a value in <paramref name="round"/>, with how many each.</summary>
    public static async Task<Dictionary<string, int>> MissingAsync(IQuerySession on, Plan plan, Round round, CancellationToken ct) =>
        (await CompletenessAsync(on, plan, round, ct)).Where(c => c.Missing > 0).ToDictionary(c => c.Country, c => c.Missing);

    /// <summary>
    /// A round's completeness per member of <paramref name="plan"/>: the <paramref name="commitments"/> (those not
    /// withdrawn count) and the values sent to the round, read in <paramref name="on"/>'s snapshot.
    /// </summary>
    public static async Task<IReadOnlyList<CountryCompleteness>> CompletenessAsync(IQuerySession on, Plan plan, Round round,
        IReadOnlyCollection<(Guid Id, string Country, bool Withdrawn)> commitments, CancellationToken ct)
    {
        var ids = commitments.Select(c => c.Id).ToArray();
        var sent = await on.Query<ValueView>()
            .Where(v => v.Round == round.Code)
            .Where(v => v.MatchesSql("d.commitment_id = any(?)", ids))
            .Select(v => new RoundValue(v.CommitmentId, v.State, v.Late, v.SupersededBy != null))
            .ToListAsync(ct);
        return RoundCompleteness.Compute(plan.Countries.Select(c => c.Code),
            commitments.Where(c => !c.Withdrawn).Select(c => new RoundCommitment(c.Id, c.Country)), sent);
    }
}
