using System.Net;
using CsvHelper;

namespace Strategy.Tests.Api;

/// <summary>
/// Text a person typed (a note, a reason) that starts like a spreadsheet formula comes out of every CSV the service
/// writes as text, prefixed with an apostrophe, so a reviewer opening the file runs nothing; numbers stay numbers.
/// </summary>
public sealed class CsvInjectionTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Formula = "=HYPERLINK(\"https://evil.example/x\",\"click\")";

    private static async Task<List<string[]>> Rows(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, System.Text.Encoding.UTF8.GetString(bytes));
        using var csv = CsvReader.Create(new MemoryStream(bytes), new CsvReaderOptions { HasHeader = false }, leaveOpen: false);
        var rows = new List<string[]>();
        while (csv.Read()) rows.Add([.. Enumerable.Range(0, csv.FieldCount).Select(i => csv.GetString(i))]);
        return rows;
    }

    [Fact]
    public async Task A_note_that_starts_like_a_formula_is_text_in_the_audit_csv_and_the_report_csv()
    {
        var plan = "CSV-" + Guid.NewGuid().ToString("N")[..8];
        var secretariat = api.Secretariat();
        (await secretariat.PostJson("/api/plans", TestPlan.Document(plan, [TestPlan.Commitment("KH", code: "KH-1"), TestPlan.Commitment("KH", code: "KH-2")])))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        var ids = (await (await secretariat.GetAsync($"/api/plans/{plan}/commitments")).Json()).EnumerateArray()
            .ToDictionary(c => c.GetProperty("code").GetString()!, c => c.GetProperty("id").GetGuid());
        (await api.FocalPoint("KH").PostJson($"/api/commitments/{ids["KH-1"]}/status", new { status = "in-progress", note = Formula })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var starts = new[] { "+SUM(1,2)", "-2+3", "@cmd", "\tTAB", "\rCR" };
        for (var i = 0; i < starts.Length; i++)
            (await secretariat.PostJson($"/api/commitments/{ids["KH-1"]}/status", new { status = i % 2 == 0 ? "on-hold" : "in-progress", note = starts[i] }))
                .StatusCode.ShouldBe(HttpStatusCode.OK, starts[i]);
        (await secretariat.PostJson($"/api/commitments/{ids["KH-2"]}/withdraw", new { reason = Formula })).StatusCode.ShouldBe(HttpStatusCode.OK);

        await AuditSupport.WaitForDaemon(api);
        var audit = await Rows(await api.Reviewer().GetAsync($"/api/audit/export?format=csv&plan={plan}"));
        var note = Array.IndexOf(audit[0], "note");
        var reason = Array.IndexOf(audit[0], "reason");
        var sequence = Array.IndexOf(audit[0], "sequence");
        audit.Skip(1).Select(r => r[note]).Where(n => n.Length > 0 && n != "fixture").ShouldBe(["'" + Formula, .. starts.Select(n => "'" + n)]);
        audit.Skip(1).Select(r => r[reason]).Where(n => n.Length > 0).ShouldBe(["'" + Formula]);
        audit.Skip(1).ShouldAllBe(r => long.Parse(r[sequence]) > 0);

        var (id, _, _) = await ReportFixture.Generate(secretariat, new { kind = "progress", plan });
        var report = await Rows(await secretariat.GetAsync($"/api/reports/{id}/content?format=csv"));
        report.Single(r => r[0] == "changes" && r[8] == "withdrawn")[9].ShouldBe("'" + Formula);
        // Numbers are written as numbers, negative ones included.
        report.Where(r => r[8] == "commitments").ShouldAllBe(r => int.Parse(r[9]) >= 0);
    }
}
