using Strategy.Domain.Commitments;
using Strategy.Domain.Plans;
using Strategy.Domain.Progress;

namespace Strategy.Domain.Reports;

public sealed record CountShare(string Key, int Count, double Share);

/// <summary>Counts and shares by status and by health, and the mean progress of those with a value.</summary>
public sealed record Breakdown(int Commitments, IReadOnlyList<CountShare> ByStatus, IReadOnlyList<CountShare> ByHealth, double? MeanProgress, int WithValue);

public sealed record GroupBreakdown(string Code, string Title, Breakdown Breakdown);

public sealed record Matrix(IReadOnlyList<string> Rows, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<double?>> Cells);

public sealed record IndicatorCountry(string Country, string Commitment, double? Baseline, double? Target, double? LatestValue, DateOnly? LatestAsOf,
    double? Progress, double? AnticipatedProgress, string? Anticipation, string Health);

public sealed record IndicatorProgress(string Code, string Title, string Unit, string Outcome, double Baseline, double Target, IReadOnlyList<IndicatorCountry> Countries);

public sealed record AttentionItem(string Code, string Country, string Title, string Health, IReadOnlyList<string> Reasons, DateTimeOffset LastUpdatedAt, string LastUpdatedBy);

public sealed record ChangesSince(PreviousReport? Previous, IReadOnlyList<CommitmentChange> NewCommitments, IReadOnlyList<CommitmentChange> StatusChanges,
    IReadOnlyList<CommitmentChange> Withdrawals, IReadOnlyList<CommitmentChange> Restorations);

public sealed record ReportPlan(string Code, string Title, DateOnly Start, DateOnly End, long Version);

/// <summary>
/// A round report's round: its period and deadline, whether it is <see cref="Provisional"/> (the round was still open
/// when the report ran, so accepted values may still change), and its completeness per country in scope.
/// </summary>
public sealed record RoundSection(string Code, string? Title, DateOnly PeriodStart, DateOnly PeriodEnd, DateOnly Deadline, bool Provisional,
    IReadOnlyList<Rounds.CountryCompleteness> Completeness);

public sealed record ProgressReportContent(
    string Kind, ReportPlan Plan, IReadOnlyList<string> Countries, ReportBasis Basis, IReadOnlyList<MethodNote> Method,
    Breakdown Totals, IReadOnlyList<GroupBreakdown> ByCountry, IReadOnlyList<GroupBreakdown> ByGoal, IReadOnlyList<GroupBreakdown> ByOutcome,
    Matrix CountryGoalMeanProgress, IReadOnlyList<IndicatorProgress> Indicators, IReadOnlyList<AttentionItem> Attention, ChangesSince ChangesSincePrevious,
    RoundSection? Round = null);

/// <summary>
/// A commitment's part of a progress report evaluated on <see cref="ProgressRows.EvaluatedOn"/>: its health and progress,
/// its indicator row (when it measures an indicator) and its attention item (when it needs attention). Each is computed
/// from the commitment alone (<see cref="ProgressReport.Row"/>), so a current report computes them while the other
/// commitments are still being read.
/// </summary>
public sealed record ProgressRow(CommitmentSnapshot C, Health Health, double? Progress, IndicatorCountry? Indicator, AttentionItem? Attention);

/// <summary>Rows computed for one evaluation day and set of thresholds; a report built from them must use the same.</summary>
public sealed record ProgressRows(IReadOnlyList<ProgressRow> Rows, DateOnly EvaluatedOn, HealthThresholds Thresholds);

/// <summary>
/// The progress report, a pure function of the plan, the commitments as they stood, the evaluation day and the
/// thresholds. Everything is ordered by code so the same inputs give the same JSON, byte for byte.
/// </summary>
public static class ProgressReport
{
    public const int StaleAfterDays = 180;

