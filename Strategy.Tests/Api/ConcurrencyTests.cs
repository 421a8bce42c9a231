using System.Net;
using System.Text.Json;

namespace Strategy.Tests.Api;

/// <summary>
/// Optimistic concurrency (If-Match -> 412) and serialized unconditional writes (no lost update), on real PostgreSQL
/// with truly concurrent requests, each from its own client.
/// </summary>
public sealed class ConcurrencyTests(ApiFactory api) : IClassFixture<ApiFactory>, IAsyncLifetime
{
    private readonly string Plan = "CONC-" + Guid.NewGuid().ToString("N")[..8];

    public async Task InitializeAsync()
    {
        var created = await api.Secretariat().PostJson("/api/plans", TestPlan.Document(Plan));
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<(Guid Id, long Version)> Make()
    {
        var response = await api.FocalPoint("KH").PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment());
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return ((await response.Json()).GetProperty("id").GetGuid(), response.ETag());
    }

    private async Task<List<JsonElement>> History(Guid id)
    {
        var response = await api.Reviewer().GetAsync($"/api/commitments/{id}/history");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return [.. (await response.Json()).EnumerateArray()];
    }

    [Fact]
    public async Task Ten_concurrent_commitments_without_a_code_all_succeed_with_distinct_consecutive_codes()
    {
        var clients = Enumerable.Range(0, 10).Select(_ => api.FocalPoint("TH")).ToList();
        var responses = await Task.WhenAll(clients.Select(c =>
            c.PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment(country: "TH", outcome: "G2.O1", indicator: "G2.O1.I1", target: 80))));

        foreach (var r in responses) r.StatusCode.ShouldBe(HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        var codes = new List<string>();
        foreach (var r in responses) codes.Add((await r.Json()).GetProperty("code").GetString()!);
        // Numbering is serialized per country and outcome, so the ten get 01 to 10, each once.
        codes.Order().ShouldBe(Enumerable.Range(1, 10).Select(n => $"TH-G2.O1-{n:00}"));
    }

    [Fact]
    public async Task Twenty_concurrent_status_updates_with_the_same_If_Match_give_one_200_and_nineteen_412()
    {
        var (id, version) = await Make();
        version.ShouldBe(1);
        var before = await api.EventCount();

        // Each request has its own client (own connection through the test server); all start before any finishes.
        var clients = Enumerable.Range(0, 20).Select(_ => api.FocalPoint("KH")).ToList();
        var responses = await Task.WhenAll(clients.Select(c =>
            c.PostJson($"/api/commitments/{id}/status", new { status = "in-progress", note = "Started" }, ifMatch: version)));

        var codes = responses.Select(r => (int)r.StatusCode).ToList();
        codes.Count(c => c == 200).ShouldBe(1, string.Join(",", codes));
        codes.Count(c => c == 412).ShouldBe(19, string.Join(",", codes));
        foreach (var loser in responses.Where(r => r.StatusCode == HttpStatusCode.PreconditionFailed))
            await loser.ShouldBeProblem(412);
        responses.Single(r => r.StatusCode == HttpStatusCode.OK).ETag().ShouldBe(2);

        var history = await History(id);
        history.Count.ShouldBe(2);
        history[1].GetProperty("type").GetString().ShouldBe("commitment-status-changed");
        history[1].GetProperty("version").GetInt64().ShouldBe(2);
        (await api.EventCount()).ShouldBe(before + 1);

        var read = await api.Reviewer().GetAsync($"/api/commitments/{id}");
        read.ETag().ShouldBe(2);
        (await read.Json()).GetProperty("status").GetString().ShouldBe("in-progress");
    }

