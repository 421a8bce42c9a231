using System.Net;
using System.Text;

namespace Strategy.Tests.Api;

/// <summary>
/// If-Match and Idempotency-Key on the reporting cycle's writes behave as on the older writes: a stale If-Match gets
/// 412 and appends nothing, the current one succeeds; the same key and body replay the first response and append
/// nothing more, the same key with another body gets 422. If-Match is the commitment's version on value reviews and
/// restores, the correspondence stream's (the thread's) on comments and uploads, and the round's on a round's writes.
/// </summary>
public sealed class ReportingCycleWriteSemanticsTests(ApiFactory api) : IClassFixture<ApiFactory>, IAsyncLifetime
{
    private const string Replayed = "Idempotent-Replayed";
    private readonly string Plan = "RCWS-" + Guid.NewGuid().ToString("N")[..8];

    public async Task InitializeAsync()
    {
        var created = await api.Secretariat().PostJson("/api/plans", TestPlan.Document(Plan));
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    // ---- targets ----------------------------------------------------------------------------------------------------

    private async Task<Guid> Commitment()
    {
        var made = await api.Secretariat().PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment("KH"));
        made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
        return (await made.Json()).GetProperty("id").GetGuid();
    }

    /// <summary>A value KH's focal point submits to the commitment now, by its id.</summary>
    private async Task<Guid> Submitted(Guid commitment, string asOf = "2025-06-30")
    {
        var before = await ValueIds(commitment);
        var submitted = await api.FocalPoint("KH").PostJson($"/api/commitments/{commitment}/progress", new { value = 2, asOf });
        submitted.StatusCode.ShouldBe(HttpStatusCode.OK, await submitted.Content.ReadAsStringAsync());
        return (await ValueIds(commitment)).Except(before).ShouldHaveSingleItem();
    }

    private async Task<List<Guid>> ValueIds(Guid commitment) =>
        [.. (await (await api.Reviewer().GetAsync($"/api/commitments/{commitment}/values")).Json()).EnumerateArray().Select(v => v.GetProperty("id").GetGuid())];

    /// <summary>A commitment whose thread the secretariat has begun (its version is 1).</summary>
    private async Task<Guid> Thread()
    {
        var id = await Commitment();
        var first = await api.Secretariat().PostJson($"/api/commitments/{id}/comments", new { text = "Thank you for the report." });
        first.StatusCode.ShouldBe(HttpStatusCode.Created, await first.Content.ReadAsStringAsync());
        first.ETag().ShouldBe(1);
        return id;
    }

    private async Task<Guid> Withdrawn()
    {
        var id = await Commitment();
        var withdrawn = await api.Secretariat().PostJson($"/api/commitments/{id}/withdraw", new { reason = "Made in error" });
        withdrawn.StatusCode.ShouldBe(HttpStatusCode.OK, await withdrawn.Content.ReadAsStringAsync());
        return id;
    }

    private static object NewRound(string? code = null) =>
        new { code = code ?? "R-" + Guid.NewGuid().ToString("N")[..8], periodStart = "2025-04-01", periodEnd = "2025-06-30", deadline = "2025-07-15" };

    private async Task<Guid> OpenRound()
    {
        var opened = await api.Secretariat().PostJson($"/api/plans/{Plan}/rounds", NewRound());
        opened.StatusCode.ShouldBe(HttpStatusCode.Created, await opened.Content.ReadAsStringAsync());
        return (await opened.Json()).GetProperty("id").GetGuid();
    }

    private async Task<long> ETagOf(string url)
    {
        var read = await api.Reviewer().GetAsync(url);
        read.StatusCode.ShouldBe(HttpStatusCode.OK, await read.Content.ReadAsStringAsync());
        return read.ETag();
    }

    private static MultipartFormDataContent Upload(string text) => EvidenceTests.Form(Encoding.UTF8.GetBytes(text + "\n"), "minutes.txt");

