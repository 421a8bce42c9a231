using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using CsvHelper;

namespace Strategy.Tests.Api;

/// <summary>
/// The other formats of a report: the CSV, read back with CsvHelper, carries the same numbers as the canonical JSON;
/// the HTML page is self-contained (inline SVG charts, nothing fetched from anywhere) and escapes what users typed.
/// </summary>
public sealed partial class ReportFormatTests(FixedClockFactory api) : IClassFixture<FixedClockFactory>
{
    private static readonly string[] Columns = ["section", "country", "goal", "outcome", "indicator", "commitment", "sdgGoal", "sdgTarget", "measure", "value"];

    private sealed record CsvRow(string Section, string Country, string Goal, string Outcome, string Indicator, string Commitment,
        string SdgGoal, string SdgTarget, string Measure, string Value);

    private static async Task<List<CsvRow>> ReadCsv(HttpResponseMessage response)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        response.Content.Headers.ContentType.CharSet.ShouldBe("utf-8");
        response.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        response.Content.Headers.ContentDisposition.FileName!.Trim('"').ShouldEndWith(".csv");

        // RFC 4180: records end with CRLF; no byte order mark.
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        bytes[0].ShouldBe((byte)'s');
        text.ShouldStartWith(string.Join(",", Columns) + "\r\n");
        text.ShouldEndWith("\r\n");

