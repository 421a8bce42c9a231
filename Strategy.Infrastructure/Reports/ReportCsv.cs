using System.Globalization;
using CsvHelper;
using Strategy.Domain.Reports;

namespace Strategy.Infrastructure.Reports;

/// <summary>
/// A report as one tidy RFC 4180 table: one row per figure, with the coordinates it belongs to (section, country,
/// goal, outcome, indicator, commitment, SDG goal and target) and the measure's name. Every number of the JSON
/// is there, so the CSV and the JSON can be checked against each other. In another language the header row and the words
/// (status, health, anticipation, attention reasons) are translated; numbers, dates, codes and the section and measure
/// names are not, so the CSV reads the same into a program in every language.
/// </summary>
public static class ReportCsv
{
    public static readonly string[] Columns = ["section", "country", "goal", "outcome", "indicator", "commitment", "sdgGoal", "sdgTarget", "measure", "value"];

    private sealed record Row(string Section, string Measure, string? Value, string? Country = null, string? Goal = null, string? Outcome = null,
        string? Indicator = null, string? Commitment = null, string? SdgGoal = null, string? SdgTarget = null);

    public static async Task WriteAsync(Stream output, object content, ReportText words, CancellationToken ct)
    {
        var rows = content switch
        {
            ProgressReportContent p => Progress(p, words),
            SdgAlignmentReportContent s => Sdg(s, words),
            _ => throw new ArgumentException("Unknown report content.", nameof(content)),
        };
        await using var text = new StreamWriter(output, new System.Text.UTF8Encoding(false), 16 * 1024, leaveOpen: true);
        await using var csv = CsvWriter.Create(text, new CsvWriterOptions(), leaveOpen: true);
        await csv.WriteRecordAsync([.. Columns.Select(c => words["Csv." + c])], ct);
        foreach (var r in rows)
            await csv.WriteRecordAsync([.. new[] { r.Section, r.Country, r.Goal, r.Outcome, r.Indicator, r.Commitment, r.SdgGoal, r.SdgTarget, r.Measure, r.Value }
                .Select(CsvText.Cell)], ct);
        await csv.FlushAsync(ct);
        await text.FlushAsync(ct);
    }

