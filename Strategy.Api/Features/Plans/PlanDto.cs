using Strategy.Domain.Plans;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Features.Plans;

public sealed record Period(DateOnly Start, DateOnly End);

public sealed record PlanCounts(int Goals, int Outcomes, int Indicators, int SdgTargets, int Commitments,
    IReadOnlyDictionary<string, int> CommitmentsByCountry, IReadOnlyDictionary<string, int>? CommitmentsByStatus);

public sealed record OutcomeDto(string Code, string Title, IReadOnlyList<string> SdgTargets, IReadOnlyList<Indicator> Indicators);
public sealed record GoalDto(string Code, string Title, string? Description, IReadOnlyList<OutcomeDto> Outcomes);

public sealed record PlanDto(string Code, string Title, string? Note, Period Period, IReadOnlyList<Country> Countries,
    IReadOnlyList<GoalDto> Goals, long Version, DateTimeOffset CreatedAt, DateTimeOffset LastUpdatedAt, ActorRef LastUpdatedBy,
    PlanCounts Counts, DateTimeOffset? AsOf, ReviewMode Review)
{
    public static PlanDto From(PlanView view, PlanCounts counts, DateTimeOffset? asOf)
    {
        var p = view.Plan;
        return new PlanDto(p.Code, p.Title, p.Note, new Period(p.Start, p.End), p.Countries, GoalsOf(p),
            view.Version, view.CreatedAt, view.LastUpdatedAt, view.LastUpdatedBy, counts, asOf, p.Review);
    }

    public static IReadOnlyList<GoalDto> GoalsOf(Plan p) =>
        [.. p.Goals.Select(g => new GoalDto(g.Code, g.Title, g.Description, [.. g.Outcomes.Select(o => new OutcomeDto(o.Code, o.Title, o.SdgTargets, o.Indicators))]))];

    public static PlanCounts Structure(Plan p, int commitments, IReadOnlyDictionary<string, int> byCountry, IReadOnlyDictionary<string, int>? byStatus) =>
        new(p.Goals.Count, p.Outcomes.Count(), p.Indicators.Count(), p.Outcomes.SelectMany(o => o.SdgTargets).Distinct().Count(),
            commitments, byCountry, byStatus);
}

public sealed record PlanSummary(string Code, string Title, Period Period, IReadOnlyList<string> Countries, int Goals, int Outcomes,
    long Version, DateTimeOffset LastUpdatedAt);
