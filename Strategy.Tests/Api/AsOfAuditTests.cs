using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using static Strategy.Tests.Api.AuditSupport;

namespace Strategy.Tests.Api;

/// <summary>
/// ?asOf=&lt;instant&gt; rebuilds a plan or a commitment as it stood then. The instants are picked from the timestamps the
/// API gave back (midpoints between two events), and the expected states follow from the writes made in between.
/// </summary>
public sealed class AsOfAuditTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static async Task<JsonElement> Ok(Task<HttpResponseMessage> call, HttpStatusCode status = HttpStatusCode.OK)
    {
        var response = await call;
        response.StatusCode.ShouldBe(status, await response.Content.ReadAsStringAsync());
        return await response.Json();
    }

    private static async Task<(JsonElement Body, long ETag)> Read(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"{url}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Json(), response.ETag());
    }

    private static JsonNode Without(JsonElement element, params string[] paths)
    {
        var node = JsonNode.Parse(element.GetRawText())!;
        foreach (var path in paths)
        {
            var parts = path.Split('.');
            var parent = parts[..^1].Aggregate(node, (n, p) => n[p]!);
            parent.AsObject().Remove(parts[^1]);
        }
        return node;
    }

    [Fact]
    public async Task A_plan_as_of_before_its_creation_between_two_changes_and_after_the_last()
    {
        var code = "ASOF-" + Guid.NewGuid().ToString("N")[..8];
        var sec = api.Secretariat();
        var reviewer = api.Reviewer();

        var created = await Ok(sec.PostJson("/api/plans", TestPlan.Document(code)), HttpStatusCode.Created);
        var t1 = created.GetProperty("createdAt").GetDateTimeOffset();
        created.GetProperty("version").GetInt64().ShouldBe(6);
        var kh = await Ok(api.FocalPoint("KH").PostJson($"/api/plans/{code}/commitments", TestPlan.Commitment("KH")), HttpStatusCode.Created);
        var t2 = kh.GetProperty("createdAt").GetDateTimeOffset();
        var goal = await Ok(sec.PostJson($"/api/plans/{code}/goals", new { code = "G3", title = "Energy", description = "Energy goal" }), HttpStatusCode.Created);
        var t3 = goal.GetProperty("lastUpdatedAt").GetDateTimeOffset();
        var aligned = await Ok(sec.SendJson(HttpMethod.Put, $"/api/plans/{code}/outcomes/G1.O2/sdg-targets", new { sdgTargets = new[] { "11.6" }, reason = "Urban air only" }));
        var t4 = aligned.GetProperty("lastUpdatedAt").GetDateTimeOffset();
        var withdrawn = await Ok(sec.PostJson($"/api/commitments/{kh.GetProperty("id").GetGuid()}/withdraw", new { reason = "Superseded" }));
        var t5 = withdrawn.GetProperty("lastUpdatedAt").GetDateTimeOffset();
        await Ok(api.FocalPoint("TH").PostJson($"/api/plans/{code}/commitments", TestPlan.Commitment("TH")), HttpStatusCode.Created);
        new[] { t1, t2, t3, t4, t5 }.ShouldBeInOrder(SortDirection.Ascending);
        t1.ShouldBeLessThan(t2);

        // Before creation: there was no plan.
        await (await reviewer.GetAsync($"/api/plans/{code}?asOf={Iso(t1.AddMilliseconds(-1))}")).ShouldBeProblem(404);

        // At the creation instant itself, and between making the KH commitment and adding G3: the imported plan.
        foreach (var instant in new[] { t1, Midpoint(t2, t3) })
        {
            var (early, etag) = await Read(reviewer, $"/api/plans/{code}?asOf={Iso(instant)}");
            etag.ShouldBe(6);
            early.GetProperty("version").GetInt64().ShouldBe(6);
            early.GetProperty("asOf").GetDateTimeOffset().ShouldBe(instant);
            early.GetProperty("lastUpdatedAt").GetDateTimeOffset().ShouldBe(t1);
            early.GetProperty("goals").EnumerateArray().Select(g => g.GetProperty("code").GetString()).ShouldBe(["G1", "G2"]);
            var outcome = early.GetProperty("goals")[0].GetProperty("outcomes")[1];
            outcome.GetProperty("code").GetString().ShouldBe("G1.O2");
            outcome.GetProperty("sdgTargets").EnumerateArray().Select(t => t.GetString()).ShouldBe(["11.6", "3.9"]);
            var counts = early.GetProperty("counts");
            counts.GetProperty("goals").GetInt32().ShouldBe(2);
            counts.GetProperty("commitments").GetInt32().ShouldBe(instant == t1 ? 0 : 1);
            counts.GetProperty("commitmentsByCountry").GetProperty("KH").GetInt32().ShouldBe(instant == t1 ? 0 : 1);
            counts.GetProperty("commitmentsByCountry").GetProperty("TH").GetInt32().ShouldBe(0);
        }

        // At the very instant the KH commitment was made (its event's timestamp), the plan counts it and it exists.
        var khId = kh.GetProperty("id").GetGuid();
        var made = (await Ok(reviewer.GetAsync($"/api/commitments/{khId}/history")))[0].GetProperty("timestamp").GetDateTimeOffset();
        made.ShouldBe(t2);
        var (atMade, _) = await Read(reviewer, $"/api/plans/{code}?asOf={Iso(made)}");
        atMade.GetProperty("counts").GetProperty("commitments").GetInt32().ShouldBe(1);
        (await reviewer.GetAsync($"/api/commitments/{khId}?asOf={Iso(made)}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Between adding G3 and re-aligning G1.O2: three goals, the old targets.
        var (middle, middleTag) = await Read(reviewer, $"/api/plans/{code}?asOf={Iso(Midpoint(t3, t4))}");
        middleTag.ShouldBe(7);
        middle.GetProperty("goals").EnumerateArray().Select(g => g.GetProperty("code").GetString()).ShouldBe(["G1", "G2", "G3"]);
        middle.GetProperty("goals")[0].GetProperty("outcomes")[1].GetProperty("sdgTargets").GetArrayLength().ShouldBe(2);
        middle.GetProperty("lastUpdatedAt").GetDateTimeOffset().ShouldBe(t3);

        // Between the re-alignment and the withdrawal: new targets, the KH commitment still counted.
        var (late, _) = await Read(reviewer, $"/api/plans/{code}?asOf={Iso(Midpoint(t4, t5))}");
        late.GetProperty("version").GetInt64().ShouldBe(8);
        late.GetProperty("goals")[0].GetProperty("outcomes")[1].GetProperty("sdgTargets").EnumerateArray().Select(t => t.GetString()).ShouldBe(["11.6"]);
        late.GetProperty("counts").GetProperty("commitments").GetInt32().ShouldBe(1);

        // After the last change: the current plan (which alone breaks commitments down by status, and has no asOf).
        var (current, currentTag) = await Read(reviewer, $"/api/plans/{code}");
        var (now, nowTag) = await Read(reviewer, $"/api/plans/{code}?asOf={Iso(DateTimeOffset.UtcNow)}");
        nowTag.ShouldBe(currentTag);
        current.GetProperty("counts").GetProperty("commitmentsByCountry").GetProperty("KH").GetInt32().ShouldBe(0);
        current.GetProperty("counts").GetProperty("commitmentsByCountry").GetProperty("TH").GetInt32().ShouldBe(1);
        var expected = Without(current, "asOf", "counts.commitmentsByStatus");
        var actual = Without(now, "asOf", "counts.commitmentsByStatus");
        JsonNode.DeepEquals(actual, expected).ShouldBeTrue($"as of now:\n{actual}\ncurrent:\n{expected}");
    }

    [Fact]
    public async Task A_commitment_as_of_before_it_was_made_between_two_changes_and_after_the_last()
    {
        var code = "ASOF-" + Guid.NewGuid().ToString("N")[..8];
        await Ok(api.Secretariat().PostJson("/api/plans", TestPlan.Document(code)), HttpStatusCode.Created);
        var fp = api.FocalPoint("KH");
        var made = await Ok(fp.PostJson($"/api/plans/{code}/commitments", TestPlan.Commitment("KH", title: "Adopt provincial adaptation plans")), HttpStatusCode.Created);
        var id = made.GetProperty("id").GetGuid();
        await Ok(fp.PostJson($"/api/commitments/{id}/status", new { status = "in-progress" }));
        await Ok(fp.PostJson($"/api/commitments/{id}/progress", new { value = 2, asOf = "2025-06-30" }));
        await Ok(api.Secretariat().SendJson(HttpMethod.Patch, $"/api/commitments/{id}", new { title = "Adopt all provincial adaptation plans", target = 5.0, reason = "Scope" }));
        await Ok(fp.PostJson($"/api/commitments/{id}/status", new { status = "on-hold", note = "Elections" }));
        await Ok(api.Secretariat().PostJson($"/api/commitments/{id}/withdraw", new { reason = "Superseded" }));

        var reviewer = api.Reviewer();
        var history = (await Ok(reviewer.GetAsync($"/api/commitments/{id}/history"))).EnumerateArray().ToList();
        history.Select(h => h.GetProperty("type").GetString()).ShouldBe(
            ["commitment-made", "commitment-status-changed", "value-submitted", "commitment-revised", "commitment-status-changed", "commitment-withdrawn"]);
        var t = history.Select(h => h.GetProperty("timestamp").GetDateTimeOffset()).ToList();
        t.ShouldBeInOrder(SortDirection.Ascending);
        t.Distinct().Count().ShouldBe(6);

        await (await reviewer.GetAsync($"/api/commitments/{id}?asOf={Iso(t[0].AddMilliseconds(-1))}")).ShouldBeProblem(404);

        // Between starting it and the first progress report: in progress, nothing reported, the original terms.
        var (started, startedTag) = await Read(reviewer, $"/api/commitments/{id}?asOf={Iso(Midpoint(t[1], t[2]))}");
        startedTag.ShouldBe(2);
        started.GetProperty("version").GetInt64().ShouldBe(2);
        started.GetProperty("status").GetString().ShouldBe("in-progress");
        started.GetProperty("title").GetString().ShouldBe("Adopt provincial adaptation plans");
        started.GetProperty("target").GetDouble().ShouldBe(4);
        started.GetProperty("valuesReported").GetInt32().ShouldBe(0);
        started.GetProperty("latestValue").ValueKind.ShouldBe(JsonValueKind.Null);
        started.GetProperty("withdrawn").GetBoolean().ShouldBeFalse();
        started.GetProperty("lastUpdatedAt").GetDateTimeOffset().ShouldBe(t[1]);
        started.GetProperty("lastUpdatedBy").GetProperty("id").GetString().ShouldBe("fp-kh");

        // Between the revision and putting it on hold: revised terms, one value awaiting review (so no progress yet).
        var (revised, revisedTag) = await Read(reviewer, $"/api/commitments/{id}?asOf={Iso(Midpoint(t[3], t[4]))}");
        revisedTag.ShouldBe(4);
        revised.GetProperty("status").GetString().ShouldBe("in-progress");
        revised.GetProperty("title").GetString().ShouldBe("Adopt all provincial adaptation plans");
        revised.GetProperty("target").GetDouble().ShouldBe(5);
        revised.GetProperty("valuesReported").GetInt32().ShouldBe(0);
        revised.GetProperty("latestValue").ValueKind.ShouldBe(JsonValueKind.Null);
        revised.GetProperty("progress").ValueKind.ShouldBe(JsonValueKind.Null);
        revised.GetProperty("pending").GetProperty("count").GetInt32().ShouldBe(1);
        revised.GetProperty("pending").GetProperty("latest").GetProperty("value").GetDouble().ShouldBe(2);
        revised.GetProperty("lastUpdatedBy").GetProperty("id").GetString().ShouldBe("sec-1");

        // Between putting it on hold and the withdrawal.
        var (held, _) = await Read(reviewer, $"/api/commitments/{id}?asOf={Iso(Midpoint(t[4], t[5]))}");
        held.GetProperty("status").GetString().ShouldBe("on-hold");
        held.GetProperty("withdrawn").GetBoolean().ShouldBeFalse();

        // After the last change: exactly the current commitment.
        var (current, currentTag) = await Read(reviewer, $"/api/commitments/{id}");
        current.GetProperty("withdrawn").GetBoolean().ShouldBeTrue();
        var (now, nowTag) = await Read(reviewer, $"/api/commitments/{id}?asOf={Iso(DateTimeOffset.UtcNow)}");
        nowTag.ShouldBe(currentTag);
        nowTag.ShouldBe(6);
        JsonNode.DeepEquals(JsonNode.Parse(now.GetRawText()), JsonNode.Parse(current.GetRawText()))
            .ShouldBeTrue($"as of now:\n{now.GetRawText()}\ncurrent:\n{current.GetRawText()}");
    }
}
