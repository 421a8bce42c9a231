using System.Net;

namespace Strategy.Tests.Api;

/// <summary>Idempotency-Key on POST: a retry gets the first response and appends nothing more.</summary>
public sealed class IdempotencyTests(ApiFactory api) : IClassFixture<ApiFactory>, IAsyncLifetime
{
    private const string Replayed = "Idempotent-Replayed";
    private readonly string Plan = "IDEM-" + Guid.NewGuid().ToString("N")[..8];

    public async Task InitializeAsync()
    {
        var created = await api.Secretariat().PostJson("/api/plans", TestPlan.Document(Plan));
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string NewKey() => "key-" + Guid.NewGuid().ToString("N");

    private async Task<Guid> Make(string country = "KH")
    {
        var response = await api.Secretariat().PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment(country));
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Json()).GetProperty("id").GetGuid();
    }

    private async Task<int> HistoryLength(Guid id) =>
        (await (await api.Reviewer().GetAsync($"/api/commitments/{id}/history")).Json()).GetArrayLength();

    private async Task<long> CommitmentsInPlan()
    {
        var list = await api.Reviewer().GetAsync($"/api/plans/{Plan}/commitments?includeWithdrawn=true");
        list.StatusCode.ShouldBe(HttpStatusCode.OK);
        return long.Parse(list.Headers.GetValues("X-Total-Count").Single());
    }

    private static bool IsReplay(HttpResponseMessage r) =>
        r.Headers.TryGetValues(Replayed, out var values) && values.Single() == "true";

    [Fact]
    public async Task A_retry_with_the_same_key_and_body_gets_the_first_response_and_appends_once()
    {
        var kh = api.FocalPoint("KH");
        var key = NewKey();
        var body = new { country = "KH", outcome = "G1.O1", title = "Adopt plans", leadAgency = "MoE", due = "2026-12-31", indicator = "G1.O1.I1", target = 4 };
        var before = await api.EventCount();

        var first = await kh.PostJson($"/api/plans/{Plan}/commitments", body, idempotencyKey: key);
        first.StatusCode.ShouldBe(HttpStatusCode.Created, await first.Content.ReadAsStringAsync());
        IsReplay(first).ShouldBeFalse();
        var firstBody = await first.Content.ReadAsStringAsync();
        (await api.EventCount()).ShouldBe(before + 1);

        for (var attempt = 0; attempt < 2; attempt++)
        {
            var retry = await kh.PostJson($"/api/plans/{Plan}/commitments", body, idempotencyKey: key);
            retry.StatusCode.ShouldBe(HttpStatusCode.Created);
            (await retry.Content.ReadAsStringAsync()).ShouldBe(firstBody);
            retry.Headers.Location.ShouldBe(first.Headers.Location);
            retry.Headers.ETag.ShouldBe(first.Headers.ETag);
            retry.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
            IsReplay(retry).ShouldBeTrue();
        }
        (await api.EventCount()).ShouldBe(before + 1);
        (await CommitmentsInPlan()).ShouldBe(1);
    }

    [Fact]
    public async Task A_retried_progress_report_returns_the_same_200_and_the_history_grows_once()
    {
        var id = await Make();
        var kh = api.FocalPoint("KH");
        var key = NewKey();
        var report = new { value = 2, asOf = "2025-06-30", note = "Two provinces" };

        var first = await kh.PostJson($"/api/commitments/{id}/progress", report, idempotencyKey: key);
        first.StatusCode.ShouldBe(HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        first.ETag().ShouldBe(2);
        var before = await api.EventCount();

        var retry = await kh.PostJson($"/api/commitments/{id}/progress", report, idempotencyKey: key);
        retry.StatusCode.ShouldBe(HttpStatusCode.OK);
        retry.ETag().ShouldBe(2);
        (await retry.Content.ReadAsStringAsync()).ShouldBe(await first.Content.ReadAsStringAsync());
        IsReplay(retry).ShouldBeTrue();

        (await api.EventCount()).ShouldBe(before);
        (await HistoryLength(id)).ShouldBe(2);
    }

    [Fact]
    public async Task The_same_key_with_another_body_or_path_gets_422_and_appends_nothing()
    {
        var id = await Make();
        var kh = api.FocalPoint("KH");
        var key = NewKey();
        (await kh.PostJson($"/api/commitments/{id}/progress", new { value = 2, asOf = "2025-06-30" }, idempotencyKey: key)).EnsureSuccessStatusCode();
        var before = await api.EventCount();

        var otherBody = await kh.PostJson($"/api/commitments/{id}/progress", new { value = 3, asOf = "2025-06-30" }, idempotencyKey: key);
        var problem = await otherBody.ShouldBeProblem(422);
        problem.GetProperty("detail").GetString()!.ShouldContain("Idempotency-Key");

        var otherPath = await kh.PostJson($"/api/commitments/{id}/status", new { value = 2, asOf = "2025-06-30" }, idempotencyKey: key);
        await otherPath.ShouldBeProblem(422);

        (await api.EventCount()).ShouldBe(before);
        (await HistoryLength(id)).ShouldBe(2);
        var read = await (await api.Reviewer().GetAsync($"/api/commitments/{id}")).Json();
        read.GetProperty("pending").GetProperty("latest").GetProperty("value").GetDouble().ShouldBe(2);
    }

    [Fact]
    public async Task The_same_key_used_by_two_users_does_not_collide()
    {
        var id = await Make();
        var key = NewKey();
        var focalPoint = api.FocalPoint("KH");
        var secretariat = api.Secretariat();
        var before = await api.EventCount();

        var mine = await focalPoint.PostJson($"/api/commitments/{id}/progress", new { value = 1, asOf = "2025-03-31" }, idempotencyKey: key);
        mine.StatusCode.ShouldBe(HttpStatusCode.OK);
        mine.ETag().ShouldBe(2);
        // Another caller's request under the same key is its own request: not a replay, not a 422.
        var theirs = await secretariat.PostJson($"/api/commitments/{id}/progress", new { value = 2, asOf = "2025-06-30" }, idempotencyKey: key);
        theirs.StatusCode.ShouldBe(HttpStatusCode.OK, await theirs.Content.ReadAsStringAsync());
        IsReplay(theirs).ShouldBeFalse();
        // The secretariat's value is submitted and accepted on entry: two events.
        theirs.ETag().ShouldBe(4);
        // And the same body under the same key by a third user is still a new request.
        var third = await api.As("secretariat", sub: "sec-2", name: "Another Officer")
            .PostJson($"/api/commitments/{id}/progress", new { value = 2, asOf = "2025-06-30" }, idempotencyKey: key);
        third.StatusCode.ShouldBe(HttpStatusCode.OK);
        IsReplay(third).ShouldBeFalse();
        third.ETag().ShouldBe(6);
        (await api.EventCount()).ShouldBe(before + 5);

        // Each caller's retry replays its own first response.
        var myRetry = await focalPoint.PostJson($"/api/commitments/{id}/progress", new { value = 1, asOf = "2025-03-31" }, idempotencyKey: key);
        IsReplay(myRetry).ShouldBeTrue();
        myRetry.ETag().ShouldBe(2);
        var theirRetry = await secretariat.PostJson($"/api/commitments/{id}/progress", new { value = 2, asOf = "2025-06-30" }, idempotencyKey: key);
        IsReplay(theirRetry).ShouldBeTrue();
        theirRetry.ETag().ShouldBe(4);
        (await api.EventCount()).ShouldBe(before + 5);

        var history = await (await api.Reviewer().GetAsync($"/api/commitments/{id}/history")).Json();
        history.EnumerateArray().Skip(1).Select(e => e.GetProperty("actor").GetProperty("id").GetString()).ShouldBe(["fp-kh", "sec-1", "sec-1", "sec-2", "sec-2"]);
    }

    public static TheoryData<string> Writes => ["progress", "status", "commitment"];

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task Ten_concurrent_requests_with_the_same_key_and_body_append_once_and_all_get_the_same_response(string write)
    {
        var id = await Make();
        var key = NewKey();
        var (url, body, status) = write switch
        {
            "progress" => ($"/api/commitments/{id}/progress", (object)new { value = 3, asOf = "2025-06-30" }, HttpStatusCode.OK),
            "status" => ($"/api/commitments/{id}/status", new { status = "in-progress", note = "Started" }, HttpStatusCode.OK),
            _ => ($"/api/plans/{Plan}/commitments", TestPlan.Commitment("TH", title: "Raced commitment"), HttpStatusCode.Created),
        };
        var commitmentsBefore = await CommitmentsInPlan();
        var before = await api.EventCount();

        var clients = Enumerable.Range(0, 10).Select(_ => api.Secretariat()).ToList();
        var responses = await Task.WhenAll(clients.Select(c => c.PostJson(url, body, idempotencyKey: key)));

        var bodies = new List<string>();
        foreach (var r in responses)
        {
            var text = await r.Content.ReadAsStringAsync();
            r.StatusCode.ShouldBe(status, text);
            bodies.Add(text);
        }
        bodies.Distinct().Count().ShouldBe(1);
        responses.Select(r => r.Headers.ETag!.Tag).Distinct().Count().ShouldBe(1);
        responses.Select(r => r.Headers.Location?.ToString()).Distinct().Count().ShouldBe(1);
        responses.Count(r => !IsReplay(r)).ShouldBe(1);

        // The secretariat's value is submitted and accepted on entry: two events, once.
        (await api.EventCount()).ShouldBe(before + (write == "progress" ? 2 : 1));
        if (write == "commitment")
        {
            (await CommitmentsInPlan()).ShouldBe(commitmentsBefore + 1);
            responses[0].ETag().ShouldBe(1);
        }
        else
        {
            var written = write == "progress" ? 2 : 1;
            (await HistoryLength(id)).ShouldBe(1 + written);
            responses[0].ETag().ShouldBe(1 + written);
        }
    }

    [Fact]
    public async Task A_key_whose_request_failed_validation_can_be_retried_with_a_corrected_body()
    {
        var id = await Make();
        var kh = api.FocalPoint("KH");
        var key = NewKey();
        var before = await api.EventCount();

        var invalid = await kh.PostJson($"/api/commitments/{id}/progress", new { value = -1, asOf = "2025-06-30" }, idempotencyKey: key);
        await invalid.ShouldBeProblem(400, "value");
        (await api.EventCount()).ShouldBe(before);

        var corrected = await kh.PostJson($"/api/commitments/{id}/progress", new { value = 1, asOf = "2025-06-30" }, idempotencyKey: key);
        corrected.StatusCode.ShouldBe(HttpStatusCode.OK, await corrected.Content.ReadAsStringAsync());
        IsReplay(corrected).ShouldBeFalse();
        corrected.ETag().ShouldBe(2);
        (await api.EventCount()).ShouldBe(before + 1);

        // From now on the key is bound to the corrected request.
        var retry = await kh.PostJson($"/api/commitments/{id}/progress", new { value = 1, asOf = "2025-06-30" }, idempotencyKey: key);
        IsReplay(retry).ShouldBeTrue();
        await (await kh.PostJson($"/api/commitments/{id}/progress", new { value = -1, asOf = "2025-06-30" }, idempotencyKey: key)).ShouldBeProblem(422);
        (await api.EventCount()).ShouldBe(before + 1);
    }

    [Fact]
    public async Task A_key_whose_request_was_malformed_json_can_be_retried()
    {
        var id = await Make();
        var kh = api.FocalPoint("KH");
        var key = NewKey();
        var before = await api.EventCount();

        await (await kh.PostJson($"/api/commitments/{id}/status", "{\"status\":\"started\"}", idempotencyKey: key)).ShouldBeProblem(400, "status");
        var fixedUp = await kh.PostJson($"/api/commitments/{id}/status", new { status = "in-progress" }, idempotencyKey: key);
        fixedUp.StatusCode.ShouldBe(HttpStatusCode.OK, await fixedUp.Content.ReadAsStringAsync());
        (await api.EventCount()).ShouldBe(before + 1);
    }

    [Fact]
    public async Task An_idempotent_commitment_creation_without_a_code_creates_one_commitment_only()
    {
        var key = NewKey();
        var vn = api.FocalPoint("VN");
        var body = TestPlan.Commitment("VN", outcome: "G2.O1", indicator: "G2.O1.I1", target: 80, title: "Extend monitoring");
        var before = await CommitmentsInPlan();

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++) responses.Add(await vn.PostJson($"/api/plans/{Plan}/commitments", body, idempotencyKey: key));

        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Created);
        var ids = new List<Guid>();
        foreach (var r in responses) ids.Add((await r.Json()).GetProperty("id").GetGuid());
        ids.Distinct().Count().ShouldBe(1);
        responses.Select(r => r.Headers.Location!.ToString()).ShouldAllBe(l => l == $"/api/commitments/{ids[0]}");
        (await responses[0].Json()).GetProperty("code").GetString().ShouldBe("VN-G2.O1-01");

        (await CommitmentsInPlan()).ShouldBe(before + 1);
        var list = await (await api.Reviewer().GetAsync($"/api/plans/{Plan}/commitments?country=VN")).Json();
        list.EnumerateArray().Select(c => c.GetProperty("id").GetGuid()).ShouldBe([ids[0]]);
        (await HistoryLength(ids[0])).ShouldBe(1);

        // Without the key, the same body is a new commitment with the next code.
        var again = await vn.PostJson($"/api/plans/{Plan}/commitments", body);
        again.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await again.Json()).GetProperty("code").GetString().ShouldBe("VN-G2.O1-02");
    }

    [Fact]
    public async Task A_retried_plan_import_is_replayed_instead_of_refused_as_a_duplicate()
    {
        var key = NewKey();
        var code = "IMP-" + Guid.NewGuid().ToString("N")[..8];
        var secretariat = api.Secretariat();
        var before = await api.EventCount();

        var first = await secretariat.PostJson("/api/plans", TestPlan.Document(code), idempotencyKey: key);
        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        // PlanCreated, two GoalAdded, three OutcomeAdded.
        (await api.EventCount()).ShouldBe(before + 6);
        first.ETag().ShouldBe(6);

        var retry = await secretariat.PostJson("/api/plans", TestPlan.Document(code), idempotencyKey: key);
        retry.StatusCode.ShouldBe(HttpStatusCode.Created);
        IsReplay(retry).ShouldBeTrue();
        retry.Headers.Location!.ToString().ShouldBe($"/api/plans/{code}");
        retry.ETag().ShouldBe(6);
        (await api.EventCount()).ShouldBe(before + 6);

        // Without a key the same document is a second creation, refused.
        await (await secretariat.PostJson("/api/plans", TestPlan.Document(code))).ShouldBeProblem(409);
    }
}
