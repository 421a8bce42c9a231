using System.Globalization;
using System.Net;
using System.Text;
using Strategy.Domain.Reports;

namespace Strategy.Infrastructure.Reports;

public sealed record ReportHeader(Guid Id, string ContentHash, DateTimeOffset? AsOf, DateTimeOffset RequestedAt, string RequestedBy);

/// <summary>
/// A report as one self-contained HTML page: inline CSS and SVG charts, no scripts, fonts or images from anywhere,
/// laid out to print on A4. Written in the language of its <see cref="ReportText"/>: headings, words and the method in
/// that language, numbers and dates in its culture's conventions; codes, names and what people typed as the JSON has them.
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

    /// <summary>
    /// Fonts for the members' scripts, after the Latin ones (codes and numbers keep their look): Debian's fonts-noto-core,
    /// fonts-noto-cjk and fonts-khmeros have them, with more room between lines for the marks above and below the letters
    /// of Khmer, Lao, Burmese and Thai. Vietnamese is Latin.
    /// </summary>
    private static readonly Dictionary<string, string> ScriptFonts = new(StringComparer.Ordinal)
    {
        ["km"] = "\"Noto Sans Khmer\", \"Khmer OS\"", ["lo"] = "\"Noto Sans Lao\"", ["my"] = "\"Noto Sans Myanmar\"",
        ["th"] = "\"Noto Sans Thai\"", ["zh"] = "\"Noto Sans CJK SC\"",
    };

    public static string Render(object content, ReportHeader header, ReportText? text = null) => content switch
    {
        ProgressReportContent p => Progress(p, header, text ?? ReportText.English),
        SdgAlignmentReportContent s => Sdg(s, header, text ?? ReportText.English),
        _ => throw new ArgumentException("Unknown report content.", nameof(content)),
    };

    private static string E(string? s) => WebUtility.HtmlEncode(s ?? "");

    /// <summary>
    /// The report's own words, escaped for HTML text and attributes but otherwise as written (an apostrophe stays one).
    /// </summary>
    private static string W(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");

    /// <summary>A text of the report with its arguments, which are HTML already (escaped user text, code elements).</summary>
    private static string H(ReportText t, string key, params object?[] html) => string.Format(t.Culture, W(t[key]), html);

    /// <summary>SVG coordinates: always invariant, whatever the language.</summary>
    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static StringBuilder Begin(ReportText t, string title, ReportPlan plan, ReportBasis basis, ReportHeader header, IReadOnlyList<string> countries)
    {
        var b = new StringBuilder();
        b.Append("<!DOCTYPE html><html lang=\"").Append(t.Lang).Append("\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        b.Append("<title>").Append(W(title)).Append(" – ").Append(E(plan.Code)).Append("</title><style>");
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
        if (ScriptFonts.TryGetValue(t.Lang, out var fonts))
            b.Append("\nbody { font-family: \"DejaVu Sans\", \"Liberation Sans\", Arial, ").Append(fonts).Append(", sans-serif; line-height: 1.5; }");
        // Everything inside one main landmark, so a screen reader can reach the report at once and nothing sits outside.
        b.Append("</style></head><body><main>");
        b.Append("<h1>").Append(W(title)).Append("</h1><p><strong>").Append(E(plan.Title)).Append("</strong> (").Append(E(plan.Code)).Append(", ")
            .Append(H(t, "Plan.Period", W(t.LongDate(plan.Start)), W(t.LongDate(plan.End)))).Append(")</p>");
        b.Append("<p class=\"meta\">").Append(H(t, "Meta.Countries", E(string.Join(", ", countries))))
            .Append(" · ").Append(H(t, "Meta.HealthEvaluatedOn", W(t.LongDate(basis.EvaluatedOn))))
            .Append(" · ").Append(header.AsOf is { } asOf ? H(t, "Meta.AsOf", W(t.Instant(asOf))) : W(t["Meta.CurrentState"]))
            .Append(" · ").Append(H(t, "Meta.Requested", W(t.InstantToMinute(header.RequestedAt)), E(header.RequestedBy)))
            .Append("<br>").Append(H(t, "Meta.Report", $"<code>{header.Id}</code>")).Append(" · ").Append(H(t, "Meta.PlanVersion", basis.PlanVersion))
            .Append(" · ").Append(H(t, "Meta.LastEventSeen", $"<code>{basis.EventSequence}</code>"))
            .Append(" · ").Append(H(t, "Meta.ChainHash", $"<code>{E(basis.ChainHash)}</code>"))
            .Append("<br>").Append(H(t, "Meta.ContentHash", $"<code>{E(header.ContentHash)}</code>")).Append("</p>");
        return b;
    }

    /// <summary>
    /// The method notes of the JSON, translated where the resources know the note; a part left in English says so
    /// (<c>lang="en"</c>), as would a note the JSON of an older report words differently.
    /// </summary>
    private static string End(ReportText t, StringBuilder b, IReadOnlyList<MethodNote> method)
    {
        b.Append("<h2>").Append(W(t["H.Method"])).Append("</h2><table><tr>").Append(Th(t, "Col.measure")).Append(Th(t, "Col.definition")).Append(Th(t, "Col.source")).Append("</tr>");
        void Cell(ReportText.Translated part) =>
            b.Append(part.InLanguage ? "<td>" : "<td lang=\"en\">").Append(E(part.Text)).Append("</td>");
        foreach (var m in method)
        {
            var (name, definition, source) = t.Method(m);
            b.Append("<tr>");
            Cell(name);
            Cell(definition);
            Cell(source);
            b.Append("</tr>");
        }
        if (t.CalendarNote is { } calendar)
            b.Append("<tr><td>").Append(W(calendar.Name)).Append("</td><td>").Append(W(calendar.Definition)).Append("</td><td>").Append(W(calendar.Source)).Append("</td></tr>");
        b.Append("</table></main></body></html>");
        return b.ToString();
    }

    private static string Th(ReportText t, string key, bool number = false) =>
        (number ? "<th class=\"n\">" : "<th>") + W(t[key]) + "</th>";

    private static string Progress(ProgressReportContent p, ReportHeader header, ReportText t)
    {
        var b = Begin(t, p.Round is { } named ? t.Format("Title.ProgressRound", named.Code) : t["Title.Progress"], p.Plan, p.Basis, header, p.Countries);
        if (p.Round is { } round) RoundTable(t, b, round);
        var totals = p.Totals;
        b.Append("<h2>").Append(W(t["H.Summary"])).Append("</h2><p>")
            .Append(H(t, "Summary.Text", totals.Commitments, totals.WithValue, W(t.Percent(totals.MeanProgress)))).Append("</p>");
        var all = t["AllCountries"];
        BreakdownTable(t, b, "Col.scope", [new GroupBreakdown(all, all, totals)]);

        b.Append("<h2>").Append(W(t["H.StatusByCountry"])).Append("</h2>");
        StatusBars(t, b, p.ByCountry);
        BreakdownTable(t, b, "Col.country", p.ByCountry);

        b.Append("<h2>").Append(W(t["H.ProgressByGoal"])).Append("</h2>");
        ProgressBars(t, b, p.ByGoal);
        BreakdownTable(t, b, "Col.goal", p.ByGoal);

        b.Append("<h2>").Append(W(t["H.CountryGoal"])).Append("</h2>");
        Heatmap(b, p.CountryGoalMeanProgress, t.Percent, v => v is { } x ? Blend(x) : "#f2f5f8", t["Caption.CountryGoal"]);

        b.Append("<h2>").Append(W(t["H.ByOutcome"])).Append("</h2>");
        BreakdownTable(t, b, "Col.outcome", p.ByOutcome);

        string Number(double? v) => v is { } x ? W(t.Number(x)) : "–";
        b.Append("<h2>").Append(W(t["H.Indicators"])).Append("</h2><table><tr>").Append(Th(t, "Col.indicator")).Append(Th(t, "Col.country")).Append(Th(t, "Col.commitment"))
            .Append(Th(t, "Col.baseline", true)).Append(Th(t, "Col.target", true)).Append(Th(t, "Col.latest", true)).Append(Th(t, "Col.asOf"))
            .Append(Th(t, "Col.progress", true)).Append(Th(t, "Col.anticipated", true)).Append(Th(t, "Col.health")).Append("</tr>");
        foreach (var ind in p.Indicators)
            foreach (var c in ind.Countries)
                b.Append("<tr><td>").Append(E(ind.Code)).Append("<br><span class=\"meta\">").Append(E(ind.Title)).Append(" (").Append(E(ind.Unit)).Append(")</span></td><td>")
                    .Append(E(c.Country)).Append("</td><td>").Append(E(c.Commitment)).Append("</td><td class=\"n\">").Append(Number(c.Baseline))
                    .Append("</td><td class=\"n\">").Append(Number(c.Target)).Append("</td><td class=\"n\">").Append(Number(c.LatestValue))
                    .Append("</td><td>").Append(c.LatestAsOf is { } asOf ? W(t.Date(asOf)) : "–").Append("</td><td class=\"n\">").Append(W(t.Percent(c.Progress)))
                    .Append("</td><td class=\"n\">").Append(W(t.Percent(c.AnticipatedProgress))).Append(c.Anticipation is { } a ? "<br>" + W(t.Word(a)) : "")
                    .Append("</td><td>").Append(Pill(t, c.Health)).Append("</td></tr>");
        b.Append("</table>");

        b.Append("<h2>").Append(W(t["H.Attention"])).Append("</h2>");
        if (p.Attention.Count == 0) b.Append("<p>").Append(W(t["Attention.None"])).Append("</p>");
        else
        {
            b.Append("<table><tr>").Append(Th(t, "Col.commitment")).Append(Th(t, "Col.country")).Append(Th(t, "Col.health")).Append(Th(t, "Col.why"))
                .Append(Th(t, "Col.lastUpdate")).Append("</tr>");
            foreach (var a in p.Attention)
                b.Append("<tr><td>").Append(E(a.Code)).Append("<br><span class=\"meta\">").Append(E(a.Title)).Append("</span></td><td>").Append(E(a.Country))
                    .Append("</td><td>").Append(Pill(t, a.Health)).Append("</td><td>").Append(E(string.Join(", ", a.Reasons.Select(t.Word)))).Append("</td><td>")
                    .Append(H(t, "Attention.UpdatedBy", W(t.Date(a.LastUpdatedAt)), E(a.LastUpdatedBy))).Append("</td></tr>");
            b.Append("</table>");
        }

        var ch = p.ChangesSincePrevious;
        b.Append("<h2>").Append(W(t["H.Changes"])).Append("</h2><p>").Append(ch.Previous is { } prev
            ? H(t, "Changes.Since", $"<code>{prev.Id}</code>", prev.EventSequence)
            : W(t["Changes.First"])).Append("</p>");
        b.Append("<table><tr>").Append(Th(t, "Col.change")).Append(Th(t, "Col.commitment")).Append(Th(t, "Col.country")).Append(Th(t, "Col.detail")).Append("</tr>");
        foreach (var c in ch.NewCommitments.Concat(ch.StatusChanges).Concat(ch.Withdrawals).Concat(ch.Restorations).OrderBy(c => c.Sequence))
            b.Append("<tr><td>").Append(W(t[c.Kind switch { ChangeKind.NewCommitment => "Change.new", ChangeKind.StatusChange => "Change.status", ChangeKind.Restoration => "Change.restored", _ => "Change.withdrawn" }]))
                .Append("</td><td>").Append(E(c.Code)).Append("</td><td>").Append(E(c.Country)).Append("</td><td>")
                .Append(c.Kind == ChangeKind.StatusChange ? E($"{t.Word(c.From ?? "")} → {t.Word(c.To ?? "")}") : "").Append(c.Reason is { } r ? " " + E(r) : "").Append("</td></tr>");
        b.Append("</table>");
        return End(t, b, p.Method);
    }

    private static void RoundTable(ReportText t, StringBuilder b, RoundSection r)
    {
        var values = H(t, "Round.Values", W(t.LongDate(r.PeriodStart)), W(t.LongDate(r.PeriodEnd)), W(t.LongDate(r.Deadline)));
        b.Append("<h2>").Append(H(t, "H.Round", E(r.Code))).Append("</h2><p>").Append(r.Title is { } title ? H(t, "Round.WithTitle", E(title), values) : values).Append("</p>");
        b.Append(r.Provisional
            ? $"<p><strong>{W(t["Round.ProvisionalLabel"])}</strong> {W(t["Round.Provisional"])}</p>"
            : $"<p>{W(t["Round.Closed"])}</p>");
        b.Append("<table><tr>").Append(Th(t, "Col.country")).Append(Th(t, "Col.commitments", true)).Append(Th(t, "Col.accepted", true)).Append(Th(t, "Col.awaitingReview", true))
            .Append(Th(t, "Col.returned", true)).Append(Th(t, "Col.noValue", true)).Append(Th(t, "Col.late", true)).Append("</tr>");
        foreach (var c in r.Completeness)
            b.Append("<tr><td>").Append(E(c.Country)).Append("</td><td class=\"n\">").Append(c.Commitments).Append("</td><td class=\"n\">").Append(c.Accepted)
                .Append("</td><td class=\"n\">").Append(c.Submitted).Append("</td><td class=\"n\">").Append(c.Returned)
                .Append("</td><td class=\"n\">").Append(c.Missing).Append("</td><td class=\"n\">").Append(c.Late).Append("</td></tr>");
        b.Append("</table>");
    }

    private static string Sdg(SdgAlignmentReportContent s, ReportHeader header, ReportText t)
    {
        var b = Begin(t, t["Title.Sdg"], s.Plan, s.Basis, header, s.Countries);
        b.Append("<h2>").Append(W(t["H.Coverage"])).Append("</h2>");
        Heatmap(b, s.CountryGoalCoverage, v => v is { } x ? t.Number(x) : "", v => v is > 0 ? Blend(Math.Min(1, v.Value / 3)) : "#f7f9fb", t["Caption.Coverage"]);
        b.Append("<h2>").Append(W(t["H.Targets"])).Append("</h2><table><tr>").Append(Th(t, "Col.sdgTarget")).Append(Th(t, "Col.outcomes")).Append(Th(t, "Col.commitmentsByCountry"))
            .Append(Th(t, "Col.meanProgress", true)).Append(Th(t, "Col.noCommitmentFrom")).Append("</tr>");
        foreach (var g in s.Goals)
        {
            b.Append("<tr><th colspan=\"5\">").Append(H(t, "Sdg.GoalRow", g.Goal, E(g.Title), g.Commitments, W(t.Percent(g.MeanProgress)))).Append("</th></tr>");
            foreach (var target in g.Targets)
                b.Append("<tr><td>").Append(E(target.Target)).Append("<br><span class=\"meta\">").Append(E(target.Title)).Append("</span></td><td>")
                    .Append(E(string.Join(", ", target.Outcomes.Select(o => o.Code)))).Append("</td><td>")
                    .Append(E(string.Join(", ", target.CommitmentsByCountry.Where(c => c.Count > 0).Select(c => $"{c.Key} {c.Count}")))).Append("</td><td class=\"n\">")
                    .Append(W(t.Percent(target.MeanProgress))).Append("</td><td>").Append(E(string.Join(", ", target.CountriesWithout))).Append("</td></tr>");
        }
        b.Append("</table><h2>").Append(W(t["H.Gaps"])).Append("</h2>");
        if (s.Gaps.Count == 0) b.Append("<p>").Append(W(t["Gaps.None"])).Append("</p>");
        else
        {
            b.Append("<table><tr>").Append(Th(t, "Col.sdgTarget")).Append(Th(t, "Col.alignedOutcomes")).Append(Th(t, "Col.membersWithout")).Append("</tr>");
            foreach (var gap in s.Gaps)
                b.Append("<tr><td>").Append(E(gap.Target)).Append("</td><td>").Append(E(string.Join(", ", gap.Outcomes))).Append("</td><td>")
                    .Append(E(string.Join(", ", gap.MissingCountries))).Append("</td></tr>");
            b.Append("</table>");
        }
        return End(t, b, s.Method);
    }

    /// <summary>Two narrow tables (status, then health and mean progress) rather than one too wide for A4.</summary>
    private static void BreakdownTable(ReportText t, StringBuilder b, string labelKey, IReadOnlyList<GroupBreakdown> groups)
    {
        if (groups.Count == 0) return;
        var first = groups[0].Breakdown;
        void Head(IEnumerable<string> columns)
        {
            b.Append("<table><tr>").Append(Th(t, labelKey));
            foreach (var c in columns) b.Append("<th class=\"n\">").Append(W(c)).Append("</th>");
            b.Append("</tr>");
        }
        void Name(GroupBreakdown g) =>
            b.Append("<tr><td>").Append(E(g.Code)).Append(g.Code == g.Title ? "" : " <span class=\"meta\">" + E(g.Title) + "</span>").Append("</td>");

        Head([t["Col.commitments"], .. first.ByStatus.Select(s => t.Word(s.Key))]);
        foreach (var g in groups)
        {
            Name(g);
            b.Append("<td class=\"n\">").Append(g.Breakdown.Commitments).Append("</td>");
            foreach (var s in g.Breakdown.ByStatus) b.Append("<td class=\"n\">").Append(s.Count).Append("</td>");
            b.Append("</tr>");
        }
        b.Append("</table>");
        Head([.. first.ByHealth.Select(h => t.Word(h.Key)), t["Col.withValue"], t["Col.meanProgress"]]);
        foreach (var g in groups)
        {
            Name(g);
            foreach (var h in g.Breakdown.ByHealth) b.Append("<td class=\"n\">").Append(h.Count).Append("</td>");
            b.Append("<td class=\"n\">").Append(g.Breakdown.WithValue).Append("</td><td class=\"n\">").Append(W(t.Percent(g.Breakdown.MeanProgress))).Append("</td></tr>");
        }
        b.Append("</table>");
    }

    private static void StatusBars(ReportText t, StringBuilder b, IReadOnlyList<GroupBreakdown> groups)
    {
        const int left = 60, width = 560, barHeight = 18, gap = 8;
        var max = Math.Max(1, groups.Max(g => g.Breakdown.Commitments));
        var height = groups.Count * (barHeight + gap) + 30;
        b.Append("<figure><svg role=\"img\" aria-label=\"").Append(W(t["Chart.StatusByCountry"])).Append("\" width=\"100%\" viewBox=\"0 0 ")
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
                    .Append("\" fill=\"").Append(color).Append("\"><title>").Append(E($"{groups[i].Code} {t.Word(key)}: {count}")).Append("</title></rect>");
                if (w > 14) b.Append("<text x=\"").Append(F(x + w / 2)).Append("\" y=\"").Append(y + 13).Append("\" text-anchor=\"middle\" font-size=\"10\" fill=\"#fff\">").Append(count).Append("</text>");
                x += w;
            }
            b.Append("<text x=\"").Append(F(x + 4)).Append("\" y=\"").Append(y + 13).Append("\" font-size=\"10\">").Append(groups[i].Breakdown.Commitments).Append("</text>");
        }
        b.Append("</svg><figcaption class=\"legend\">");
        foreach (var (key, color) in StatusColors) b.Append("<span><i style=\"background:").Append(color).Append("\"></i>").Append(W(t.Word(key))).Append("</span>");
        b.Append("</figcaption></figure>");
    }

    private static void ProgressBars(ReportText t, StringBuilder b, IReadOnlyList<GroupBreakdown> groups)
    {
        const int left = 60, width = 520, barHeight = 16, gap = 8;
        var height = groups.Count * (barHeight + gap) + 24;
        b.Append("<figure><svg role=\"img\" aria-label=\"").Append(W(t["Chart.ProgressByGoal"])).Append("\" width=\"100%\" viewBox=\"0 0 ")
            .Append(left + width + 70).Append(' ').Append(height).Append("\">");
        for (var i = 0; i < groups.Count; i++)
        {
            var y = i * (barHeight + gap) + 4;
            var p = groups[i].Breakdown.MeanProgress;
            b.Append("<text x=\"").Append(left - 6).Append("\" y=\"").Append(y + 12).Append("\" text-anchor=\"end\" font-size=\"11\">").Append(E(groups[i].Code)).Append("</text>");
            b.Append("<rect x=\"").Append(left).Append("\" y=\"").Append(y).Append("\" width=\"").Append(width).Append("\" height=\"").Append(barHeight).Append("\" fill=\"#eef2f6\"/>");
            if (p is { } v)
                b.Append("<rect x=\"").Append(left).Append("\" y=\"").Append(y).Append("\" width=\"").Append(F(v * width)).Append("\" height=\"").Append(barHeight)
                    .Append("\" fill=\"#2f6bbf\"><title>").Append(E($"{groups[i].Code}: {t.Percent(v)}")).Append("</title></rect>");
            b.Append("<text x=\"").Append(left + width + 6).Append("\" y=\"").Append(y + 12).Append("\" font-size=\"10\">").Append(E(t.Percent(p))).Append("</text>");
        }
        b.Append("</svg><figcaption>").Append(W(t["Caption.ProgressByGoal"])).Append("</figcaption></figure>");
    }

    private static void Heatmap(StringBuilder b, Matrix m, Func<double?, string> label, Func<double?, string> fill, string caption)
    {
        const int left = 50, top = 22, cell = 46, cellHeight = 24;
        var w = left + m.Columns.Count * cell + 4;
        var h = top + m.Rows.Count * cellHeight + 4;
        b.Append("<figure><svg role=\"img\" aria-label=\"").Append(W(caption)).Append("\" width=\"")
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
        b.Append("</svg><figcaption>").Append(W(caption)).Append("</figcaption></figure>");
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

    private static string Pill(ReportText t, string health) =>
        $"<span class=\"pill\" style=\"background:{HealthColors.GetValueOrDefault(health, "#5f6b7a")}\">{W(t.Word(health))}</span>";
}
