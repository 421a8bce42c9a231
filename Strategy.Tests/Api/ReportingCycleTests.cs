using System.Net;
using System.Security.Cryptography;
using System.Text.Json;

namespace Strategy.Tests.Api;

/// <summary>
/// A quarter of the reporting cycle, end to end on PostgreSQL: the secretariat opens a round; KH submits a value with
/// an evidence file; the secretariat returns it with a comment; KH corrects it; the secretariat accepts; TH never
/// submits. The round's completeness, the thread, and a round report (provisional, then final) show exactly that.
/// The clock is fixed at 2026-07-01 12:00 UTC.
/// </summary>
public sealed class ReportingCycleTests(FixedClockFactory api) : IClassFixture<FixedClockFactory>
{
    private static async Task<JsonElement> Ok(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static byte[] Pdf(string text) => System.Text.Encoding.ASCII.GetBytes($"%PDF-1.4\n% {text}\n%%EOF\n");

    [Fact]
    public async Task A_quarter_from_round_to_report_counts_only_the_accepted_value()
    {
        var plan = "CYC-" + Guid.NewGuid().ToString("N")[..8];
        var secretariat = api.Secretariat();
        var kh = api.FocalPoint("KH");
        var reviewer = api.Reviewer();
        await Ok(await secretariat.PostJson("/api/plans", TestPlan.Document(plan, [
            TestPlan.Commitment("KH", code: "KH-1", target: 4), TestPlan.Commitment("TH", code: "TH-1", target: 4)])), HttpStatusCode.Created);
        var ids = (await Ok(await reviewer.GetAsync($"/api/plans/{plan}/commitments"))).EnumerateArray()
            .ToDictionary(c => c.GetProperty("code").GetString()!, c => c.GetProperty("id").GetGuid());
        var khId = ids["KH-1"];

        // The secretariat opens the second quarter's round.
        var opened = await secretariat.PostJson($"/api/plans/{plan}/rounds",
            new { code = "2026-Q2", title = "Second quarter 2026", periodStart = "2026-04-01", periodEnd = "2026-06-30", deadline = "2026-07-15" });
        var round = await Ok(opened, HttpStatusCode.Created);
        var roundId = round.GetProperty("id").GetGuid();
        opened.Headers.Location!.ToString().ShouldBe($"/api/rounds/{roundId}");
        round.GetProperty("state").GetString().ShouldBe("open");

        // KH attaches the meeting minutes and submits a value with them.
        var minutes = Pdf("minutes of the provincial roundtable");
        var upload = await kh.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/commitments/{khId}/evidence") { Content = EvidenceTests.Form(minutes, "minutes.pdf") });
        var evidence = await Ok(upload, HttpStatusCode.Created);
        var evidenceId = evidence.GetProperty("id").GetGuid();
        var khBefore = await Ok(await reviewer.GetAsync($"/api/commitments/{khId}"));
        var first = await Ok(await kh.PostJson($"/api/commitments/{khId}/progress",
            new { value = 2, asOf = "2026-06-30", note = "Two provinces", evidence = new[] { evidenceId } }, ifMatch: khBefore.GetProperty("version").GetInt64()));
        first.GetProperty("pending").GetProperty("count").GetInt32().ShouldBe(1);
        first.GetProperty("latestValue").ValueKind.ShouldBe(JsonValueKind.Null);
        var submitted = (await Ok(await reviewer.GetAsync($"/api/commitments/{khId}/values"))).EnumerateArray().ShouldHaveSingleItem();
        var firstValue = submitted.GetProperty("id").GetGuid();
        submitted.GetProperty("state").GetString().ShouldBe("submitted");
        submitted.GetProperty("round").GetString().ShouldBe("2026-Q2");
        submitted.GetProperty("late").GetBoolean().ShouldBeFalse();
        var attached = submitted.GetProperty("evidence").EnumerateArray().ShouldHaveSingleItem();
        attached.GetProperty("sha256").GetString().ShouldBe(Convert.ToHexStringLower(SHA256.HashData(minutes)));

        // The review queue shows it, oldest first.
        var queue = await secretariat.GetAsync($"/api/review-queue?plan={plan}&round=2026-Q2");
        var queued = (await Ok(queue)).EnumerateArray().ShouldHaveSingleItem();
        queued.GetProperty("value").GetProperty("id").GetGuid().ShouldBe(firstValue);
        queued.GetProperty("commitment").GetProperty("code").GetString().ShouldBe("KH-1");
        queue.Headers.GetValues("X-Total-Count").Single().ShouldBe("1");

        // The secretariat returns it with a comment; KH corrects it; the secretariat accepts the correction.
        await Ok(await secretariat.PostJson($"/api/commitments/{khId}/values/{firstValue}/return", new { comment = "The minutes list three provinces." }));
        await Ok(await kh.PostJson($"/api/commitments/{khId}/progress",
            new { value = 3, asOf = "2026-06-30", supersedes = firstValue, note = "Corrected", evidence = new[] { evidenceId } }));
        var values = (await Ok(await reviewer.GetAsync($"/api/commitments/{khId}/values"))).EnumerateArray().ToList();
        values.Count.ShouldBe(2);
        values[0].GetProperty("state").GetString().ShouldBe("returned");
        var secondValue = values[1].GetProperty("id").GetGuid();
        values[0].GetProperty("supersededBy").GetGuid().ShouldBe(secondValue);
        values[1].GetProperty("supersedes").GetGuid().ShouldBe(firstValue);
        var accepted = await Ok(await secretariat.PostJson($"/api/commitments/{khId}/values/{secondValue}/accept", new { note = "Matches the minutes" }));
        accepted.GetProperty("latestValue").GetProperty("value").GetDouble().ShouldBe(3);
        accepted.GetProperty("pending").GetProperty("count").GetInt32().ShouldBe(0);
        accepted.GetProperty("progress").GetDouble().ShouldBe(0.75); // (3 - 0) / (4 - 0)
        (await Ok(await secretariat.GetAsync($"/api/review-queue?plan={plan}"))).GetArrayLength().ShouldBe(0);

        // The thread holds the return for correction, about the first value.
        await Ok(await kh.PostJson($"/api/commitments/{khId}/comments", new { text = "Corrected, thank you.", value = secondValue }), HttpStatusCode.Created);
        var thread = (await Ok(await reviewer.GetAsync($"/api/commitments/{khId}/comments"))).EnumerateArray().ToList();
        thread.Select(c => c.GetProperty("text").GetString()).ShouldBe(["The minutes list three provinces.", "Corrected, thank you."]);
        thread[0].GetProperty("return").GetBoolean().ShouldBeTrue();
        thread[0].GetProperty("value").GetGuid().ShouldBe(firstValue);
        thread[0].GetProperty("postedBy").GetProperty("id").GetString().ShouldBe("sec-1");
        thread[1].GetProperty("postedBy").GetProperty("id").GetString().ShouldBe("fp-kh");

        // Completeness: KH's one commitment accepted, TH's missing, VN has none.
        var completeness = (await Ok(await reviewer.GetAsync($"/api/rounds/{roundId}"))).GetProperty("completeness").EnumerateArray()
            .ToDictionary(c => c.GetProperty("country").GetString()!);
        Counts(completeness["KH"]).ShouldBe((1, 0, 0, 0, 1, 0));
        Counts(completeness["TH"]).ShouldBe((1, 1, 0, 0, 0, 0));
        Counts(completeness["VN"]).ShouldBe((0, 0, 0, 0, 0, 0));

        // A round report while the round is open: provisional, with the accepted value (3), not the returned one (2).
        var (_, _, provisional) = await ReportFixture.Generate(secretariat, new { kind = "progress", plan, round = "2026-Q2" });
        provisional.GetProperty("round").GetProperty("provisional").GetBoolean().ShouldBeTrue();
        provisional.GetProperty("basis").GetProperty("evaluatedOn").GetString().ShouldBe("2026-06-30");
        KhRow(provisional).GetProperty("latestValue").GetDouble().ShouldBe(3);
        var reported = provisional.GetProperty("round").GetProperty("completeness").EnumerateArray().ToDictionary(c => c.GetProperty("country").GetString()!);
        reported["KH"].GetProperty("accepted").GetInt32().ShouldBe(1);
        reported["TH"].GetProperty("missing").GetInt32().ShouldBe(1);

        // Closed: later submissions to the round are refused, and the report is final.
        await Ok(await secretariat.PostJson($"/api/rounds/{roundId}/close", new { note = "Quarter closed" }));
        var before = await api.EventCount();
        await (await api.FocalPoint("TH").PostJson($"/api/commitments/{ids["TH-1"]}/progress", new { value = 1, asOf = "2026-06-30", round = "2026-Q2" })).ShouldBeProblem(409);
        await (await api.FocalPoint("TH").PostJson($"/api/commitments/{ids["TH-1"]}/progress", new { value = 1, asOf = "2026-06-30" })).ShouldBeProblem(409);
        (await api.EventCount()).ShouldBe(before);
        var (finalId, _, final) = await ReportFixture.Generate(secretariat, new { kind = "progress", plan, round = "2026-Q2" });
        final.GetProperty("round").GetProperty("provisional").GetBoolean().ShouldBeFalse();
        KhRow(final).GetProperty("latestValue").GetDouble().ShouldBe(3);

        var html = await (await secretariat.GetAsync($"/api/reports/{finalId}/content?format=html")).Content.ReadAsStringAsync();
        html.ShouldContain("Round 2026-Q2");
        html.ShouldContain("figures are final");
        var csv = await (await secretariat.GetAsync($"/api/reports/{finalId}/content?format=csv")).Content.ReadAsStringAsync();
        csv.ShouldContain("roundCompleteness,TH,,,,,,,missing,1");
        csv.ShouldContain("round,,,,,,,,provisional,false");
    }

    private static (int Commitments, int Missing, int Submitted, int Returned, int Accepted, int Late) Counts(JsonElement c) =>
        (c.GetProperty("commitments").GetInt32(), c.GetProperty("missing").GetInt32(), c.GetProperty("submitted").GetInt32(),
         c.GetProperty("returned").GetInt32(), c.GetProperty("accepted").GetInt32(), c.GetProperty("late").GetInt32());

    private static JsonElement KhRow(JsonElement report) =>
        report.GetProperty("indicators").EnumerateArray().SelectMany(i => i.GetProperty("countries").EnumerateArray())
            .Single(c => c.GetProperty("commitment").GetString() == "KH-1");

    [Fact]
    public async Task A_value_after_the_deadline_is_taken_and_marked_late()
    {
        var plan = "LATE-" + Guid.NewGuid().ToString("N")[..8];
        var secretariat = api.Secretariat();
        await Ok(await secretariat.PostJson("/api/plans", TestPlan.Document(plan, [TestPlan.Commitment("KH", code: "KH-1")])), HttpStatusCode.Created);
        var id = (await Ok(await secretariat.GetAsync($"/api/plans/{plan}/commitments"))).EnumerateArray().Single().GetProperty("id").GetGuid();
        var round = await Ok(await secretariat.PostJson($"/api/plans/{plan}/rounds",
            new { code = "2026-Q1", periodStart = "2026-01-01", periodEnd = "2026-03-31", deadline = "2026-04-15" }), HttpStatusCode.Created);

        await Ok(await api.FocalPoint("KH").PostJson($"/api/commitments/{id}/progress", new { value = 1, asOf = "2026-03-31" }));

        var value = (await Ok(await secretariat.GetAsync($"/api/commitments/{id}/values"))).EnumerateArray().Single();
        value.GetProperty("round").GetString().ShouldBe("2026-Q1");
        value.GetProperty("late").GetBoolean().ShouldBeTrue();
        var kh = (await Ok(await secretariat.GetAsync($"/api/rounds/{round.GetProperty("id").GetGuid()}"))).GetProperty("completeness").EnumerateArray()
            .Single(c => c.GetProperty("country").GetString() == "KH");
        kh.GetProperty("submitted").GetInt32().ShouldBe(1);
        kh.GetProperty("late").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task A_value_for_today_in_Phnom_Penh_is_taken_before_seven_in_the_morning_there()
    {
        var plan = "TZ-" + Guid.NewGuid().ToString("N")[..8];
        var secretariat = api.Secretariat();
        await Ok(await secretariat.PostJson("/api/plans", TestPlan.Document(plan, [TestPlan.Commitment("KH", code: "KH-1")])), HttpStatusCode.Created);
        var id = (await Ok(await secretariat.GetAsync($"/api/plans/{plan}/commitments"))).EnumerateArray().Single().GetProperty("id").GetGuid();

        // 2026-07-01 18:00 UTC is 2 July, 01:00 in Phnom Penh; still 1 July in UTC.
        var saved = api.Clock.Now;
        api.Clock.Now = new DateTimeOffset(2026, 7, 1, 18, 0, 0, TimeSpan.Zero);
        try
        {
            await Ok(await api.FocalPoint("KH").PostJson($"/api/commitments/{id}/progress", new { value = 1, asOf = "2026-07-02" }));
            await (await api.FocalPoint("KH").PostJson($"/api/commitments/{id}/progress", new { value = 1, asOf = "2026-07-03" })).ShouldBeProblem(400, "asOf");
        }
        finally
        {
            api.Clock.Now = saved;
        }
    }
}
