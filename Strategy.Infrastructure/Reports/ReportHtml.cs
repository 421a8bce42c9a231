using System.Globalization;
using System.Net;
using System.Text;
using Strategy.Domain.Reports;

namespace Strategy.Infrastructure.Reports;

public sealed record ReportHeader(Guid Id, string ContentHash, DateTimeOffset? AsOf, DateTimeOffset RequestedAt, string RequestedBy);

/// <summary>
/// A report as one self-contained HTML page: inline CSS and SVG charts, no scripts, fonts or images from anywhere,
/// laid out to print on A4.
/// </summary>
public static class ReportHtml
{
    // Dark enough for white text (a contrast of at least 4.5:1, WCAG AA for small text): the pills and the counts on the
    // status bars are written in white on these.
    private static readonly (string Key, string Color)[] StatusColors =
        [("not-started", "#5f6b7a"), ("in-progress", "#2f6bbf"), ("on-hold", "#8a5a00"), ("completed", "#1e7a45"), ("cancelled", "#b03a37")];

    private static readonly Dictionary<string, string> HealthColors = new()
    {
        ["on-track"] = "#1e7a45", ["at-risk"] = "#8a5a00", ["off-track"] = "#b03a37", ["overdue"] = "#8e3b8f", ["done"] = "#2f6f8f", ["unknown"] = "#5f6b7a",
    };

    public static string Render(object content, ReportHeader header) => content switch
    {
        ProgressReportContent p => Progress(p, header),
        SdgAlignmentReportContent s => Sdg(s, header),
        _ => throw new ArgumentException("Unknown report content.", nameof(content)),
    };

    private static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
    private static string F(double v, string format = "0.##") => v.ToString(format, CultureInfo.InvariantCulture);
    private static string Pct(double? v) => v is { } x ? F(x * 100, "0.#") + " %" : "–";

