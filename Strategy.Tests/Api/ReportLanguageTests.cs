using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Xml.Linq;
using CsvHelper;

namespace Strategy.Tests.Api;

/// <summary>
/// A report's CSV and HTML in the members' languages (issue 14): the same canonical JSON, and so the same contentHash, in
/// every language; the HTML's headings and words from the language's resource file; the CSV's numbers the same in every
/// language. Expected words are read from the .resx files themselves, not copied here.
/// </summary>
public sealed class ReportLanguageTests(FixedClockFactory api) : IClassFixture<FixedClockFactory>
{
    /// <summary>The text of <paramref name="key"/> in Strategy.Infrastructure/Reports/Resources/ReportText[.lang].resx.</summary>
    private static string Resource(string lang, string key)
    {
        var root = Path.GetDirectoryName(Path.GetDirectoryName(OpenApiContractTests.ContractPath()))!;
        var file = Path.Combine(root, "Strategy.Infrastructure", "Reports", "Resources", lang == "en" ? "ReportText.resx" : $"ReportText.{lang}.resx");
        var data = XDocument.Load(file).Root!.Elements("data").Single(d => (string?)d.Attribute("name") == key);
        return (string)data.Element("value")!;
    }

    private static string Html(string text) => WebUtility.HtmlEncode(text);

    private async Task<(Guid Id, string ContentHash)> ProgressReport()
    {
        var f = await ReportFixture.Seed(api, "LANG");
        var (id, status, _) = await ReportFixture.Generate(api.Secretariat(), new { kind = "progress", plan = f.Plan });
        return (id, status.S("contentHash")!);
    }

    private async Task<HttpResponseMessage> Content(Guid id, string query, string? acceptLanguage = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/reports/{id}/content?{query}");
        if (acceptLanguage is not null) request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        var response = await api.Reviewer().SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return response;
    }

    private static string[][] ReadCsv(string text)
    {
        var rows = new List<string[]>();
        using var csv = CsvReader.Create(new StringReader(text), new CsvReaderOptions());
        csv.ReadHeader();
        rows.Add([.. csv.Headers]);
        while (csv.Read()) rows.Add([.. Enumerable.Range(0, csv.FieldCount).Select(i => csv.GetString(i))]);
        return [.. rows];
    }

    [Fact]
    public async Task A_report_in_English_and_Khmer_has_one_content_hash_and_the_same_json()
    {
        var (id, contentHash) = await ProgressReport();
        var english = await (await Content(id, "format=json")).Content.ReadAsByteArrayAsync();
        var khmer = await (await Content(id, "format=json&lang=km")).Content.ReadAsByteArrayAsync();
        var accepted = await (await Content(id, "format=json", acceptLanguage: "km-KH")).Content.ReadAsByteArrayAsync();

        khmer.ShouldBe(english);
        accepted.ShouldBe(english);
        Convert.ToHexStringLower(SHA256.HashData(khmer)).ShouldBe(contentHash);
        // Each page names the same hash, the one of the JSON.
        (await (await Content(id, "format=html")).Content.ReadAsStringAsync()).ShouldContain(contentHash);
        (await (await Content(id, "format=html&lang=km")).Content.ReadAsStringAsync()).ShouldContain(contentHash);
        var report = await (await api.Reviewer().GetAsync($"/api/reports/{id}")).Json();
        report.S("contentHash").ShouldBe(contentHash);
    }

    [Fact]
    public async Task The_Khmer_html_says_lang_km_and_has_its_headings_and_words_in_Khmer()
    {
        var (id, _) = await ProgressReport();
        var response = await Content(id, "format=html&lang=km");
        response.Content.Headers.ContentLanguage.ShouldBe(["km"]);
        response.Headers.Vary.ShouldContain("Accept-Language");
        var html = await response.Content.ReadAsStringAsync();

        html.ShouldStartWith("<!DOCTYPE html><html lang=\"km\">");
        html.ShouldContain($"<h1>{Html(Resource("km", "Title.Progress"))}</h1>");
        foreach (var heading in new[] { "H.Summary", "H.StatusByCountry", "H.Indicators", "H.Attention", "H.Method" })
        {
            var khmer = Resource("km", heading);
            khmer.ShouldNotBe(Resource("en", heading));
            html.ShouldContain($"<h2>{Html(khmer)}</h2>", customMessage: heading);
            html.ShouldNotContain($"<h2>{Resource("en", heading)}</h2>");
        }
        // Legends, table headers, the health pills and the method section: C01 is on track, C03 off track.
        html.ShouldContain($"<th>{Html(Resource("km", "Col.indicator"))}</th>");
        html.ShouldContain($"</i>{Html(Resource("km", "Word.in-progress"))}</span>");
        html.ShouldContain($">{Html(Resource("km", "Word.on-track"))}</span>");
        html.ShouldContain($">{Html(Resource("km", "Word.off-track"))}</span>");
        html.ShouldContain($"<td>{Html(Resource("km", "Method.expected-progress.Name"))}</td>");
        // The health definition carries the thresholds of the JSON's English text into the Khmer one.
        html.ShouldContain(Html(string.Format(CultureInfo.InvariantCulture, Resource("km", "Method.health.Definition"), "0.95", "0.6")));
        html.ShouldNotContain("lang=\"en\"");
        // Numbers in the culture of km-KH: C02's progress 0.3871 is 38,7 % with a decimal comma.
        html.ShouldContain("<td class=\"n\">38,7%</td>");
    }

