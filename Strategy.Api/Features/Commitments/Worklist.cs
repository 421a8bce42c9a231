using Marten;
using Mediator;
using Strategy.Api.Features.Rounds;
using Strategy.Api.Http;
using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Domain.Progress;
using Strategy.Domain.Rounds;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;
using Strategy.Infrastructure.Values;

namespace Strategy.Api.Features.Commitments;

/// <summary>Why a commitment needs its country's attention now.</summary>
public enum WorkReason { NoValueThisRound, Returned, Overdue, OffTrack }

public sealed record WorkItem(CommitmentDto Commitment, IReadOnlyList<WorkReason> Reasons, ValueState? RoundState);

/// <param name="Round">The open round due first, if the plan has one open.</param>
/// <param name="Needs">The first <see cref="GetCountryWorklist.Shown"/> of the country's commitments that need something, the most urgent reasons first.</param>
/// <param name="NeedCount">How many commitments need something, shown or not.</param>
/// <param name="Commitments">How many commitments (not withdrawn) the country has in the plan.</param>
/// <param name="First">The first <see cref="GetCountryWorklist.Listed"/> of them by code, as the plan's list orders them.</param>
public sealed record Worklist(string Plan, string Country, RoundDto? Round, IReadOnlyList<WorkItem> Needs, int NeedCount, int Commitments,
    IReadOnlyList<CommitmentDto> First);

/// <summary>
/// A country's commitments that need something this round: no value in the open round, a value returned for
/// correction, overdue, or off track. Health is the commitment read's (accepted values only); what counts in a round is
/// <see cref="RoundCompleteness.Counting"/>, as the round's completeness counts it. Only the commitments shown are
/// answered with their whole read: a country may hold thousands.
/// </summary>
public sealed record GetCountryWorklist(string Plan, string Country, int Shown = 25, int Listed = 0, string Language = Translations.Source) : IQuery<Worklist>;

public sealed class GetCountryWorklistHandler(IQuerySession session, CountryHealthInputs healthInputs, TimeProvider clock, HealthThresholds thresholds)
    : IQueryHandler<GetCountryWorklist, Worklist>
{
    public async ValueTask<Worklist> Handle(GetCountryWorklist query, CancellationToken ct)
    {
        if (await session.LoadAsync<PlanView>(StreamIds.ForPlan(query.Plan), ct) is null) throw RejectedException.NotFound($"No plan {query.Plan}.");
        var now = clock.GetUtcNow();
        // Only the inputs of health and of the reasons, not the views whole: a country may hold thousands.
        var today = MemberTime.Today(query.Country, now);
        var rows = (await healthInputs.ReadAsync(query.Plan, query.Country, ct))
            .Select(v => new Row(v.Id, v.Code, v.Status, ProgressMath.HealthOf(v.Status, false, v.Start, v.Due, v.Progress, today, thresholds)))
            .ToList();
        var round = (await session.Query<RoundView>().Where(r => r.State.Plan == query.Plan && !r.State.Closed).ToListAsync(ct))
            .OrderBy(r => r.State.Deadline).FirstOrDefault();
        var counting = round is null
            ? new Dictionary<Guid, RoundValue>()
            : RoundCompleteness.Counting(await ValueReads.SentToRoundAsync(session, query.Plan, query.Country, round.State.Code, ct));
        // A value returned and not corrected yet needs the country whichever round it was sent to.
        var returned = await ValueReads.AwaitingCorrectionAsync(session, query.Plan, query.Country, ct);

        var needs = new List<(Row Row, List<WorkReason> Reasons, ValueState? InRound)>();
        foreach (var row in rows)
        {
            var inRound = counting.GetValueOrDefault(row.Id)?.State;
            var reasons = new List<WorkReason>();
            if (returned.Contains(row.Id) && inRound != ValueState.Submitted && inRound != ValueState.Accepted) reasons.Add(WorkReason.Returned);
            if (round is not null && inRound is null && !reasons.Contains(WorkReason.Returned) && Open(row.Status)) reasons.Add(WorkReason.NoValueThisRound);
            if (row.Health == Health.Overdue) reasons.Add(WorkReason.Overdue);
            if (row.Health == Health.OffTrack) reasons.Add(WorkReason.OffTrack);
            if (reasons.Count > 0) needs.Add((row, reasons, inRound));
        }
        var shown = needs.OrderBy(n => n.Reasons.Min()).ThenBy(n => n.Row.Code, StringComparer.Ordinal).Take(query.Shown).ToList();
        var byId = (await session.LoadManyAsync<CommitmentView>(ct, shown.Select(n => n.Row.Id))).ToDictionary(v => v.Id);
        // The first by code, in the database's order as the plan's list pages them; their count is the rows': no count
        // over the country's views again.
        var first = query.Listed == 0 ? [] : await session.Query<CommitmentView>()
            .Where(c => c.State.PlanCode == query.Plan && c.State.Country == query.Country && !c.State.Withdrawn)
            .OrderBy(c => c.State.Code).Take(query.Listed).ToListAsync(ct);
        return new Worklist(query.Plan, query.Country, round is null ? null : RoundDto.From(round),
            [.. shown.Select(n => new WorkItem(CommitmentDto.From(byId[n.Row.Id], now, thresholds, query.Language), n.Reasons, n.InRound))], needs.Count, rows.Count,
            [.. first.Select(v => CommitmentDto.From(v, now, thresholds, query.Language))]);
    }

    private sealed record Row(Guid Id, string Code, CommitmentStatus Status, Health Health);

    /// <summary>Completed and cancelled commitments report nothing more.</summary>
    private static bool Open(CommitmentStatus status) => status is not (CommitmentStatus.Completed or CommitmentStatus.Cancelled);
}
