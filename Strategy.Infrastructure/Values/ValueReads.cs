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
public sealed class ValueReads(IQuerySession session)
{
    public async Task<IReadOnlyList<ValueView>> ForCommitmentAsync(Guid commitmentId, CancellationToken ct) =>
        await session.Query<ValueView>().Where(v => v.CommitmentId == commitmentId).OrderBy(v => v.SubmittedAt).ThenBy(v => v.Id).ToListAsync(ct);

    /// <summary>Submitted values of the plan (and round, and country) awaiting review, oldest first, paged; with the total.</summary>
    public async Task<(IReadOnlyList<QueuedValue> Items, long Total)> ReviewQueueAsync(ReviewQueueFilter f, CancellationToken ct)
    {
        IQueryable<ValueView> Filtered()
        {
            var q = OfCommitmentsIn(session, session.Query<ValueView>().Where(v => v.MatchesSql("d.data->>'state' = ?", "submitted")), f.Plan, f.Country);
            return f.Round is null ? q : q.Where(v => v.Round == f.Round);
        }
        var page = await Filtered().OrderBy(v => v.SubmittedAt).ThenBy(v => v.Id).Stats(out var stats)
            .Skip((f.Page - 1) * f.PageSize).Take(f.PageSize).ToListAsync(ct);
        var total = page.Count == 0 && f.Page > 1 ? await Filtered().CountAsync(ct) : stats.TotalResults;
        var commitments = (await session.LoadManyAsync<CommitmentView>(ct, page.Select(v => v.CommitmentId).Distinct())).ToDictionary(c => c.Id);
        return ([.. page.Select(v => new QueuedValue(v, commitments[v.CommitmentId]))], total);
    }

    /// <summary>
    /// Values of the plan's commitments (of one member's, if <paramref name="country"/> is given): the commitments are
    /// found by the views' plan and country columns in the same statement, not sent as thousands of ids.
    /// </summary>
    private static IQueryable<ValueView> OfCommitmentsIn(IQuerySession on, IQueryable<ValueView> values, string plan, string? country)
    {
        var schema = on.DocumentStore.Options.DatabaseSchemaName;
        return country is null
            ? values.Where(v => v.MatchesSql($"d.commitment_id in (select id from {schema}.mt_doc_commitmentview where {CommitmentColumns.PlanCode} = ?)", plan))
            : values.Where(v => v.MatchesSql($"d.commitment_id in (select id from {schema}.mt_doc_commitmentview where {CommitmentColumns.PlanCode} = ? and {CommitmentColumns.Country} = ?)", plan, country));
    }

    private sealed record RoundValueRow(Guid CommitmentId, ValueState State, bool Late, Guid? SupersededBy);

    /// <summary>The values sent to <paramref name="round"/> by the plan's commitments (one member's, if given), as completeness counts them.</summary>
    public static async Task<IReadOnlyList<RoundValue>> SentToRoundAsync(IQuerySession on, string plan, string? country, string round, CancellationToken ct) =>
        [.. (await OfCommitmentsIn(on, on.Query<ValueView>().Where(v => v.Round == round), plan, country)
                .Select(v => new RoundValueRow(v.CommitmentId, v.State, v.Late, v.SupersededBy))
                .ToListAsync(ct))
            .Select(v => new RoundValue(v.CommitmentId, v.State, v.Late, v.SupersededBy is not null))];

    /// <summary>
    /// The member's commitments with a value returned for correction and not corrected yet (whichever round it was
    /// sent to). Read through a partial index of such values (StoreSetup): few beside all the values.
    /// </summary>
    public static async Task<IReadOnlySet<Guid>> AwaitingCorrectionAsync(IQuerySession on, string plan, string country, CancellationToken ct) =>
        (await OfCommitmentsIn(on, on.Query<ValueView>().Where(v => v.MatchesSql(ReturnedOpen)), plan, country)
            .Select(v => v.CommitmentId).ToListAsync(ct)).ToHashSet();

    /// <summary>A value awaiting the secretariat's review: the predicate of its partial indexes, as queries must write it.</summary>
    public const string AwaitingReview = "d.data->>'state' = 'submitted'";

    /// <summary>A returned value not superseded by its correction: the predicate of its partial index, as queries must write it.</summary>
    public const string ReturnedOpen = "d.data->>'state' = 'returned' and d.data->>'supersededBy' is null";

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
        // The plan's values in the round: those of commitments not listed are not counted.
        var sent = await SentToRoundAsync(on, round.Plan, null, round.Code, ct);
        return RoundCompleteness.Compute(plan.Countries.Select(c => c.Code),
            commitments.Where(c => !c.Withdrawn).Select(c => new RoundCommitment(c.Id, c.Country)), sent);
    }
}