    /// <param name="round">For a round report: the round, with its completeness for every member (narrowed here to the scope).</param>
    public static ProgressReportContent Build(Plan plan, IReadOnlyList<CommitmentSnapshot> commitments, IReadOnlyList<string> countries,
        ReportBasis basis, HealthThresholds thresholds, PreviousReport? previous, IReadOnlyList<CommitmentChange> changes, RoundSection? round = null)
    {
        var scope = Scope(plan, countries);
        var inReport = commitments.Where(c => InReport(c, scope)).ToArray();
        // Each row alone, into its own place, so the order and the content are the same however the work is split.
        var rows = new ProgressRow[inReport.Length];
        Parallel.For(0, inReport.Length, i => rows[i] = Row(inReport[i], basis.EvaluatedOn, thresholds));
        return Build(plan, scope, rows, basis, thresholds, previous, changes, round);
    }

    /// <summary>The report from rows already computed (<see cref="Row"/>) for every commitment of the plan.</summary>
    public static ProgressReportContent Build(Plan plan, ProgressRows rows, IReadOnlyList<string> countries,
        ReportBasis basis, PreviousReport? previous, IReadOnlyList<CommitmentChange> changes, RoundSection? round = null)
    {
        if (rows.EvaluatedOn != basis.EvaluatedOn)
            throw new ArgumentException($"The rows were evaluated on {rows.EvaluatedOn:yyyy-MM-dd}, the report on {basis.EvaluatedOn:yyyy-MM-dd}.", nameof(rows));
        var scope = Scope(plan, countries);
        var inReport = rows.Rows.Where(r => InReport(r.C, scope)).ToArray();
        return Build(plan, scope, inReport, basis, rows.Thresholds, previous, changes, round);
    }

    /// <summary>A commitment's row in a report evaluated on <paramref name="on"/>.</summary>
    public static ProgressRow Row(CommitmentSnapshot c, DateOnly on, HealthThresholds thresholds)
    {
        var health = ProgressMath.HealthOf(c.State, on, thresholds);
        var progress = c.State.Progress;
        var reasons = Reasons(c, health, on);
        return new ProgressRow(c, health, progress, c.State.Indicator is null ? null : IndicatorRow(c, health, progress, thresholds),
            reasons.Count == 0 ? null : new AttentionItem(c.State.Code, c.State.Country, c.State.Title, Name(health), reasons, c.LastUpdatedAt, c.LastUpdatedBy));
    }

    private static List<string> Scope(Plan plan, IReadOnlyList<string> countries) =>
        countries.Count == 0 ? plan.Countries.Select(c => c.Code).ToList() : countries.ToList();

    private static bool InReport(CommitmentSnapshot c, List<string> scope) => !c.State.Withdrawn && scope.Contains(c.State.Country);