    private static Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string url, Func<object> body, long? ifMatch = null, string? key = null)
    {
        var made = body();
        if (made is not HttpContent content) return client.SendJson(method, url, made, ifMatch, key);
        var request = new HttpRequestMessage(method, url) { Content = content };
        if (ifMatch is { } v) request.Headers.TryAddWithoutValidation("If-Match", $"\"{v}\"");
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    /// <summary>
    /// One of the new writes, ready to send: its caller, URL and body (a function, as an upload's content is sent once),
    /// where its version is read (the ETag of <see cref="VersionUrl"/>), a write by someone else that moves that version,
    /// and another body for the same request (for the 422).
    /// </summary>
    private sealed record Target(HttpClient Caller, HttpMethod Method, string Url, Func<object> Body, HttpStatusCode Success, string VersionUrl,
        Func<Task> MoveVersion, Func<object> OtherBody);

    private async Task<Target> Arrange(string write)
    {
        var secretariat = api.Secretariat();
        var kh = api.FocalPoint("KH");
        switch (write)
        {
            case "accept":
            case "return":
            case "retract":
            {
                var id = await Commitment();
                var value = await Submitted(id);
                // The secretariat reviews; KH's focal point retracts its own value (the secretariat's retraction is a void).
                var (caller, body, other) = write switch
                {
                    "accept" => (secretariat, (object)new { note = "Matches the minutes" }, (object)new { note = "Checked twice" }),
                    "return" => (secretariat, new { comment = "The minutes list three provinces." }, new { comment = "Attach the minutes." }),
                    _ => (kh, new { reason = "Entered the wrong figure" }, new { reason = "Duplicate" }),
                };
                return new(caller, HttpMethod.Post, $"/api/commitments/{id}/values/{value}/{write}", () => body, HttpStatusCode.OK,
                    $"/api/commitments/{id}", () => Submitted(id, "2025-03-31"), () => other);
            }
            case "restore":
            {
                var id = await Withdrawn();
                return new(secretariat, HttpMethod.Post, $"/api/commitments/{id}/restore", () => new { reason = "Withdrawn in error" }, HttpStatusCode.OK,
                    $"/api/commitments/{id}",
                    // A withdrawn commitment takes no other write: its version moves by a restore and a withdrawal.
                    async () =>
                    {
                        (await secretariat.PostJson($"/api/commitments/{id}/restore", new { reason = "Back" })).StatusCode.ShouldBe(HttpStatusCode.OK);
                        (await secretariat.PostJson($"/api/commitments/{id}/withdraw", new { reason = "Out again" })).StatusCode.ShouldBe(HttpStatusCode.OK);
                    },
                    () => new { reason = "Superseded by nothing after all" });
            }
            case "comment":
            {
                // A thread already begun: an empty thread's version, 0, is a case of its own (below).
                var id = await Thread();
                return new(kh, HttpMethod.Post, $"/api/commitments/{id}/comments", () => new { text = "Minutes attached." }, HttpStatusCode.Created,
                    $"/api/commitments/{id}/comments",
                    async () => (await secretariat.PostJson($"/api/commitments/{id}/comments", new { text = "Please attach the minutes." })).StatusCode.ShouldBe(HttpStatusCode.Created),
                    () => new { text = "Minutes attached, all three." });
            }
            case "evidence":
            {
                var id = await Thread();
                var text = $"Minutes {Guid.NewGuid()}";
                return new(kh, HttpMethod.Post, $"/api/commitments/{id}/evidence", () => Upload(text), HttpStatusCode.Created,
                    $"/api/commitments/{id}/comments",
                    async () => (await secretariat.PostJson($"/api/commitments/{id}/comments", new { text = "Please attach the minutes." })).StatusCode.ShouldBe(HttpStatusCode.Created),
                    () => Upload(text + " (signed)"));
            }
            case "open round":
            {
                // Its If-Match (the plan's version) has a test of its own below.
                var code = "R-" + Guid.NewGuid().ToString("N")[..8];
                return new(secretariat, HttpMethod.Post, $"/api/plans/{Plan}/rounds", () => NewRound(code), HttpStatusCode.Created,
                    $"/api/plans/{Plan}", () => Task.CompletedTask, () => NewRound(code + "-B"));
            }
            case "move deadline":
            case "close round":
            {
                var id = await OpenRound();
                async Task Move()
                {
                    var moved = await secretariat.SendJson(HttpMethod.Patch, $"/api/rounds/{id}", new { deadline = "2025-08-15", reason = "Floods" });
                    moved.StatusCode.ShouldBe(HttpStatusCode.OK, await moved.Content.ReadAsStringAsync());
                }
                return write == "move deadline"
                    ? new(secretariat, HttpMethod.Patch, $"/api/rounds/{id}", () => new { deadline = "2025-07-31", reason = "Floods delayed the returns" }, HttpStatusCode.OK,
                        $"/api/rounds/{id}", Move, () => new { deadline = "2025-07-30", reason = "Floods delayed the returns" })
                    : new(secretariat, HttpMethod.Post, $"/api/rounds/{id}/close", () => new { note = "Quarter closed" }, HttpStatusCode.OK,
                        $"/api/rounds/{id}", Move, () => new { note = "Closed early" });
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(write), write, null);
        }
    }

    // ---- If-Match ---------------------------------------------------------------------------------------------------

    /// <summary>The writes whose If-Match is checked against a version of their own stream.</summary>
    public static TheoryData<string> ConditionalWrites => ["accept", "return", "retract", "restore", "comment", "move deadline", "close round"];

    [Theory]
    [MemberData(nameof(ConditionalWrites))]
    public async Task A_stale_If_Match_gets_412_and_appends_nothing_and_the_current_one_succeeds(string write)
    {
        var target = await Arrange(write);
        var stale = await ETagOf(target.VersionUrl);
        await target.MoveVersion();
        var current = await ETagOf(target.VersionUrl);
        current.ShouldBeGreaterThan(stale);
        var before = await api.EventCount();

        await (await Send(target.Caller, target.Method, target.Url, target.Body, ifMatch: stale)).ShouldBeProblem(412);
        // A version from the future is just as stale.
        await (await Send(target.Caller, target.Method, target.Url, target.Body, ifMatch: current + 5)).ShouldBeProblem(412);
        (await api.EventCount()).ShouldBe(before);
        (await ETagOf(target.VersionUrl)).ShouldBe(current);

        var done = await Send(target.Caller, target.Method, target.Url, target.Body, ifMatch: current);
        done.StatusCode.ShouldBe(target.Success, await done.Content.ReadAsStringAsync());
        done.ETag().ShouldBe(current + 1);
        (await api.EventCount()).ShouldBe(before + 1);
        (await ETagOf(target.VersionUrl)).ShouldBe(current + 1);
    }

    [Fact]
    public async Task A_stale_If_Match_on_an_evidence_upload_gets_412_and_appends_nothing()
    {
        // The upload answers with the thread's version (the correspondence stream's, as a comment does), so If-Match on
        // it is checked against that version as on a comment.
        var target = await Arrange("evidence");
        var stale = await ETagOf(target.VersionUrl);
        await target.MoveVersion();
        var current = await ETagOf(target.VersionUrl);
        var before = await api.EventCount();

        await (await Send(target.Caller, target.Method, target.Url, target.Body, ifMatch: stale)).ShouldBeProblem(412);
        (await api.EventCount()).ShouldBe(before);

        var done = await Send(target.Caller, target.Method, target.Url, target.Body, ifMatch: current);
        done.StatusCode.ShouldBe(HttpStatusCode.Created, await done.Content.ReadAsStringAsync());
        done.ETag().ShouldBe(current + 1);
    }

    [Fact]
    public async Task A_stale_If_Match_on_opening_a_round_gets_412_and_appends_nothing()
    {
        // As on the plan's other creations (goals, outcomes, commitments), If-Match is the plan's version.
        var secretariat = api.Secretariat();
        var stale = await ETagOf($"/api/plans/{Plan}");
        (await secretariat.PostJson($"/api/plans/{Plan}/goals", new { code = "G3", title = "Energy" })).StatusCode.ShouldBe(HttpStatusCode.Created);
        var current = await ETagOf($"/api/plans/{Plan}");
        var before = await api.EventCount();

        await (await secretariat.PostJson($"/api/plans/{Plan}/rounds", NewRound(), ifMatch: stale)).ShouldBeProblem(412);
        (await api.EventCount()).ShouldBe(before);

        var opened = await secretariat.PostJson($"/api/plans/{Plan}/rounds", NewRound(), ifMatch: current);
        opened.StatusCode.ShouldBe(HttpStatusCode.Created, await opened.Content.ReadAsStringAsync());
        (await api.EventCount()).ShouldBe(before + 1);
    }

    [Fact]
    public async Task The_first_comment_may_carry_the_empty_threads_ETag_as_its_If_Match()
    {
        // An empty thread reads with ETag "0"; a client that sends back what it read must be able to write the first comment.
        var id = await Commitment();
        var read = await api.FocalPoint("KH").GetAsync($"/api/commitments/{id}/comments");
        read.StatusCode.ShouldBe(HttpStatusCode.OK);
        var empty = read.ETag();
        empty.ShouldBe(0);
        var before = await api.EventCount();

        var first = await api.FocalPoint("KH").PostJson($"/api/commitments/{id}/comments", new { text = "Minutes attached." }, ifMatch: empty);

        first.StatusCode.ShouldBe(HttpStatusCode.Created, await first.Content.ReadAsStringAsync());
        first.ETag().ShouldBe(1);
        (await api.EventCount()).ShouldBe(before + 1);
        // ...and once the thread has begun, "0" is stale like any other old version.
        await (await api.Secretariat().PostJson($"/api/commitments/{id}/comments", new { text = "Thank you." }, ifMatch: empty)).ShouldBeProblem(412);
        (await api.EventCount()).ShouldBe(before + 1);
    }

    [Fact]
    public async Task A_value_review_checks_If_Match_against_the_commitments_version_not_the_threads()
    {
        var id = await Commitment();
        var value = await Submitted(id);
        var version = await ETagOf($"/api/commitments/{id}");
        // Comments move the thread, not the commitment: the thread's version 3 is not the commitment's 2.
        for (var i = 0; i < 3; i++)
            (await api.FocalPoint("KH").PostJson($"/api/commitments/{id}/comments", new { text = $"Note {i}" })).StatusCode.ShouldBe(HttpStatusCode.Created);
        var thread = await ETagOf($"/api/commitments/{id}/comments");
        thread.ShouldNotBe(version);
        var before = await api.EventCount();

        await (await api.Secretariat().PostJson($"/api/commitments/{id}/values/{value}/accept", new { note = "ok" }, ifMatch: thread)).ShouldBeProblem(412);
        (await api.EventCount()).ShouldBe(before);

        var accepted = await api.Secretariat().PostJson($"/api/commitments/{id}/values/{value}/accept", new { note = "ok" }, ifMatch: version);
        accepted.StatusCode.ShouldBe(HttpStatusCode.OK, await accepted.Content.ReadAsStringAsync());
        accepted.ETag().ShouldBe(version + 1);
    }

    // ---- Idempotency-Key --------------------------------------------------------------------------------------------

    public static TheoryData<string> Posts => ["accept", "return", "retract", "restore", "comment", "evidence", "open round", "close round"];

    [Theory]
    [MemberData(nameof(Posts))]
    public async Task The_same_key_and_body_replay_the_first_response_and_another_body_gets_422(string write)
    {
        var target = await Arrange(write);
        var key = "key-" + Guid.NewGuid().ToString("N");
        var before = await api.EventCount();

        var first = await Send(target.Caller, target.Method, target.Url, target.Body, key: key);
        var firstBody = await first.Content.ReadAsStringAsync();
        first.StatusCode.ShouldBe(target.Success, firstBody);
        first.Headers.Contains(Replayed).ShouldBeFalse();
        var appended = await api.EventCount();
        appended.ShouldBe(before + 1);

        for (var attempt = 0; attempt < 2; attempt++)
        {
            var retry = await Send(target.Caller, target.Method, target.Url, target.Body, key: key);
            retry.StatusCode.ShouldBe(target.Success);
            (await retry.Content.ReadAsStringAsync()).ShouldBe(firstBody);
            retry.Headers.GetValues(Replayed).ShouldBe(["true"]);
            retry.Headers.ETag.ShouldBe(first.Headers.ETag);
            retry.Headers.Location.ShouldBe(first.Headers.Location);
        }
        (await api.EventCount()).ShouldBe(appended);

        var other = await Send(target.Caller, target.Method, target.Url, target.OtherBody, key: key);
        (await other.ShouldBeProblem(422)).GetProperty("detail").GetString()!.ShouldContain("Idempotency-Key");
        (await api.EventCount()).ShouldBe(appended);
    }

    [Fact]
    public async Task Without_a_key_a_repeated_review_or_close_is_a_conflict_and_appends_nothing()
    {
        // What the key saves a client from: its retry, sent again without one, meets the state its first request left.
        var secretariat = api.Secretariat();
        var id = await Commitment();
        var value = await Submitted(id);
        (await secretariat.PostJson($"/api/commitments/{id}/values/{value}/accept", new { note = "ok" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var round = await OpenRound();
        (await secretariat.PostJson($"/api/rounds/{round}/close", new { note = "Closed" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var live = await Commitment();
        var before = await api.EventCount();

        await (await secretariat.PostJson($"/api/commitments/{id}/values/{value}/accept", new { note = "ok" })).ShouldBeProblem(409);
        await (await secretariat.PostJson($"/api/commitments/{id}/values/{value}/return", new { comment = "Too late" })).ShouldBeProblem(409);
        await (await secretariat.PostJson($"/api/rounds/{round}/close", new { note = "Closed" })).ShouldBeProblem(409);
        await (await secretariat.PostJson($"/api/commitments/{live}/restore", new { reason = "Not withdrawn" })).ShouldBeProblem(409);

        (await api.EventCount()).ShouldBe(before);
    }
}