    private static string? N(double? v) => v?.ToString("R", CultureInfo.InvariantCulture);
    private static string N(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static IEnumerable<Row> Breakdown(string section, Breakdown b, Func<string, string, string?, Row> row)
    {
        yield return row(section, "commitments", N(b.Commitments));
        foreach (var s in b.ByStatus) { yield return row(section, $"status:{s.Key}:count", N(s.Count)); yield return row(section, $"status:{s.Key}:share", N(s.Share)); }
        foreach (var h in b.ByHealth) { yield return row(section, $"health:{h.Key}:count", N(h.Count)); yield return row(section, $"health:{h.Key}:share", N(h.Share)); }
        yield return row(section, "meanProgress", N(b.MeanProgress));
        yield return row(section, "withValue", N(b.WithValue));
    }

    private static IEnumerable<Row> Progress(ProgressReportContent p, ReportText words)
    {
        if (p.Round is { } round)
        {
            string D(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            yield return new Row("round", "code", round.Code);
            yield return new Row("round", "periodStart", D(round.PeriodStart));
            yield return new Row("round", "periodEnd", D(round.PeriodEnd));
            yield return new Row("round", "deadline", D(round.Deadline));
            yield return new Row("round", "provisional", round.Provisional ? "true" : "false");
            foreach (var c in round.Completeness)
            {
                Row R(string measure, int value) => new("roundCompleteness", measure, N(value), Country: c.Country);
                yield return R("commitments", c.Commitments);
                yield return R("accepted", c.Accepted);
                yield return R("submitted", c.Submitted);
                yield return R("returned", c.Returned);
                yield return R("missing", c.Missing);
                yield return R("late", c.Late);
            }
        }
        foreach (var r in Breakdown("totals", p.Totals, (s, m, v) => new Row(s, m, v))) yield return r;
        foreach (var c in p.ByCountry) foreach (var r in Breakdown("byCountry", c.Breakdown, (s, m, v) => new Row(s, m, v, Country: c.Code))) yield return r;
        foreach (var g in p.ByGoal) foreach (var r in Breakdown("byGoal", g.Breakdown, (s, m, v) => new Row(s, m, v, Goal: g.Code))) yield return r;
        foreach (var o in p.ByOutcome) foreach (var r in Breakdown("byOutcome", o.Breakdown, (s, m, v) => new Row(s, m, v, Outcome: o.Code))) yield return r;
        var m = p.CountryGoalMeanProgress;
        for (var i = 0; i < m.Rows.Count; i++)
            for (var j = 0; j < m.Columns.Count; j++)
                yield return new Row("countryGoalMeanProgress", "meanProgress", N(m.Cells[i][j]), Country: m.Rows[i], Goal: m.Columns[j]);
        foreach (var ind in p.Indicators)
        {
            yield return new Row("indicators", "baseline", N(ind.Baseline), Outcome: ind.Outcome, Indicator: ind.Code);
            yield return new Row("indicators", "target", N(ind.Target), Outcome: ind.Outcome, Indicator: ind.Code);
            foreach (var c in ind.Countries)
            {
                Row R(string measure, string? value) => new("indicators", measure, value, Country: c.Country, Outcome: ind.Outcome, Indicator: ind.Code, Commitment: c.Commitment);
                yield return R("commitmentBaseline", N(c.Baseline));
                yield return R("commitmentTarget", N(c.Target));
                yield return R("latestValue", N(c.LatestValue));
                yield return R("latestAsOf", c.LatestAsOf?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                yield return R("progress", N(c.Progress));
                yield return R("anticipatedProgress", N(c.AnticipatedProgress));
                yield return R("anticipation", c.Anticipation is { } a ? words.Word(a) : null);
                yield return R("health", words.Word(c.Health));
            }
        }
        foreach (var a in p.Attention)
        {
            yield return new Row("attention", "health", words.Word(a.Health), Country: a.Country, Commitment: a.Code);
            // In English the words are joined by spaces; a translated word may hold spaces, so the pair is a text of its own.
            var reasons = a.Reasons.Count == 0 ? "" : a.Reasons.Select(words.Word).Aggregate((x, y) => words.Format("Csv.ReasonPair", x, y));
            yield return new Row("attention", "reasons", reasons, Country: a.Country, Commitment: a.Code);
            yield return new Row("attention", "lastUpdatedAt", a.LastUpdatedAt.ToString("O", CultureInfo.InvariantCulture), Country: a.Country, Commitment: a.Code);
            yield return new Row("attention", "lastUpdatedBy", a.LastUpdatedBy, Country: a.Country, Commitment: a.Code);
        }
        var ch = p.ChangesSincePrevious;
        foreach (var c in ch.NewCommitments) yield return new Row("changes", "new", c.Timestamp.ToString("O", CultureInfo.InvariantCulture), Country: c.Country, Commitment: c.Code);
        foreach (var c in ch.StatusChanges) yield return new Row("changes", "status", $"{words.Word(c.From ?? "")}->{words.Word(c.To ?? "")}", Country: c.Country, Commitment: c.Code);
        foreach (var c in ch.Withdrawals) yield return new Row("changes", "withdrawn", c.Reason, Country: c.Country, Commitment: c.Code);
        foreach (var c in ch.Restorations) yield return new Row("changes", "restored", c.Reason, Country: c.Country, Commitment: c.Code);
    }

    private static IEnumerable<Row> Sdg(SdgAlignmentReportContent s, ReportText words)
    {
        foreach (var g in s.Goals)
        {
            var goal = N(g.Goal);
            yield return new Row("sdgGoals", "commitments", N(g.Commitments), SdgGoal: goal);
            yield return new Row("sdgGoals", "meanProgress", N(g.MeanProgress), SdgGoal: goal);
            foreach (var t in g.Targets)
            {
                yield return new Row("sdgTargets", "outcomes", N(t.Outcomes.Count), SdgGoal: goal, SdgTarget: t.Target);
                yield return new Row("sdgTargets", "meanProgress", N(t.MeanProgress), SdgGoal: goal, SdgTarget: t.Target);
                foreach (var c in t.CommitmentsByCountry) yield return new Row("sdgTargets", "commitments", N(c.Count), Country: c.Key, SdgGoal: goal, SdgTarget: t.Target);
                foreach (var h in t.ByHealth) yield return new Row("sdgTargets", $"health:{h.Key}:count", N(h.Count), SdgGoal: goal, SdgTarget: t.Target);
                foreach (var o in t.Outcomes)
                    foreach (var c in o.Commitments)
                    {
                        yield return new Row("sdgCommitments", "health", words.Word(c.Health), Country: c.Country, Goal: o.Goal, Outcome: o.Code, Commitment: c.Code, SdgGoal: goal, SdgTarget: t.Target);
                        yield return new Row("sdgCommitments", "progress", N(c.Progress), Country: c.Country, Goal: o.Goal, Outcome: o.Code, Commitment: c.Code, SdgGoal: goal, SdgTarget: t.Target);
                    }
            }
        }
        var m = s.CountryGoalCoverage;
        for (var i = 0; i < m.Rows.Count; i++)
            for (var j = 0; j < m.Columns.Count; j++)
                yield return new Row("coverage", "commitments", N(m.Cells[i][j]), Country: m.Rows[i], SdgGoal: m.Columns[j]);
        foreach (var gap in s.Gaps)
            foreach (var country in gap.MissingCountries)
                yield return new Row("gaps", "missing", string.Join(' ', gap.Outcomes), Country: country, SdgGoal: N(SdgAlignmentReport.GoalOf(gap.Target)), SdgTarget: gap.Target);
    }
}