    /// <param name="rows">The rows in scope, commitments not withdrawn.</param>
    private static ProgressReportContent Build(Plan plan, List<string> scope, ProgressRow[] rows, ReportBasis basis, HealthThresholds thresholds,
        PreviousReport? previous, IReadOnlyList<CommitmentChange> changes, RoundSection? round)
    {
        // Sorted only when not in code order already: checking costs one pass.
        if (!InCodeOrder(rows)) rows = [.. rows.OrderBy(r => r.C.State.Code, StringComparer.Ordinal)];
        var groups = Groups.Of(rows);

        var countryNames = plan.Countries.ToDictionary(c => c.Code, c => c.Name);
        var byCountry = scope.Select(code => new GroupBreakdown(code, countryNames[code], groups.Country(code).Breakdown())).ToList();
        var byGoal = plan.Goals.Select(g => new GroupBreakdown(g.Code, g.Title, groups.Goal(g.Code).Breakdown())).ToList();
        var byOutcome = plan.Outcomes.Select(o => new GroupBreakdown(o.Code, o.Title, groups.Outcome(o.Code).Breakdown())).ToList();

        var matrix = new Matrix(scope, [.. plan.Goals.Select(g => g.Code)],
            [.. scope.Select(country => (IReadOnlyList<double?>)[.. plan.Goals.Select(g => groups.Cell(country, g.Code).MeanProgress)])]);

        var indicators = plan.Outcomes.SelectMany(o => o.Indicators.Select(i => (o, i)))
            .Select(x => new IndicatorProgress(x.i.Code, x.i.Title, x.i.Unit, x.o.Code, x.i.Baseline, x.i.Target,
                [.. groups.Indicator(x.i.Code).Select(r => r.Indicator!)]))
            .ToList();

        var attention = rows.Where(r => r.Attention is not null).Select(r => r.Attention!).ToList();

        var inScope = changes.Where(c => scope.Contains(c.Country)).OrderBy(c => c.Sequence).ToList();
        var since = new ChangesSince(previous,
            [.. inScope.Where(c => c.Kind == ChangeKind.NewCommitment)],
            [.. inScope.Where(c => c.Kind == ChangeKind.StatusChange)],
            [.. inScope.Where(c => c.Kind == ChangeKind.Withdrawal)],
            [.. inScope.Where(c => c.Kind == ChangeKind.Restoration)]);

        return new ProgressReportContent("progress", new ReportPlan(plan.Code, plan.Title, plan.Start, plan.End, basis.PlanVersion), scope, basis,
            ReportMethod.Notes(thresholds), groups.Total.Breakdown(), byCountry, byGoal, byOutcome, matrix, indicators, attention, since,
            round is null ? null : round with { Completeness = [.. round.Completeness.Where(c => scope.Contains(c.Country))] });
    }

    private static readonly CommitmentStatus[] Statuses = Enum.GetValues<CommitmentStatus>();
    private static readonly Health[] Healths = Enum.GetValues<Health>();

    private static bool InCodeOrder(ProgressRow[] rows)
    {
        for (var i = 1; i < rows.Length; i++)
            if (string.CompareOrdinal(rows[i - 1].C.State.Code, rows[i].C.State.Code) >= 0) return false;
        return true;
    }

    /// <summary>
    /// Every grouping a report breaks its rows down by, counted in one pass over the rows in code order: at 20,000
    /// commitments, grouping them once per breakdown read each row's members from memory four times over.
    /// </summary>
    private sealed class Groups
    {
        private static readonly Tally None = new();
        private readonly Dictionary<string, Tally> byCountry = [], byGoal = [], byOutcome = [];
        private readonly Dictionary<(string Country, string Goal), Tally> cells = [];
        private readonly Dictionary<string, List<ProgressRow>> byIndicator = [];

        public Tally Total { get; } = new();

        public static Groups Of(ProgressRow[] rows)
        {
            var groups = new Groups();
            foreach (var r in rows)
            {
                var s = r.C.State;
                var (status, health) = (Array.IndexOf(Statuses, s.Status), Array.IndexOf(Healths, r.Health));
                groups.Total.Add(status, health, r.Progress);
                Of(groups.byCountry, s.Country).Add(status, health, r.Progress);
                Of(groups.byGoal, s.Goal).Add(status, health, r.Progress);
                Of(groups.byOutcome, s.Outcome).Add(status, health, r.Progress);
                Of(groups.cells, (s.Country, s.Goal)).Add(status, health, r.Progress);
                if (s.Indicator is { } indicator)
                {
                    if (!groups.byIndicator.TryGetValue(indicator, out var list)) groups.byIndicator[indicator] = list = [];
                    list.Add(r);
                }
            }
            return groups;
        }

        public Tally Country(string code) => byCountry.GetValueOrDefault(code, None);
        public Tally Goal(string code) => byGoal.GetValueOrDefault(code, None);
        public Tally Outcome(string code) => byOutcome.GetValueOrDefault(code, None);
        public Tally Cell(string country, string goal) => cells.GetValueOrDefault((country, goal), None);
        public IReadOnlyList<ProgressRow> Indicator(string code) => byIndicator.TryGetValue(code, out var rows) ? rows : [];