    [Fact]
    public async Task A_stale_If_Match_on_a_commitment_write_gives_412_and_appends_nothing()
    {
        var kh = api.FocalPoint("KH");
        var (id, v1) = await Make();
        var moved = await kh.PostJson($"/api/commitments/{id}/status", new { status = "in-progress" }, ifMatch: v1);
        moved.StatusCode.ShouldBe(HttpStatusCode.OK);
        moved.ETag().ShouldBe(v1 + 1);
        var before = await api.EventCount();

        // v1 is now stale: every kind of commitment write refuses it.
        await (await kh.PostJson($"/api/commitments/{id}/status", new { status = "on-hold" }, ifMatch: v1)).ShouldBeProblem(412);
        await (await kh.PostJson($"/api/commitments/{id}/progress", new { value = 1, asOf = "2025-01-31" }, ifMatch: v1)).ShouldBeProblem(412);
        await (await kh.SendJson(HttpMethod.Patch, $"/api/commitments/{id}", new { title = "Renamed", reason = "Clearer" }, ifMatch: v1)).ShouldBeProblem(412);
        await (await api.Secretariat().PostJson($"/api/commitments/{id}/withdraw", new { reason = "Duplicate" }, ifMatch: v1)).ShouldBeProblem(412);
        // A version from the future is just as stale.
        await (await kh.PostJson($"/api/commitments/{id}/status", new { status = "on-hold" }, ifMatch: v1 + 5)).ShouldBeProblem(412);

        (await api.EventCount()).ShouldBe(before);
        (await History(id)).Count.ShouldBe(2);
        var read = await api.Reviewer().GetAsync($"/api/commitments/{id}");
        read.ETag().ShouldBe(2);
        var body = await read.Json();
        body.GetProperty("status").GetString().ShouldBe("in-progress");
        body.GetProperty("title").GetString().ShouldBe("Adopt provincial adaptation plans");
        body.GetProperty("withdrawn").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task A_stale_If_Match_on_a_plan_write_gives_412_and_appends_nothing()
    {
        var secretariat = api.Secretariat();
        var plan = await secretariat.GetAsync($"/api/plans/{Plan}");
        var v1 = plan.ETag();
        (await plan.Json()).GetProperty("version").GetInt64().ShouldBe(v1);

        var added = await secretariat.PostJson($"/api/plans/{Plan}/goals", new { code = "G3", title = "Biodiversity" }, ifMatch: v1);
        added.StatusCode.ShouldBe(HttpStatusCode.Created, await added.Content.ReadAsStringAsync());
        added.ETag().ShouldBe(v1 + 1);
        var before = await api.EventCount();

        await (await secretariat.PostJson($"/api/plans/{Plan}/goals", new { code = "G4", title = "Waste" }, ifMatch: v1)).ShouldBeProblem(412);
        await (await secretariat.SendJson(HttpMethod.Put, $"/api/plans/{Plan}/outcomes/G1.O1/sdg-targets",
            new { sdgTargets = new[] { "13.1" }, reason = "Realigned" }, ifMatch: v1)).ShouldBeProblem(412);
        // Making a commitment checks the plan's version too, when If-Match is given.
        await (await secretariat.PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment(), ifMatch: v1)).ShouldBeProblem(412);

        (await api.EventCount()).ShouldBe(before);
        var after = await secretariat.GetAsync($"/api/plans/{Plan}");
        after.ETag().ShouldBe(v1 + 1);
        var goals = (await after.Json()).GetProperty("goals").EnumerateArray().Select(g => g.GetProperty("code").GetString()).ToList();
        goals.ShouldBe(["G1", "G2", "G3"]);
    }

