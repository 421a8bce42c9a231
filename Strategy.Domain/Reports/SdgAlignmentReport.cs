using Strategy.Domain.Plans;
using Strategy.Domain.Progress;

namespace Strategy.Domain.Reports;

public sealed record SdgCommitment(string Code, string Country, string Title, string Health, double? Progress);

public sealed record SdgOutcome(string Code, string Title, string Goal, IReadOnlyList<SdgCommitment> Commitments);

public sealed record SdgTargetAlignment(string Target, string Title, IReadOnlyList<SdgOutcome> Outcomes, IReadOnlyList<CountShare> CommitmentsByCountry,
    IReadOnlyList<CountShare> ByHealth, double? MeanProgress, IReadOnlyList<string> CountriesWithout);

public sealed record SdgGoalAlignment(int Goal, string Title, IReadOnlyList<SdgTargetAlignment> Targets, int Commitments, double? MeanProgress);

public sealed record SdgGap(string Target, IReadOnlyList<string> Outcomes, IReadOnlyList<string> MissingCountries);

/// <param name="CountryGoalCoverage">Commitments per country (rows) under outcomes aligned with each SDG goal (columns).</param>
public sealed record SdgAlignmentReportContent(string Kind, ReportPlan Plan, IReadOnlyList<string> Countries, ReportBasis Basis, IReadOnlyList<MethodNote> Method,
    IReadOnlyList<SdgGoalAlignment> Goals, Matrix CountryGoalCoverage, IReadOnlyList<SdgGap> Gaps);

/// <summary>How the plan's outcomes and commitments line up with the SDG targets they are aligned with.</summary>
public static class SdgAlignmentReport
{
    public static SdgAlignmentReportContent Build(Plan plan, IReadOnlyList<CommitmentSnapshot> commitments, IReadOnlyList<string> countries,
        ReportBasis basis, HealthThresholds thresholds, IReadOnlyDictionary<int, string> goalTitles, IReadOnlyDictionary<string, string> targetTitles)
    {
        var scope = countries.Count == 0 ? plan.Countries.Select(c => c.Code).ToList() : countries.ToList();
        var live = commitments.Where(c => !c.State.Withdrawn && scope.Contains(c.State.Country))
            .OrderBy(c => c.State.Code, StringComparer.Ordinal)
            .Select(c => new SdgCommitment(c.State.Code, c.State.Country, c.State.Title,
                ProgressReport.Name(ProgressMath.HealthOf(c.State, basis.EvaluatedOn, thresholds)), ReportMethod.Round(c.State.Progress)))
            .ToList();
        var outcomeOf = commitments.ToDictionary(c => c.State.Code, c => c.State.Outcome);

        var targets = plan.Outcomes.SelectMany(o => o.SdgTargets).Distinct().OrderBy(TargetOrder).ToList();
        var alignments = targets.Select(t =>
        {
            var outcomes = plan.Outcomes.Where(o => o.SdgTargets.Contains(t)).OrderBy(o => o.Code, StringComparer.Ordinal)
                .Select(o => new SdgOutcome(o.Code, o.Title, o.Goal, [.. live.Where(c => outcomeOf[c.Code] == o.Code)])).ToList();
            var under = outcomes.SelectMany(o => o.Commitments).ToList();
            var byCountry = scope.Select(c => new CountShare(c, under.Count(x => x.Country == c), under.Count == 0 ? 0 : ReportMethod.Round((double)under.Count(x => x.Country == c) / under.Count))).ToList();
            var byHealth = Enum.GetValues<Health>().Select(h => ProgressReport.Name(h))
                .Select(h => new CountShare(h, under.Count(x => x.Health == h), under.Count == 0 ? 0 : ReportMethod.Round((double)under.Count(x => x.Health == h) / under.Count))).ToList();
            return new SdgTargetAlignment(t, targetTitles.GetValueOrDefault(t, ""), outcomes, byCountry, byHealth,
                ProgressReport.MeanProgress(under.Select(x => x.Progress)), [.. scope.Where(c => under.All(x => x.Country != c))]);
        }).ToList();

        var goals = alignments.GroupBy(a => GoalOf(a.Target)).OrderBy(g => g.Key)
            .Select(g =>
            {
                var distinct = g.SelectMany(a => a.Outcomes.SelectMany(o => o.Commitments)).DistinctBy(c => c.Code).ToList();
                return new SdgGoalAlignment(g.Key, goalTitles.GetValueOrDefault(g.Key, ""), [.. g], distinct.Count, ProgressReport.MeanProgress(distinct.Select(c => c.Progress)));
            }).ToList();

        var coverage = new Matrix(scope, [.. goals.Select(g => g.Goal.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            [.. scope.Select(country => (IReadOnlyList<double?>)[.. goals.Select(g => (double?)g.Targets
                .SelectMany(a => a.Outcomes.SelectMany(o => o.Commitments)).DistinctBy(c => c.Code).Count(c => c.Country == country))])]);

        var gaps = alignments.Where(a => a.CountriesWithout.Count > 0)
            .Select(a => new SdgGap(a.Target, [.. a.Outcomes.Select(o => o.Code)], a.CountriesWithout)).ToList();

        return new SdgAlignmentReportContent("sdg-alignment", new ReportPlan(plan.Code, plan.Title, plan.Start, plan.End, basis.PlanVersion), scope, basis,
            ReportMethod.Notes(thresholds), goals, coverage, gaps);
    }

    public static int GoalOf(string target) => int.Parse(target.AsSpan(0, target.IndexOf('.')), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>"6.5" before "6.a" before "13.2": numeric goal, then numeric targets before lettered ones.</summary>
    private static (int, int, string) TargetOrder(string target)
    {
        var rest = target[(target.IndexOf('.') + 1)..];
        return (GoalOf(target), int.TryParse(rest, out var n) ? n : int.MaxValue, rest);
    }
}