        private static Tally Of<TKey>(Dictionary<TKey, Tally> tallies, TKey key) where TKey : notnull
        {
            if (!tallies.TryGetValue(key, out var tally)) tallies[key] = tally = new Tally();
            return tally;
        }
    }

    /// <summary>A group's counts by status and by health (indexes into <see cref="Statuses"/> and <see cref="Healths"/>) and its mean progress.</summary>
    private sealed class Tally
    {
        private readonly int[] byStatus = new int[Statuses.Length];
        private readonly int[] byHealth = new int[Healths.Length];
        private readonly ProgressMean mean = new();
        private int n;

        public void Add(int status, int health, double? progress)
        {
            n++;
            byStatus[status]++;
            byHealth[health]++;
            mean.Add(progress);
        }

        public double? MeanProgress => mean.Value;

        public Breakdown Breakdown()
        {
            double Share(int count) => n == 0 ? 0 : ReportMethod.Round((double)count / n);
            return new Breakdown(n,
                [.. Statuses.Select((s, i) => new CountShare(CommitmentDecisions.Kebab(s), byStatus[i], Share(byStatus[i])))],
                [.. Healths.Select((h, i) => new CountShare(Name(h), byHealth[i], Share(byHealth[i])))],
                mean.Value, mean.WithValue);
        }
    }

    /// <summary>
    /// The mean of progress capped to [0, 1] over the values given, added in the order given (so the same values in the
    /// same order give the same bits); null when none has a value.
    /// </summary>
    private sealed class ProgressMean
    {
        private double sum;

        public int WithValue { get; private set; }

        public void Add(double? progress)
        {
            if (progress is not { } p) return;
            WithValue++;
            sum += Math.Clamp(p, 0, 1);
        }

        public double? Value => WithValue == 0 ? null : ReportMethod.Round(sum / WithValue);
    }

    /// <summary>The mean of progress capped to [0, 1], over those with a value; null when none has one.</summary>
    public static double? MeanProgress(IEnumerable<double?> progress)
    {
        var mean = new ProgressMean();
        foreach (var p in progress) mean.Add(p);
        return mean.Value;
    }

    private static IndicatorCountry IndicatorRow(CommitmentSnapshot c, Health health, double? progress, HealthThresholds thresholds)
    {
        var s = c.State;
        var anticipated = s.AnticipatedRatio;
        var anticipation = ProgressMath.Anticipate(anticipated, thresholds);
        return new IndicatorCountry(s.Country, s.Code, s.Baseline, s.Target, s.Latest?.Value, s.Latest?.AsOf, ReportMethod.Round(progress),
            ReportMethod.Round(anticipated), anticipation is { } a ? AnticipationNames[a] : null, Name(health));
    }

    private static List<string> Reasons(CommitmentSnapshot c, Health health, DateOnly on)
    {
        var reasons = new List<string>();
        if (health == Health.OffTrack) reasons.Add("off-track");
        if (health == Health.Overdue) reasons.Add("overdue");
        var open = c.State.Status is not (CommitmentStatus.Completed or CommitmentStatus.Cancelled);
        if (open && DateOnly.FromDateTime(c.LastUpdatedAt.UtcDateTime).AddDays(StaleAfterDays) < on) reasons.Add("no-update-in-180-days");
        return reasons;
    }

    public static string Name(Health h) => HealthNames[h];

    private static readonly Dictionary<Health, string> HealthNames = Enum.GetValues<Health>().ToDictionary(h => h, h => Kebab(h.ToString()));
    private static readonly Dictionary<Anticipation, string> AnticipationNames = Enum.GetValues<Anticipation>().ToDictionary(a => a, a => Kebab(a.ToString()));

    public static string Kebab(string pascal) =>
        string.Concat(pascal.Select((ch, i) => char.IsUpper(ch) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(ch) : ch.ToString()));
}