    [Fact]
    public async Task Twenty_concurrent_progress_reports_without_If_Match_all_succeed_and_none_is_lost()
    {
        var (id, _) = await Make();
        var before = await api.EventCount();
        var start = new DateOnly(2024, 2, 1);

        // Distinct as-of dates, so each report is a distinct value in the state as well as a distinct event.
        var clients = Enumerable.Range(0, 20).Select(_ => api.FocalPoint("KH")).ToList();
        var responses = await Task.WhenAll(clients.Select((c, i) =>
            c.PostJson($"/api/commitments/{id}/progress", new { value = i + 1, asOf = start.AddDays(i).ToString("yyyy-MM-dd") })));

        foreach (var r in responses) r.StatusCode.ShouldBe(HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        // Writes serialize: each saw the version the previous one left, so the versions are 2..21, each once.
        responses.Select(r => r.ETag()).OrderBy(v => v).ShouldBe(Enumerable.Range(2, 20).Select(v => (long)v));
        // Each answer is the commitment as its own write left it, not as a later write did: version v holds v - 1 values.
        foreach (var r in responses)
            (await r.Json()).GetProperty("pending").GetProperty("count").GetInt32().ShouldBe((int)r.ETag() - 1);

        var history = await History(id);
        history.Count.ShouldBe(21);
        history.Skip(1).ShouldAllBe(e => e.GetProperty("type").GetString() == "value-submitted");
        history.Select(e => e.GetProperty("version").GetInt64()).ShouldBe(Enumerable.Range(1, 21).Select(v => (long)v));
        (await api.EventCount()).ShouldBe(before + 20);

        var read = await api.Reviewer().GetAsync($"/api/commitments/{id}");
        read.ETag().ShouldBe(21);
        var body = await read.Json();
        // A focal point's values await review: none counts yet, all twenty are pending.
        body.GetProperty("valuesReported").GetInt32().ShouldBe(0);
        body.GetProperty("pending").GetProperty("count").GetInt32().ShouldBe(20);
        // The latest pending value is the one with the latest as-of date (the 20th, value 20), whatever order they were saved in.
        body.GetProperty("pending").GetProperty("latest").GetProperty("value").GetDouble().ShouldBe(20);
        body.GetProperty("pending").GetProperty("latest").GetProperty("asOf").GetString().ShouldBe("2024-02-20");
        var values = (await (await api.Reviewer().GetAsync($"/api/commitments/{id}/values")).Json()).EnumerateArray().ToList();
        values.Select(v => v.GetProperty("value").GetDouble()).Order().ShouldBe(Enumerable.Range(1, 20).Select(v => (double)v));
        values.ShouldAllBe(v => v.GetProperty("state").GetString() == "submitted");
    }

    /// <summary>A value KH's focal point submits to the commitment now, by its id.</summary>
    private async Task<Guid> Submit(Guid id)
    {
        var submitted = await api.FocalPoint("KH").PostJson($"/api/commitments/{id}/progress", new { value = 2, asOf = "2025-06-30" });
        submitted.StatusCode.ShouldBe(HttpStatusCode.OK, await submitted.Content.ReadAsStringAsync());
        var values = await (await api.Reviewer().GetAsync($"/api/commitments/{id}/values")).Json();
        return values.EnumerateArray().Single(v => v.GetProperty("state").GetString() == "submitted").GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task Two_concurrent_accepts_of_one_value_without_If_Match_give_one_200_and_one_409()
    {
        var (id, _) = await Make();
        var value = await Submit(id);
        var before = await api.EventCount();

        // Unconditional writes queue on the stream: the second decides on the state the first left, where the value is
        // no longer submitted.
        var clients = Enumerable.Range(0, 2).Select(_ => api.Secretariat()).ToList();
        var responses = await Task.WhenAll(clients.Select((c, i) =>
            c.PostJson($"/api/commitments/{id}/values/{value}/accept", new { note = $"Checked by officer {i}" })));

        var codes = responses.Select(r => (int)r.StatusCode).Order().ToList();
        codes.ShouldBe([200, 409], string.Join(",", codes));
        await responses.Single(r => r.StatusCode == HttpStatusCode.Conflict).ShouldBeProblem(409);
        responses.Single(r => r.StatusCode == HttpStatusCode.OK).ETag().ShouldBe(3);

        (await api.EventCount()).ShouldBe(before + 1);
        var history = await History(id);
        history.Count(e => e.GetProperty("type").GetString() == "value-accepted").ShouldBe(1);
        history.Last().GetProperty("version").GetInt64().ShouldBe(3);
        var values = await (await api.Reviewer().GetAsync($"/api/commitments/{id}/values")).Json();
        values.EnumerateArray().ShouldHaveSingleItem().GetProperty("state").GetString().ShouldBe("accepted");
    }

    [Fact]
    public async Task Two_concurrent_comments_both_succeed_one_thread_version_after_the_other()
    {
        var (id, _) = await Make();
        var thread = $"/api/commitments/{id}/comments";
        (await api.Secretariat().PostJson(thread, new { text = "Please attach the minutes." })).StatusCode.ShouldBe(HttpStatusCode.Created);
        var read = await api.Reviewer().GetAsync(thread);
        var n = read.ETag();
        n.ShouldBe(1);
        var before = await api.EventCount();

        var responses = await Task.WhenAll(
            api.Secretariat().PostJson(thread, new { text = "And the attendance list." }),
            api.FocalPoint("KH").PostJson(thread, new { text = "Minutes attached." }));

        foreach (var r in responses) r.StatusCode.ShouldBe(HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        responses.Select(r => r.ETag()).Order().ShouldBe([n + 1, n + 2]);
        (await api.EventCount()).ShouldBe(before + 2);
        var after = await api.Reviewer().GetAsync(thread);
        after.ETag().ShouldBe(n + 2);
        (await after.Json()).EnumerateArray().Select(c => c.GetProperty("text").GetString())
            .ShouldBe(["Please attach the minutes.", "And the attendance list.", "Minutes attached."], ignoreOrder: true);
    }

    [Fact]
    public async Task A_comment_leaves_the_commitments_version_so_a_focal_points_If_Match_stays_current()
    {
        var kh = api.FocalPoint("KH");
        var (id, _) = await Make();
        var read = await kh.GetAsync($"/api/commitments/{id}");
        var version = read.ETag();

        var commented = await api.Secretariat().PostJson($"/api/commitments/{id}/comments", new { text = "Is the plan adopted yet?" });
        commented.StatusCode.ShouldBe(HttpStatusCode.Created, await commented.Content.ReadAsStringAsync());
        (await api.Reviewer().GetAsync($"/api/commitments/{id}")).ETag().ShouldBe(version);

        var changed = await kh.PostJson($"/api/commitments/{id}/status", new { status = "in-progress", note = "Drafting" }, ifMatch: version);
        changed.StatusCode.ShouldBe(HttpStatusCode.OK, await changed.Content.ReadAsStringAsync());
        changed.ETag().ShouldBe(version + 1);
        // ...and the thread's own If-Match is still the thread's version, which the status change left alone.
        var reply = await kh.PostJson($"/api/commitments/{id}/comments", new { text = "Drafting now." }, ifMatch: commented.ETag());
        reply.StatusCode.ShouldBe(HttpStatusCode.Created, await reply.Content.ReadAsStringAsync());
        reply.ETag().ShouldBe(commented.ETag() + 1);
    }

    [Fact]
    public async Task The_ETag_on_a_read_is_the_version_and_grows_by_one_per_write()
    {
        var kh = api.FocalPoint("KH");
        var reviewer = api.Reviewer();
        var (id, created) = await Make();
        created.ShouldBe(1);

        async Task<long> ReadVersion()
        {
            var read = await reviewer.GetAsync($"/api/commitments/{id}");
            read.StatusCode.ShouldBe(HttpStatusCode.OK);
            read.Headers.ETag!.Tag.ShouldBe($"\"{read.ETag()}\"");
            (await read.Json()).GetProperty("version").GetInt64().ShouldBe(read.ETag());
            return read.ETag();
        }

        (await ReadVersion()).ShouldBe(1);
        var writes = new Func<Task<HttpResponseMessage>>[]
        {
            () => kh.PostJson($"/api/commitments/{id}/status", new { status = "in-progress" }),
            () => kh.PostJson($"/api/commitments/{id}/progress", new { value = 1, asOf = "2025-03-31" }),
            () => kh.SendJson(HttpMethod.Patch, $"/api/commitments/{id}", new { leadAgency = "Ministry of Planning", reason = "Moved" }),
            () => kh.PostJson($"/api/commitments/{id}/progress", new { value = 2, asOf = "2025-06-30" }),
            () => api.Secretariat().PostJson($"/api/commitments/{id}/withdraw", new { reason = "Superseded" }),
        };
        for (var i = 0; i < writes.Length; i++)
        {
            var response = await writes[i]();
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            response.ETag().ShouldBe(2 + i);
            (await ReadVersion()).ShouldBe(2 + i);
        }

        // A refused write does not move the version.
        await (await kh.PostJson($"/api/commitments/{id}/progress", new { value = 3, asOf = "2025-09-30" })).ShouldBeProblem(409);
        (await ReadVersion()).ShouldBe(6);
    }
}