    private static StringBuilder Begin(string title, ReportPlan plan, ReportBasis basis, ReportHeader header, IReadOnlyList<string> countries)
    {
        var b = new StringBuilder();
        b.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        b.Append("<title>").Append(E(title)).Append(" – ").Append(E(plan.Code)).Append("</title><style>");
        b.Append("""
            @page { size: A4; margin: 14mm 12mm; }
            body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1d2733; margin: 24px auto; max-width: 186mm; font-size: 10pt; line-height: 1.35; }
            h1 { font-size: 17pt; margin: 0 0 4px; } h2 { font-size: 13pt; margin: 22px 0 8px; border-bottom: 2px solid #dde3ea; padding-bottom: 3px; }
            h3 { font-size: 11pt; margin: 14px 0 6px; }
            .meta { color: #526070; font-size: 8.5pt; } .meta code { font-size: 8pt; word-break: break-all; }
            table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 8.5pt; page-break-inside: auto; }
            th, td { border: 1px solid #dde3ea; padding: 3px 5px; text-align: left; vertical-align: top; }
            th { background: #f2f5f8; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
            tr { page-break-inside: avoid; } figure { margin: 8px 0 14px; page-break-inside: avoid; } figcaption { font-size: 8.5pt; color: #526070; }
            .pill { display: inline-block; padding: 0 6px; border-radius: 8px; color: #fff; font-size: 8pt; }
            .legend span { display: inline-block; margin-right: 10px; font-size: 8pt; } .legend i { display: inline-block; width: 9px; height: 9px; margin-right: 3px; }
            @media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } }
            """);
        // Everything inside one main landmark, so a screen reader can reach the report at once and nothing sits outside.
        b.Append("</style></head><body><main>");
        b.Append("<h1>").Append(E(title)).Append("</h1><p><strong>").Append(E(plan.Title)).Append("</strong> (").Append(E(plan.Code)).Append(", ")
            .Append(plan.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(" to ").Append(plan.End.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(")</p>");
        b.Append("<p class=\"meta\">Countries: ").Append(E(string.Join(", ", countries)))
            .Append(" · Health evaluated on ").Append(basis.EvaluatedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
            .Append(header.AsOf is { } asOf ? " · As of " + asOf.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : " · Current state")
            .Append(" · Requested ").Append(header.RequestedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)).Append(" by ").Append(E(header.RequestedBy))
            .Append("<br>Report <code>").Append(header.Id).Append("</code> · plan version ").Append(basis.PlanVersion)
            .Append(" · last event seen <code>").Append(basis.EventSequence).Append("</code> · audit chain hash <code>").Append(E(basis.ChainHash))
            .Append("</code><br>Content SHA-256 <code>").Append(E(header.ContentHash)).Append("</code></p>");
        return b;
    }

    private static string End(StringBuilder b, IReadOnlyList<MethodNote> method)
    {
        b.Append("<h2>Method</h2><table><tr><th>measure</th><th>definition</th><th>source</th></tr>");
        foreach (var m in method) b.Append("<tr><td>").Append(E(m.Name)).Append("</td><td>").Append(E(m.Formula)).Append("</td><td>").Append(E(m.Source)).Append("</td></tr>");
        b.Append("</table></main></body></html>");
        return b.ToString();
    }

    private static string Progress(ProgressReportContent p, ReportHeader header)
    {
        var b = Begin(p.Round is { } named ? $"Progress report, round {named.Code}" : "Progress report", p.Plan, p.Basis, header, p.Countries);
        if (p.Round is { } round) RoundTable(b, round);
        var t = p.Totals;
        b.Append("<h2>Summary</h2><p>").Append(t.Commitments).Append(" commitments; ").Append(t.WithValue).Append(" with reported values; mean progress ")
            .Append(Pct(t.MeanProgress)).Append(".</p>");
        BreakdownTable(b, "scope", [new GroupBreakdown("all countries", "all countries", t)]);

        b.Append("<h2>Status by country</h2>");
        StatusBars(b, p.ByCountry);
        BreakdownTable(b, "country", p.ByCountry);

        b.Append("<h2>Progress by goal</h2>");
        ProgressBars(b, p.ByGoal);
        BreakdownTable(b, "goal", p.ByGoal);

        b.Append("<h2>Mean progress, country × goal</h2>");
        Heatmap(b, p.CountryGoalMeanProgress, v => Pct(v), v => v is { } x ? Blend(x) : "#f2f5f8", "Mean progress of commitments with a value (capped to 0–100 %); blank: no value reported.");

        b.Append("<h2>By outcome</h2>");
        BreakdownTable(b, "outcome", p.ByOutcome);

        b.Append("<h2>Indicators</h2><table><tr><th>indicator</th><th>country</th><th>commitment</th><th class=\"n\">baseline</th><th class=\"n\">target</th><th class=\"n\">latest</th><th>as of</th><th class=\"n\">progress</th><th class=\"n\">anticipated</th><th>health</th></tr>");
        foreach (var ind in p.Indicators)
            foreach (var c in ind.Countries)
                b.Append("<tr><td>").Append(E(ind.Code)).Append("<br><span class=\"meta\">").Append(E(ind.Title)).Append(" (").Append(E(ind.Unit)).Append(")</span></td><td>")
                    .Append(E(c.Country)).Append("</td><td>").Append(E(c.Commitment)).Append("</td><td class=\"n\">").Append(c.Baseline is { } bl ? F(bl) : "–")
                    .Append("</td><td class=\"n\">").Append(c.Target is { } tg ? F(tg) : "–").Append("</td><td class=\"n\">").Append(c.LatestValue is { } lv ? F(lv) : "–")
                    .Append("</td><td>").Append(c.LatestAsOf?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "–").Append("</td><td class=\"n\">").Append(Pct(c.Progress))
                    .Append("</td><td class=\"n\">").Append(Pct(c.AnticipatedProgress)).Append(c.Anticipation is { } a ? "<br>" + E(a) : "")
                    .Append("</td><td>").Append(Pill(c.Health)).Append("</td></tr>");
        b.Append("</table>");

        b.Append("<h2>Needs attention</h2>");
        if (p.Attention.Count == 0) b.Append("<p>Nothing is off-track, overdue or without an update in 180 days.</p>");
        else
        {
            b.Append("<table><tr><th>commitment</th><th>country</th><th>health</th><th>why</th><th>last update</th></tr>");
            foreach (var a in p.Attention)
                b.Append("<tr><td>").Append(E(a.Code)).Append("<br><span class=\"meta\">").Append(E(a.Title)).Append("</span></td><td>").Append(E(a.Country))
                    .Append("</td><td>").Append(Pill(a.Health)).Append("</td><td>").Append(E(string.Join(", ", a.Reasons))).Append("</td><td>")
                    .Append(a.LastUpdatedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(" by ").Append(E(a.LastUpdatedBy)).Append("</td></tr>");
            b.Append("</table>");
        }

        var ch = p.ChangesSincePrevious;
        b.Append("<h2>Changes since the previous progress report</h2><p>").Append(ch.Previous is { } prev
            ? $"Since report <code>{prev.Id}</code> (last event {prev.EventSequence})."
            : "This is the plan's first progress report: every change so far is listed.").Append("</p>");
        b.Append("<table><tr><th>change</th><th>commitment</th><th>country</th><th>detail</th></tr>");
        foreach (var c in ch.NewCommitments.Concat(ch.StatusChanges).Concat(ch.Withdrawals).Concat(ch.Restorations).OrderBy(c => c.Sequence))
            b.Append("<tr><td>").Append(c.Kind switch { ChangeKind.NewCommitment => "new commitment", ChangeKind.StatusChange => "status", ChangeKind.Restoration => "restored", _ => "withdrawn" })
                .Append("</td><td>").Append(E(c.Code)).Append("</td><td>").Append(E(c.Country)).Append("</td><td>")
                .Append(c.Kind == ChangeKind.StatusChange ? E($"{c.From} → {c.To}") : "").Append(c.Reason is { } r ? " " + E(r) : "").Append("</td></tr>");
        b.Append("</table>");
        return End(b, p.Method);
    }

    private static void RoundTable(StringBuilder b, RoundSection r)
    {
        string D(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        b.Append("<h2>Round ").Append(E(r.Code)).Append("</h2><p>").Append(r.Title is { } title ? E(title) + ". " : "")
            .Append("Values dated ").Append(D(r.PeriodStart)).Append(" to ").Append(D(r.PeriodEnd)).Append(", due by ").Append(D(r.Deadline))
            .Append("; only values the secretariat had accepted when this report ran count.</p>");
        b.Append(r.Provisional
            ? "<p><strong>Provisional:</strong> the round was still open when this report ran; values may still be submitted, reviewed or corrected.</p>"
            : "<p>The round was closed when this report ran: its figures are final.</p>");
        b.Append("<table><tr><th>country</th><th class=\"n\">commitments</th><th class=\"n\">accepted</th><th class=\"n\">awaiting review</th>")
            .Append("<th class=\"n\">returned for correction</th><th class=\"n\">no value</th><th class=\"n\">late</th></tr>");
        foreach (var c in r.Completeness)
            b.Append("<tr><td>").Append(E(c.Country)).Append("</td><td class=\"n\">").Append(c.Commitments).Append("</td><td class=\"n\">").Append(c.Accepted)
                .Append("</td><td class=\"n\">").Append(c.Submitted).Append("</td><td class=\"n\">").Append(c.Returned)
                .Append("</td><td class=\"n\">").Append(c.Missing).Append("</td><td class=\"n\">").Append(c.Late).Append("</td></tr>");
        b.Append("</table>");
    }

    private static string Sdg(SdgAlignmentReportContent s, ReportHeader header)
    {
        var b = Begin("SDG alignment report", s.Plan, s.Basis, header, s.Countries);
        b.Append("<h2>Coverage, country × SDG goal</h2>");
        Heatmap(b, s.CountryGoalCoverage, v => v is { } x ? F(x, "0") : "", v => v is > 0 ? Blend(Math.Min(1, v.Value / 3)) : "#f7f9fb",
            "Number of commitments under outcomes aligned with each SDG goal.");
        b.Append("<h2>Targets</h2><table><tr><th>SDG target</th><th>outcomes</th><th>commitments by country</th><th class=\"n\">mean progress</th><th>no commitment from</th></tr>");
        foreach (var g in s.Goals)
        {
            b.Append("<tr><th colspan=\"5\">Goal ").Append(g.Goal).Append(": ").Append(E(g.Title)).Append(" — ").Append(g.Commitments).Append(" commitments, mean progress ")
                .Append(Pct(g.MeanProgress)).Append("</th></tr>");
            foreach (var t in g.Targets)
                b.Append("<tr><td>").Append(E(t.Target)).Append("<br><span class=\"meta\">").Append(E(t.Title)).Append("</span></td><td>")
                    .Append(E(string.Join(", ", t.Outcomes.Select(o => o.Code)))).Append("</td><td>")
                    .Append(E(string.Join(", ", t.CommitmentsByCountry.Where(c => c.Count > 0).Select(c => $"{c.Key} {c.Count}")))).Append("</td><td class=\"n\">")
                    .Append(Pct(t.MeanProgress)).Append("</td><td>").Append(E(string.Join(", ", t.CountriesWithout))).Append("</td></tr>");
        }
        b.Append("</table><h2>Gaps</h2>");
        if (s.Gaps.Count == 0) b.Append("<p>Every member has a commitment under every aligned target.</p>");
        else
        {
            b.Append("<table><tr><th>SDG target</th><th>aligned outcomes</th><th>members without a commitment</th></tr>");
            foreach (var gap in s.Gaps)
                b.Append("<tr><td>").Append(E(gap.Target)).Append("</td><td>").Append(E(string.Join(", ", gap.Outcomes))).Append("</td><td>")
                    .Append(E(string.Join(", ", gap.MissingCountries))).Append("</td></tr>");
            b.Append("</table>");
        }
        return End(b, s.Method);
    }

    /// <summary>Two narrow tables (status, then health and mean progress) rather than one too wide for A4.</summary>
    private static void BreakdownTable(StringBuilder b, string label, IReadOnlyList<GroupBreakdown> groups)
    {
        if (groups.Count == 0) return;
        var first = groups[0].Breakdown;
        void Head(IEnumerable<string> columns)
        {
            b.Append("<table><tr><th>").Append(E(label)).Append("</th>");
            foreach (var c in columns) b.Append("<th class=\"n\">").Append(E(c)).Append("</th>");
            b.Append("</tr>");
        }
        void Name(GroupBreakdown g) =>
            b.Append("<tr><td>").Append(E(g.Code)).Append(g.Code == g.Title ? "" : " <span class=\"meta\">" + E(g.Title) + "</span>").Append("</td>");

        Head(["commitments", .. first.ByStatus.Select(s => s.Key)]);
        foreach (var g in groups)
        {
            Name(g);
            b.Append("<td class=\"n\">").Append(g.Breakdown.Commitments).Append("</td>");
            foreach (var s in g.Breakdown.ByStatus) b.Append("<td class=\"n\">").Append(s.Count).Append("</td>");
            b.Append("</tr>");
        }
        b.Append("</table>");
        Head([.. first.ByHealth.Select(h => h.Key), "with value", "mean progress"]);
        foreach (var g in groups)
        {
            Name(g);
            foreach (var h in g.Breakdown.ByHealth) b.Append("<td class=\"n\">").Append(h.Count).Append("</td>");
            b.Append("<td class=\"n\">").Append(g.Breakdown.WithValue).Append("</td><td class=\"n\">").Append(Pct(g.Breakdown.MeanProgress)).Append("</td></tr>");
        }
        b.Append("</table>");
    }

    private static void StatusBars(StringBuilder b, IReadOnlyList<GroupBreakdown> groups)
    {
        const int left = 60, width = 560, barHeight = 18, gap = 8;
        var max = Math.Max(1, groups.Max(g => g.Breakdown.Commitments));
        var height = groups.Count * (barHeight + gap) + 30;
        b.Append("<figure><svg role=\"img\" aria-label=\"Commitments by status for each country\" width=\"100%\" viewBox=\"0 0 ")
            .Append(left + width + 40).Append(' ').Append(height).Append("\">");
        for (var i = 0; i < groups.Count; i++)
        {
            var y = i * (barHeight + gap) + 4;
            b.Append("<text x=\"").Append(left - 6).Append("\" y=\"").Append(y + 13).Append("\" text-anchor=\"end\" font-size=\"11\">").Append(E(groups[i].Code)).Append("</text>");
            double x = left;
            foreach (var (key, color) in StatusColors)
            {
                var count = groups[i].Breakdown.ByStatus.FirstOrDefault(s => s.Key == key)?.Count ?? 0;
                if (count == 0) continue;
                var w = (double)count / max * width;
                b.Append("<rect x=\"").Append(F(x)).Append("\" y=\"").Append(y).Append("\" width=\"").Append(F(w)).Append("\" height=\"").Append(barHeight)
                    .Append("\" fill=\"").Append(color).Append("\"><title>").Append(E($"{groups[i].Code} {key}: {count}")).Append("</title></rect>");
                if (w > 14) b.Append("<text x=\"").Append(F(x + w / 2)).Append("\" y=\"").Append(y + 13).Append("\" text-anchor=\"middle\" font-size=\"10\" fill=\"#fff\">").Append(count).Append("</text>");
                x += w;
            }
            b.Append("<text x=\"").Append(F(x + 4)).Append("\" y=\"").Append(y + 13).Append("\" font-size=\"10\">").Append(groups[i].Breakdown.Commitments).Append("</text>");
        }
        b.Append("</svg><figcaption class=\"legend\">");
        foreach (var (key, color) in StatusColors) b.Append("<span><i style=\"background:").Append(color).Append("\"></i>").Append(E(key)).Append("</span>");
        b.Append("</figcaption></figure>");
    }

    private static void ProgressBars(StringBuilder b, IReadOnlyList<GroupBreakdown> groups)
    {
        const int left = 60, width = 520, barHeight = 16, gap = 8;
        var height = groups.Count * (barHeight + gap) + 24;
        b.Append("<figure><svg role=\"img\" aria-label=\"Mean progress by goal\" width=\"100%\" viewBox=\"0 0 ")
            .Append(left + width + 70).Append(' ').Append(height).Append("\">");
        for (var i = 0; i < groups.Count; i++)
        {
            var y = i * (barHeight + gap) + 4;
            var p = groups[i].Breakdown.MeanProgress;
            b.Append("<text x=\"").Append(left - 6).Append("\" y=\"").Append(y + 12).Append("\" text-anchor=\"end\" font-size=\"11\">").Append(E(groups[i].Code)).Append("</text>");
            b.Append("<rect x=\"").Append(left).Append("\" y=\"").Append(y).Append("\" width=\"").Append(width).Append("\" height=\"").Append(barHeight).Append("\" fill=\"#eef2f6\"/>");
            if (p is { } v)
                b.Append("<rect x=\"").Append(left).Append("\" y=\"").Append(y).Append("\" width=\"").Append(F(v * width)).Append("\" height=\"").Append(barHeight)
                    .Append("\" fill=\"#2f6bbf\"><title>").Append(E($"{groups[i].Code}: {Pct(v)}")).Append("</title></rect>");
            b.Append("<text x=\"").Append(left + width + 6).Append("\" y=\"").Append(y + 12).Append("\" font-size=\"10\">").Append(E(Pct(p))).Append("</text>");
        }
        b.Append("</svg><figcaption>Mean progress of the goal's commitments with a value, capped to 0–100 %.</figcaption></figure>");
    }

    private static void Heatmap(StringBuilder b, Matrix m, Func<double?, string> label, Func<double?, string> fill, string caption)
    {
        const int left = 50, top = 22, cell = 46, cellHeight = 24;
        var w = left + m.Columns.Count * cell + 4;
        var h = top + m.Rows.Count * cellHeight + 4;
        b.Append("<figure><svg role=\"img\" aria-label=\"").Append(E(caption)).Append("\" width=\"")
            .Append(Math.Min(100, w * 100 / 700)).Append("%\" viewBox=\"0 0 ").Append(w).Append(' ').Append(h).Append("\">");
        for (var j = 0; j < m.Columns.Count; j++)
            b.Append("<text x=\"").Append(left + j * cell + cell / 2).Append("\" y=\"15\" text-anchor=\"middle\" font-size=\"10\">").Append(E(m.Columns[j])).Append("</text>");
        for (var i = 0; i < m.Rows.Count; i++)
        {
            var y = top + i * cellHeight;
            b.Append("<text x=\"").Append(left - 6).Append("\" y=\"").Append(y + 16).Append("\" text-anchor=\"end\" font-size=\"10\">").Append(E(m.Rows[i])).Append("</text>");
            for (var j = 0; j < m.Columns.Count; j++)
            {
                var v = m.Cells[i][j];
                b.Append("<rect x=\"").Append(left + j * cell).Append("\" y=\"").Append(y).Append("\" width=\"").Append(cell - 2).Append("\" height=\"").Append(cellHeight - 2)
                    .Append("\" fill=\"").Append(fill(v)).Append("\"><title>").Append(E($"{m.Rows[i]} × {m.Columns[j]}: {label(v)}")).Append("</title></rect>")
                    .Append("<text x=\"").Append(left + j * cell + cell / 2 - 1).Append("\" y=\"").Append(y + 15).Append("\" text-anchor=\"middle\" font-size=\"9\">").Append(E(label(v))).Append("</text>");
            }
        }
        b.Append("</svg><figcaption>").Append(E(caption)).Append("</figcaption></figure>");
    }

    /// <summary>From pale red (0) through yellow to green (1).</summary>
    private static string Blend(double v)
    {
        v = Math.Clamp(v, 0, 1);
        var (r, g, bl) = v < 0.5 ? Mix((244, 199, 195), (250, 226, 150), v * 2) : Mix((250, 226, 150), (163, 214, 170), (v - 0.5) * 2);
        return $"#{r:x2}{g:x2}{bl:x2}";
    }

    private static (int, int, int) Mix((int R, int G, int B) a, (int R, int G, int B) c, double t) =>
        ((int)(a.R + (c.R - a.R) * t), (int)(a.G + (c.G - a.G) * t), (int)(a.B + (c.B - a.B) * t));

    private static string Pill(string health) =>
        $"<span class=\"pill\" style=\"background:{HealthColors.GetValueOrDefault(health, "#5f6b7a")}\">{E(health)}</span>";
}