    [Fact]
    public async Task The_Khmer_html_is_chosen_by_Accept_Language_too()
    {
        var (id, _) = await ProgressReport();
        var html = await (await Content(id, "format=html", acceptLanguage: "fr;q=0.9, km;q=0.8")).Content.ReadAsStringAsync();
        html.ShouldStartWith("<!DOCTYPE html><html lang=\"km\">");
        // ?lang= comes first.
        var english = await (await Content(id, "format=html&lang=en", acceptLanguage: "km")).Content.ReadAsStringAsync();
        english.ShouldStartWith("<!DOCTYPE html><html lang=\"en\">");
    }

    [Fact]
    public async Task The_csv_in_English_and_Khmer_parses_to_the_same_rows_and_numbers()
    {
        var (id, _) = await ProgressReport();
        var englishResponse = await Content(id, "format=csv");
        var khmerResponse = await Content(id, "format=csv&lang=km");
        khmerResponse.Content.Headers.ContentLanguage.ShouldBe(["km"]);
        khmerResponse.Content.Headers.ContentDisposition!.FileName!.Trim('"').ShouldEndWith(".km.csv");
        var english = ReadCsv(await englishResponse.Content.ReadAsStringAsync());
        var khmer = ReadCsv(await khmerResponse.Content.ReadAsStringAsync());

        // The header row is translated, column for column.
        string[] columns = ["section", "country", "goal", "outcome", "indicator", "commitment", "sdgGoal", "sdgTarget", "measure", "value"];
        english[0].ShouldBe(columns);
        khmer[0].ShouldBe(columns.Select(c => Resource("km", "Csv." + c)).ToArray());

        khmer.Length.ShouldBe(english.Length);
        english.Length.ShouldBeGreaterThan(300);
        var numbers = 0;
        for (var i = 1; i < english.Length; i++)
        {
            // Coordinates, section and measure are the same names in every language.
            khmer[i][..9].ShouldBe(english[i][..9], $"row {i}");
            if (double.TryParse(english[i][9], NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                double.Parse(khmer[i][9], NumberStyles.Float, CultureInfo.InvariantCulture).ShouldBe(number, $"row {i}");
                numbers++;
            }
        }
        numbers.ShouldBeGreaterThan(200);

        // The words are translated: C01's health, C03's attention reasons, C06's status change.
        string Value(string[][] rows, string section, string commitment, string measure) =>
            rows.Single(r => r[0] == section && r[5] == commitment && r[8] == measure)[9];
        Value(english, "indicators", "C01", "health").ShouldBe("on-track");
        Value(khmer, "indicators", "C01", "health").ShouldBe(Resource("km", "Word.on-track"));
        Value(khmer, "indicators", "C01", "anticipation").ShouldBe(Resource("km", "Word.acceleration-needed"));
        Value(khmer, "attention", "C03", "reasons").ShouldBe(Resource("km", "Word.off-track"));
        Value(khmer, "changes", "C06", "status").ShouldBe($"{Resource("km", "Word.not-started")}->{Resource("km", "Word.on-hold")}");
    }

    [Theory]
    [InlineData("lang=fr", null)]
    [InlineData("lang=xx-YY", null)]
    [InlineData("", "de-DE, fr;q=0.5")]
    public async Task An_unknown_language_gives_the_English_report(string query, string? acceptLanguage)
    {
        var (id, _) = await ProgressReport();
        var english = await (await Content(id, "format=html")).Content.ReadAsStringAsync();
        var englishCsv = await (await Content(id, "format=csv")).Content.ReadAsStringAsync();

        var response = await Content(id, $"format=html&{query}", acceptLanguage);
        response.Content.Headers.ContentLanguage.ShouldBe(["en"]);
        (await response.Content.ReadAsStringAsync()).ShouldBe(english);
        (await (await Content(id, $"format=csv&{query}", acceptLanguage)).Content.ReadAsStringAsync()).ShouldBe(englishCsv);
        english.ShouldStartWith("<!DOCTYPE html><html lang=\"en\">");
        english.ShouldContain("<h2>Summary</h2>");
    }

    [Fact]
    public async Task The_Thai_html_counts_years_in_the_Buddhist_era_and_says_so_in_its_method()
    {
        var (id, _) = await ProgressReport();
        var html = await (await Content(id, "format=html&lang=th")).Content.ReadAsStringAsync();
        html.ShouldStartWith("<!DOCTYPE html><html lang=\"th\">");
        // The fixture's report is evaluated on 2026-07-01: 2569 in the Buddhist Era (2026 + 543), with its era named.
        html.ShouldContain("1 กรกฎาคม พ.ศ. 2569");
        html.ShouldNotContain("2026-07-01");
        html.ShouldContain($"<td>{Html(Resource("th", "Method.calendar.Definition"))}</td>");
        // No other language carries the calendar row.
        var khmer = await (await Content(id, "format=html&lang=km")).Content.ReadAsStringAsync();
        khmer.ShouldNotContain(Html(Resource("km", "Method.calendar.Name")) + "</td>");
        khmer.ShouldContain("2026");
    }
}
