using Strategy.Domain;
using Strategy.Domain.Plans;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Features.Plans;

public sealed record Period(DateOnly Start, DateOnly End);

public sealed record PlanCounts(int Goals, int Outcomes, int Indicators, int SdgTargets, int Commitments,
    IReadOnlyDictionary<string, int> CommitmentsByCountry, IReadOnlyDictionary<string, int>? CommitmentsByStatus);

/// <summary>An indicator; <see cref="Lang"/> is the language of its title (English where it has no translation in the one asked for).</summary>
public sealed record IndicatorDto(string Code, string Title, string Lang, string Unit, double Baseline, double Target);
public sealed record OutcomeDto(string Code, string Title, string Lang, IReadOnlyList<string> SdgTargets, IReadOnlyList<IndicatorDto> Indicators);
public sealed record GoalDto(string Code, string Title, string? Description, string Lang, IReadOnlyList<OutcomeDto> Outcomes);

public sealed record PlanDto(string Code, string Title, string? Note, Period Period, IReadOnlyList<Country> Countries,
    IReadOnlyList<GoalDto> Goals, long Version, DateTimeOffset CreatedAt, DateTimeOffset LastUpdatedAt, ActorRef LastUpdatedBy,
    PlanCounts Counts, DateTimeOffset? AsOf, ReviewMode Review)
{
    public static PlanDto From(PlanView view, PlanCounts counts, DateTimeOffset? asOf, string language = Translations.Source)
    {
        var p = view.Plan;
        return new PlanDto(p.Code, p.Title, p.Note, new Period(p.Start, p.End), p.Countries, GoalsOf(p, language),
            view.Version, view.CreatedAt, view.LastUpdatedAt, view.LastUpdatedBy, counts, asOf, p.Review);
    }

    /// <summary>The goals with their texts in <paramref name="language"/> where translated, each saying its language.</summary>
    public static IReadOnlyList<GoalDto> GoalsOf(Plan p, string language = Translations.Source)
    {
        var texts = p.TextsIn(language);
        TextTranslation? In(IReadOnlyDictionary<string, TextTranslation>? byCode, string code) =>
            byCode is not null && byCode.TryGetValue(code, out var t) ? t : null;
        string Lang(TextTranslation? t) => t is null ? Translations.Source : language;
        return [.. p.Goals.Select(g =>
        {
            var goal = In(texts?.Goals, g.Code);
            return new GoalDto(g.Code, goal?.Title ?? g.Title, goal is null ? g.Description : goal.Description ?? g.Description, Lang(goal),
                [.. g.Outcomes.Select(o =>
                {
                    var outcome = In(texts?.Outcomes, o.Code);
                    return new OutcomeDto(o.Code, outcome?.Title ?? o.Title, Lang(outcome), o.SdgTargets,
                        [.. o.Indicators.Select(i => In(texts?.Indicators, i.Code) is { } t
                            ? new IndicatorDto(i.Code, t.Title, language, i.Unit, i.Baseline, i.Target)
                            : new IndicatorDto(i.Code, i.Title, Translations.Source, i.Unit, i.Baseline, i.Target))]);
                })]);
        })];
    }

    public static PlanCounts Structure(Plan p, int commitments, IReadOnlyDictionary<string, int> byCountry, IReadOnlyDictionary<string, int>? byStatus) =>
        new(p.Goals.Count, p.Outcomes.Count(), p.Indicators.Count(), p.Outcomes.SelectMany(o => o.SdgTargets).Distinct().Count(),
            commitments, byCountry, byStatus);
}

public sealed record PlanSummary(string Code, string Title, Period Period, IReadOnlyList<string> Countries, int Goals, int Outcomes,
    long Version, DateTimeOffset LastUpdatedAt);