        var rows = new List<CsvRow>();
        await using var stream = new MemoryStream(bytes);
        using var csv = CsvReader.Create(stream, new CsvReaderOptions(), leaveOpen: false);
        csv.ReadHeader();
        csv.Headers.ShouldBe(Columns);
        while (csv.Read())
        {
            csv.FieldCount.ShouldBe(Columns.Length);
            rows.Add(new CsvRow(csv.GetString("section"), csv.GetString("country"), csv.GetString("goal"), csv.GetString("outcome"),
                csv.GetString("indicator"), csv.GetString("commitment"), csv.GetString("sdgGoal"), csv.GetString("sdgTarget"),
                csv.GetString("measure"), csv.GetString("value")));
        }
        return rows;
    }

    /// <summary>The number in a CSV value; an empty value is a null in the JSON.</summary>
    private static double? Number(string value) => value.Length == 0 ? null : double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static double? Number(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetDouble();

    private static double? Single(List<CsvRow> rows, Func<CsvRow, bool> where)
    {
        var matching = rows.Where(where).ToList();
        matching.Count.ShouldBe(1);
        return Number(matching[0].Value);
    }

    /// <summary>Every figure of a breakdown (commitments, count and share per status and health, mean, withValue).</summary>
    private static void ShouldMatch(List<CsvRow> rows, string section, JsonElement breakdown, Func<CsvRow, bool> at)
    {
        var mine = rows.Where(r => r.Section == section && at(r)).ToDictionary(r => r.Measure, r => Number(r.Value));
        mine["commitments"].ShouldBe(breakdown.P("commitments").GetInt32());
        mine["withValue"].ShouldBe(breakdown.P("withValue").GetInt32());
        mine["meanProgress"].ShouldBe(Number(breakdown.P("meanProgress")));
        foreach (var by in new[] { ("byStatus", "status"), ("byHealth", "health") })
            foreach (var item in breakdown.A(by.Item1))
            {
                mine[$"{by.Item2}:{item.S("key")}:count"].ShouldBe(item.P("count").GetInt32());
                mine[$"{by.Item2}:{item.S("key")}:share"].ShouldBe(item.P("share").GetDouble());
            }
        mine.Count.ShouldBe(1 + 5 * 2 + 6 * 2 + 2);
    }

    [Fact]
    public async Task The_progress_csv_holds_the_numbers_of_the_json()
    {
        var f = await ReportFixture.Seed(api);
        var secretariat = api.Secretariat();
        // A withdrawal whose reason needs quoting in CSV: a comma, quotes and a line break.
        const string reason = "Merged into C01, see \"minutes\" of 3 March\r\nand the annex";
        (await secretariat.PostJson($"/api/commitments/{f.Ids["C06"]}/withdraw", new { reason })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var (id, _, c) = await ReportFixture.Generate(secretariat, new { kind = "progress", plan = f.Plan });
        var rows = await ReadCsv(await secretariat.GetAsync($"/api/reports/{id}/content?format=csv"));

        // One row per figure. Breakdowns: 1 + 5 statuses x 2 + 6 health values x 2 + mean + withValue = 25 rows, for the
        // totals, 3 countries, 2 goals and 3 outcomes: 9 x 25 = 225. Matrix 3 x 2 = 6. Indicators: 2 rows each (3 x 2 = 6)
        // and 8 per commitment (C01 C05 C08, C02, C03 C04: 6 x 8 = 48). Attention C03, C04: 2 x 4 = 8. Changes: 8 new,
        // 6 status changes, 2 withdrawals = 16. In all 225 + 6 + 54 + 8 + 16 = 309.
        rows.Count.ShouldBe(309);

        ShouldMatch(rows, "totals", c.P("totals"), _ => true);
        foreach (var g in c.A("byCountry")) ShouldMatch(rows, "byCountry", g.P("breakdown"), r => r.Country == g.S("code"));
        foreach (var g in c.A("byGoal")) ShouldMatch(rows, "byGoal", g.P("breakdown"), r => r.Goal == g.S("code"));
        foreach (var g in c.A("byOutcome")) ShouldMatch(rows, "byOutcome", g.P("breakdown"), r => r.Outcome == g.S("code"));
        // ...which are the hand-worked figures (C06 is withdrawn here, so VN has C03 and C08 and 6 commitments remain).
        Single(rows, r => r is { Section: "totals", Measure: "commitments" }).ShouldBe(6);
        Single(rows, r => r is { Section: "byCountry", Country: "KH", Measure: "meanProgress" }).ShouldBe(0.575);
        Single(rows, r => r is { Section: "byCountry", Country: "VN", Measure: "health:unknown:share" }).ShouldBe(0.5);
        Single(rows, r => r is { Section: "byGoal", Goal: "G2", Measure: "meanProgress" }).ShouldBe(0.3);

        var m = c.P("countryGoalMeanProgress");
        var countries = m.A("rows").Select(x => x.GetString()!).ToList();
        var goals = m.A("columns").Select(x => x.GetString()!).ToList();
        for (var i = 0; i < countries.Count; i++)
            for (var j = 0; j < goals.Count; j++)
                Single(rows, r => r.Section == "countryGoalMeanProgress" && r.Country == countries[i] && r.Goal == goals[j] && r.Measure == "meanProgress")
                    .ShouldBe(Number(m.P("cells")[i][j]), $"{countries[i]} x {goals[j]}");
        Single(rows, r => r is { Section: "countryGoalMeanProgress", Country: "KH", Goal: "G1" }).ShouldBe(0.65);
        Single(rows, r => r is { Section: "countryGoalMeanProgress", Country: "TH", Goal: "G2" }).ShouldBeNull();

        foreach (var indicator in c.A("indicators"))
        {
            var code = indicator.S("code");
            Single(rows, r => r.Section == "indicators" && r.Indicator == code && r.Commitment == "" && r.Measure == "baseline").ShouldBe(indicator.D("baseline"));
            Single(rows, r => r.Section == "indicators" && r.Indicator == code && r.Commitment == "" && r.Measure == "target").ShouldBe(indicator.D("target"));
            foreach (var row in indicator.A("countries"))
            {
                var commitment = row.S("commitment");
                var mine = rows.Where(r => r.Section == "indicators" && r.Indicator == code && r.Commitment == commitment).ToList();
                mine.ShouldAllBe(r => r.Country == row.S("country") && r.Outcome == indicator.S("outcome"));
                var values = mine.ToDictionary(r => r.Measure, r => r.Value);
                foreach (var (measure, json) in new[] { ("commitmentBaseline", "baseline"), ("commitmentTarget", "target"), ("latestValue", "latestValue"),
                             ("progress", "progress"), ("anticipatedProgress", "anticipatedProgress") })
                    Number(values[measure]).ShouldBe(row.D(json), $"{commitment} {measure}");
                values["latestAsOf"].ShouldBe(row.S("latestAsOf") ?? "");
                values["anticipation"].ShouldBe(row.S("anticipation") ?? "");
                values["health"].ShouldBe(row.S("health"));
            }
        }
        var c01 = rows.Where(r => r is { Section: "indicators", Commitment: "C01" }).ToDictionary(r => r.Measure, r => r.Value);
        (c01["latestValue"], c01["progress"], c01["anticipatedProgress"], c01["anticipation"]).ShouldBe(("65", "0.65", "0.8", "acceleration-needed"));

        rows.Where(r => r is { Section: "attention", Measure: "reasons" }).Select(r => (r.Commitment, r.Country, r.Value))
            .ShouldBe(c.A("attention").Select(a => (a.S("code")!, a.S("country")!, string.Join(' ', a.A("reasons").Select(x => x.GetString())))));
        rows.Where(r => r is { Section: "changes", Measure: "withdrawn" }).Select(r => (r.Commitment, r.Value))
            .ShouldBe([("C07", "Made in error"), ("C06", reason)]); // in the order they happened
        rows.Where(r => r is { Section: "changes", Measure: "status" }).Select(r => r.Value).ShouldContain("not-started->on-hold");
    }

    [Fact]
    public async Task The_sdg_csv_holds_the_numbers_of_the_json()
    {
        var f = await ReportFixture.Seed(api);
        var secretariat = api.Secretariat();
        var (id, _, c) = await ReportFixture.Generate(secretariat, new { kind = "sdg-alignment", plan = f.Plan });
        var rows = await ReadCsv(await secretariat.GetAsync($"/api/reports/{id}/content?format=csv"));

        foreach (var goal in c.A("goals"))
        {
            var g = goal.P("goal").GetInt32().ToString(CultureInfo.InvariantCulture);
            Single(rows, r => r is { Section: "sdgGoals", Measure: "commitments" } && r.SdgGoal == g).ShouldBe(goal.P("commitments").GetInt32());
            Single(rows, r => r is { Section: "sdgGoals", Measure: "meanProgress" } && r.SdgGoal == g).ShouldBe(goal.D("meanProgress"));
            foreach (var target in goal.A("targets"))
            {
                var t = target.S("target");
                Single(rows, r => r.Section == "sdgTargets" && r.SdgTarget == t && r.Measure == "meanProgress").ShouldBe(target.D("meanProgress"));
                Single(rows, r => r.Section == "sdgTargets" && r.SdgTarget == t && r.Measure == "outcomes").ShouldBe(target.A("outcomes").Count);
                foreach (var byCountry in target.A("commitmentsByCountry"))
                    Single(rows, r => r.Section == "sdgTargets" && r.SdgTarget == t && r.Measure == "commitments" && r.Country == byCountry.S("key"))
                        .ShouldBe(byCountry.P("count").GetInt32());
                foreach (var health in target.A("byHealth"))
                    Single(rows, r => r.Section == "sdgTargets" && r.SdgTarget == t && r.Measure == $"health:{health.S("key")}:count").ShouldBe(health.P("count").GetInt32());
                foreach (var outcome in target.A("outcomes"))
                    foreach (var commitment in outcome.A("commitments"))
                    {
                        var mine = rows.Where(r => r.Section == "sdgCommitments" && r.SdgTarget == t && r.Commitment == commitment.S("code")).ToDictionary(r => r.Measure);
                        mine["health"].Value.ShouldBe(commitment.S("health"));
                        Number(mine["progress"].Value).ShouldBe(commitment.D("progress"));
                        (mine["health"].Country, mine["health"].Outcome, mine["health"].Goal, mine["health"].SdgGoal).ShouldBe((commitment.S("country")!, outcome.S("code")!, outcome.S("goal")!, g));
                    }
            }
        }

        var coverage = c.P("countryGoalCoverage");
        var countries = coverage.A("rows").Select(x => x.GetString()!).ToList();
        var goals = coverage.A("columns").Select(x => x.GetString()!).ToList();
        for (var i = 0; i < countries.Count; i++)
            for (var j = 0; j < goals.Count; j++)
                Single(rows, r => r.Section == "coverage" && r.Country == countries[i] && r.SdgGoal == goals[j]).ShouldBe(Number(coverage.P("cells")[i][j]));
        // The hand-worked coverage (see ReportJobTests): VN has two commitments under SDG 13, TH none under 6.
        Single(rows, r => r is { Section: "coverage", Country: "VN", SdgGoal: "13" }).ShouldBe(2);
        Single(rows, r => r is { Section: "coverage", Country: "TH", SdgGoal: "6" }).ShouldBe(0);

        // One gap row per missing member: 3.9 (KH, VN), 6.3 (TH), 11.6 (KH, VN).
        rows.Where(r => r.Section == "gaps").Select(r => (r.SdgTarget, r.Country, r.Value, r.SdgGoal))
            .ShouldBe([("3.9", "KH", "G1.O2", "3"), ("3.9", "VN", "G1.O2", "3"), ("6.3", "TH", "G2.O1", "6"), ("11.6", "KH", "G1.O2", "11"), ("11.6", "VN", "G1.O2", "11")]);
    }

    [GeneratedRegex("""(?:src|href|xlink:href|action|srcset)\s*=""", RegexOptions.IgnoreCase)]
    private static partial Regex ResourceAttribute();

    private static void ShouldBeSelfContained(string html)
    {
        html.ShouldStartWith("<!DOCTYPE html>");
        foreach (var banned in new[] { "http://", "https://", "<script", "<link", "<iframe", "<img", "@import", "url(", "//cdn", "@font-face" })
            html.ShouldNotContain(banned, Case.Insensitive, banned);
        // No attribute that would fetch anything (no src, href, ...) at all, so no protocol-relative "//host" either.
        ResourceAttribute().IsMatch(html).ShouldBeFalse();
        html.ShouldContain("@page");
        html.ShouldContain("A4");
    }

    private static int Count(string text, string what) => Regex.Matches(text, Regex.Escape(what)).Count;

    [Fact]
    public async Task The_progress_html_is_self_contained_with_its_three_charts_and_escapes_user_text()
    {
        var f = await ReportFixture.Seed(api);
        var secretariat = api.Secretariat();
        // C03 needs attention, so its title is on the page.
        (await secretariat.SendJson(HttpMethod.Patch, $"/api/commitments/{f.Ids["C03"]}",
            new { title = "Clean <script>alert('x')</script> rivers & lakes", reason = "Clearer title" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var (id, status, _) = await ReportFixture.Generate(secretariat, new { kind = "progress", plan = f.Plan });

        var response = await secretariat.GetAsync($"/api/reports/{id}/content?format=html");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        response.Content.Headers.ContentType.CharSet.ShouldBe("utf-8");
        string.Join(";", response.Headers.GetValues("Content-Security-Policy")).ShouldContain("default-src 'none'");
        var html = await response.Content.ReadAsStringAsync();
        ShouldBeSelfContained(html);
        html.ShouldContain("Clean &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; rivers &amp; lakes");

        // Status by country (stacked bars), progress by goal (bars), country x goal heatmap.
        Count(html, "<svg").ShouldBeGreaterThanOrEqualTo(3);
        Count(html, "<svg").ShouldBe(Count(html, "</svg>"));
        html.ShouldContain("aria-label=\"Commitments by status for each country\"");
        html.ShouldContain("aria-label=\"Mean progress by goal\"");
        // The charts carry the report's figures: KH has 2 in progress; VN 1 not started, 1 on hold, 1 cancelled;
        // G2's mean progress is 30 %; the KH x G1 cell is C01's 65 %.
        html.ShouldContain("<title>KH in-progress: 2</title>");
        html.ShouldContain("<title>VN not-started: 1</title>");
        html.ShouldContain("<title>VN cancelled: 1</title>");
        html.ShouldContain("<title>G2: 30 %</title>");
        html.ShouldContain("<title>KH &#215; G1: 65 %</title>"); // "×", HTML-encoded
        html.ShouldContain(status.S("contentHash")!);

        var json = await secretariat.GetAsync($"/api/reports/{id}/content?format=json");
        json.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        json.Content.Headers.ContentType.CharSet.ShouldBe("utf-8");
        (await secretariat.GetAsync($"/api/reports/{id}/content")).Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
    }

    [Fact]
    public async Task The_sdg_html_is_self_contained_with_its_coverage_heatmap()
    {
        var f = await ReportFixture.Seed(api);
        var secretariat = api.Secretariat();
        var (id, _, _) = await ReportFixture.Generate(secretariat, new { kind = "sdg-alignment", plan = f.Plan });
        var response = await secretariat.GetAsync($"/api/reports/{id}/content?format=html");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        var html = await response.Content.ReadAsStringAsync();
        ShouldBeSelfContained(html);
        Count(html, "<svg").ShouldBeGreaterThanOrEqualTo(1);
        // Heatmap cells: VN has 2 commitments under SDG 13, TH none under SDG 6.
        html.ShouldContain("<title>VN &#215; 13: 2</title>");
        html.ShouldContain("<title>TH &#215; 6: 0</title>");
        html.ShouldContain("Gaps");
    }
}
