using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Strategy.Tests.Api;

/// <summary>
/// API.md's validation examples: each bad request gets a problem document naming the field and appends nothing.
/// Each test gets its own plan (TestPlan) with two KH commitments: one on a count indicator, one on a percent indicator.
/// </summary>
public sealed class ValidationTests(ApiFactory api) : IClassFixture<ApiFactory>, IAsyncLifetime
{
    private readonly string Plan = "VAL-" + Guid.NewGuid().ToString("N")[..8];
    private Guid countCommitment;
    private Guid percentCommitment;

    public async Task InitializeAsync()
    {
        var secretariat = api.Secretariat();
        var plan = await secretariat.PostJson("/api/plans", TestPlan.Document(Plan));
        plan.StatusCode.ShouldBe(HttpStatusCode.Created, await plan.Content.ReadAsStringAsync());
        countCommitment = await Make(TestPlan.Commitment("KH", "G1.O1", indicator: "G1.O1.I1", target: 4));
        percentCommitment = await Make(TestPlan.Commitment("KH", "G2.O1", indicator: "G2.O1.I1", target: 80, title: "Monitor rivers"));

        async Task<Guid> Make(object body)
        {
            var made = await secretariat.PostJson($"/api/plans/{Plan}/commitments", body);
            made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
            return (await made.Json()).GetProperty("id").GetGuid();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private string Url(string template) => template
        .Replace("{plan}", Plan)
        .Replace("{count}", countCommitment.ToString())
        .Replace("{percent}", percentCommitment.ToString());

    /// <summary>Sends as the secretariat (who may do everything), asserts the problem and that no event was appended.</summary>
    private async Task<JsonElement> ShouldBeRefused(Func<HttpClient, Task<HttpResponseMessage>> send, int status, string? field)
    {
        var before = await api.EventCount();
        var response = await send(api.Secretariat());
        var problem = await response.ShouldBeProblem(status, field);
        (await api.EventCount()).ShouldBe(before);
        return problem;
    }

    // ---- bodies ---------------------------------------------------------------------------------------------------

    private static readonly string TooLong = new('x', 501);
    private static string Future => DateTime.UtcNow.AddDays(2).ToString("yyyy-MM-dd");

    private static string Edit(object body, Action<JsonObject> change)
    {
        var node = JsonSerializer.SerializeToNode(body, ApiFactory.JsonOptions)!.AsObject();
        change(node);
        return node.ToJsonString();
    }

    /// <summary>A new plan (its own code), changed.</summary>
    private static string PlanDoc(Action<JsonObject> change) => Edit(TestPlan.Document("VAL-NEW-" + Guid.NewGuid().ToString("N")[..8]), change);

    private static string CommitmentDoc(Action<JsonObject> change) => Edit(TestPlan.Commitment("KH"), change);

    private static JsonObject At(JsonNode node, string path) =>
        path.Split('/').Aggregate(node, (n, step) => int.TryParse(step, out var i) ? n[i]! : n[step]!).AsObject();

    private static string Outcome(Action<JsonObject>? change = null) => Edit(new
    {
        goal = "G1", code = "G1.O3", title = "Early warning", sdgTargets = new[] { "13.1" },
        indicators = new[] { new { code = "G1.O3.I1", title = "Systems in place", unit = "count", baseline = 0.0, target = 6.0 } },
    }, change ?? (_ => { }));

    private sealed record Case(string Method, string Url, Func<string> Body, string? Field, int Status = 400);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // POST /api/plans
        ["plan: unknown SDG target"] = new("POST", "/api/plans",
            () => PlanDoc(d => At(d, "goals/0/outcomes/1")["sdgTargets"] = new JsonArray("11.6", "99.99")), "goals[0].outcomes[1].sdgTargets[1]"),
        ["plan: empty title"] = new("POST", "/api/plans", () => PlanDoc(d => d["title"] = ""), "title"),
        ["plan: title over 500 characters"] = new("POST", "/api/plans", () => PlanDoc(d => d["title"] = TooLong), "title"),
        ["plan: goal title over 500 characters"] = new("POST", "/api/plans", () => PlanDoc(d => At(d, "goals/1")["title"] = TooLong), "goals[1].title"),
        ["plan: period ends before it starts"] = new("POST", "/api/plans",
            () => PlanDoc(d => d["period"] = new JsonObject { ["start"] = "2024-01-01", ["end"] = "2023-12-31" }), "period.end"),
        ["plan: country code not alpha-2"] = new("POST", "/api/plans", () => PlanDoc(d => At(d, "countries/1")["code"] = "THA"), "countries[1].code"),
        ["plan: negative target for a count indicator"] = new("POST", "/api/plans",
            () => PlanDoc(d => At(d, "goals/0/outcomes/0/indicators/0")["target"] = -1), "goals[0].outcomes[0].indicators[0].target"),
        ["plan: percent indicator over 100"] = new("POST", "/api/plans",
            () => PlanDoc(d => At(d, "goals/1/outcomes/0/indicators/0")["target"] = 150), "goals[1].outcomes[0].indicators[0].target"),
        ["plan: commitment for a non-member country"] = new("POST", "/api/plans",
            () => PlanDoc(d => d["commitments"] = new JsonArray(JsonNode.Parse(CommitmentDoc(c => c["country"] = "LA")))), "commitments[0].country"),
        ["plan: commitment due outside the period"] = new("POST", "/api/plans",
            () => PlanDoc(d => d["commitments"] = new JsonArray(JsonNode.Parse(CommitmentDoc(c => c["due"] = "2029-01-01")))), "commitments[0].due"),
        ["plan: missing code"] = new("POST", "/api/plans", () => PlanDoc(d => d.Remove("code")), "code"),
        ["plan: missing period"] = new("POST", "/api/plans", () => PlanDoc(d => d.Remove("period")), "period"),
        ["plan: unknown member"] = new("POST", "/api/plans", () => PlanDoc(d => d["owner"] = "someone"), "owner"),
        ["plan: unknown nested member"] = new("POST", "/api/plans",
            () => PlanDoc(d => At(d, "goals/0/outcomes/0/indicators/0")["colour"] = "red"), "goals[0].outcomes[0].indicators[0].colour"),

        // POST /api/plans/{code}/goals
        ["goal: empty title"] = new("POST", "/api/plans/{plan}/goals", () => """{"code":"G3","title":""}""", "title"),
        ["goal: title over 500 characters"] = new("POST", "/api/plans/{plan}/goals", () => $$"""{"code":"G3","title":"{{TooLong}}"}""", "title"),
        ["goal: missing code"] = new("POST", "/api/plans/{plan}/goals", () => """{"title":"Energy"}""", "code"),
        ["goal: code with a space"] = new("POST", "/api/plans/{plan}/goals", () => """{"code":"G 3","title":"Energy"}""", "code"),
        ["goal: unknown member"] = new("POST", "/api/plans/{plan}/goals", () => """{"code":"G3","title":"Energy","priority":1}""", "priority"),

        // POST /api/plans/{code}/outcomes
        ["outcome: unknown SDG target"] = new("POST", "/api/plans/{plan}/outcomes",
            () => Outcome(o => o["sdgTargets"] = new JsonArray("13.1", "13.99")), "sdgTargets[1]"),
        ["outcome: SDG targets not a list"] = new("POST", "/api/plans/{plan}/outcomes", () => Outcome(o => o["sdgTargets"] = "13.1"), "sdgTargets"),
        ["outcome: unknown goal"] = new("POST", "/api/plans/{plan}/outcomes", () => Outcome(o => o["goal"] = "G9"), "goal"),
        ["outcome: empty title"] = new("POST", "/api/plans/{plan}/outcomes", () => Outcome(o => o["title"] = " "), "title"),
        ["outcome: negative baseline for a count indicator"] = new("POST", "/api/plans/{plan}/outcomes",
            () => Outcome(o => At(o, "indicators/0")["baseline"] = -3), "indicators[0].baseline"),
        ["outcome: non-finite baseline"] = new("POST", "/api/plans/{plan}/outcomes",
            () => Outcome().Replace("\"baseline\":0", "\"baseline\":1e400"), "indicators[0].baseline"),
        ["outcome: percent indicator over 100"] = new("POST", "/api/plans/{plan}/outcomes",
            () => Outcome(o => { At(o, "indicators/0")["unit"] = "percent"; At(o, "indicators/0")["target"] = 101; }), "indicators[0].target"),

        // PUT /api/plans/{code}/outcomes/{outcome}/sdg-targets
        ["sdg-targets: unknown target"] = new("PUT", "/api/plans/{plan}/outcomes/G1.O1/sdg-targets",
            () => """{"sdgTargets":["6.5","0.0"],"reason":"Realign"}""", "sdgTargets[1]"),
        ["sdg-targets: target as a number"] = new("PUT", "/api/plans/{plan}/outcomes/G1.O1/sdg-targets",
            () => """{"sdgTargets":[13.2],"reason":"Realign"}""", "sdgTargets[0]"),
        ["sdg-targets: missing reason"] = new("PUT", "/api/plans/{plan}/outcomes/G1.O1/sdg-targets", () => """{"sdgTargets":["6.5"]}""", "reason"),
        ["sdg-targets: missing targets"] = new("PUT", "/api/plans/{plan}/outcomes/G1.O1/sdg-targets", () => """{"reason":"Realign"}""", "sdgTargets"),

        // POST /api/plans/{code}/commitments
        ["commitment: unknown outcome"] = new("POST", "/api/plans/{plan}/commitments", () => CommitmentDoc(c => c["outcome"] = "G9.O9"), "outcome"),
        ["commitment: unknown indicator"] = new("POST", "/api/plans/{plan}/commitments", () => CommitmentDoc(c => c["indicator"] = "G1.O1.I9"), "indicator"),
        ["commitment: indicator of another outcome"] = new("POST", "/api/plans/{plan}/commitments",
            () => CommitmentDoc(c => c["indicator"] = "G1.O2.I1"), "indicator"),
        ["commitment: country not a member"] = new("POST", "/api/plans/{plan}/commitments", () => CommitmentDoc(c => c["country"] = "LA"), "country"),
        ["commitment: country in lower case"] = new("POST", "/api/plans/{plan}/commitments", () => CommitmentDoc(c => c["country"] = "kh"), "country"),
        ["commitment: due after the plan ends"] = new("POST", "/api/plans/{plan}/commitments", () => CommitmentDoc(c => c["due"] = "2029-01-01"), "due"),
        ["commitment: due before the plan starts"] = new("POST", "/api/plans/{plan}/commitments", () => CommitmentDoc(c => c["due"] = "2023-12-31"), "due"),
        ["commitment: due not a date"] = new("POST", "/api/plans/{plan}/commitments", () => CommitmentDoc(c => c["due"] = "2026-02-30"), "due"),
        ["commitment: empty title"] = new("POST", "/api/plans/{plan}/commitments", () => CommitmentDoc(c => c["title"] = ""), "title"),
        ["commitment: blank title"] = new("POST", "/api/plans/{plan}/commitments", () => CommitmentDoc(c => c["title"] = "   "), "title"),
        ["commitment: title over 500 characters"] = new("POST", "/api/plans/{plan}/commitments", () => CommitmentDoc(c => c["title"] = TooLong), "title"),
        ["commitment: negative target for a count"] = new("POST", "/api/plans/{plan}/commitments", () => CommitmentDoc(c => c["target"] = -1), "target"),
        ["commitment: negative baseline for a count"] = new("POST", "/api/plans/{plan}/commitments", () => CommitmentDoc(c => c["baseline"] = -1), "baseline"),
        ["commitment: percent target over 100"] = new("POST", "/api/plans/{plan}/commitments",
            () => CommitmentDoc(c => { c["outcome"] = "G2.O1"; c["indicator"] = "G2.O1.I1"; c["target"] = 120; }), "target"),
        ["commitment: target NaN as a string"] = new("POST", "/api/plans/{plan}/commitments", () => CommitmentDoc(c => c["target"] = "NaN"), "target"),
        ["commitment: target 1e400"] = new("POST", "/api/plans/{plan}/commitments",
            () => CommitmentDoc(c => c["target"] = 4.5).Replace("\"target\":4.5", "\"target\":1e400"), "target"),
        ["commitment: unknown member"] = new("POST", "/api/plans/{plan}/commitments", () => CommitmentDoc(c => c["priority"] = "high"), "priority"),

        // POST /api/commitments/{id}/status
        ["status: unknown value"] = new("POST", "/api/commitments/{count}/status", () => """{"status":"done"}""", "status"),
        ["status: value in another case"] = new("POST", "/api/commitments/{count}/status", () => """{"status":"IN_PROGRESS"}""", "status"),
        ["status: integer value"] = new("POST", "/api/commitments/{count}/status", () => """{"status":1}""", "status"),
        ["status: missing"] = new("POST", "/api/commitments/{count}/status", () => """{"note":"Started"}""", "status"),
        ["status: note over 4000 characters"] = new("POST", "/api/commitments/{count}/status",
            () => $$"""{"status":"in-progress","note":"{{new string('n', 4001)}}"}""", "note"),
        ["status: unknown member"] = new("POST", "/api/commitments/{count}/status", () => """{"status":"in-progress","colour":"red"}""", "colour"),

        // POST /api/commitments/{id}/progress
        ["progress: negative count"] = new("POST", "/api/commitments/{count}/progress", () => """{"value":-1,"asOf":"2025-06-30"}""", "value"),
        ["progress: percent over 100"] = new("POST", "/api/commitments/{percent}/progress", () => """{"value":100.5,"asOf":"2025-06-30"}""", "value"),
        ["progress: NaN as a string"] = new("POST", "/api/commitments/{count}/progress", () => """{"value":"NaN","asOf":"2025-06-30"}""", "value"),
        ["progress: Infinity as a string"] = new("POST", "/api/commitments/{count}/progress", () => """{"value":"Infinity","asOf":"2025-06-30"}""", "value"),
        ["progress: 1e400"] = new("POST", "/api/commitments/{count}/progress", () => """{"value":1e400,"asOf":"2025-06-30"}""", "value"),
        ["progress: number as a string"] = new("POST", "/api/commitments/{count}/progress", () => """{"value":"2","asOf":"2025-06-30"}""", "value"),
        ["progress: NaN literal (not JSON)"] = new("POST", "/api/commitments/{count}/progress", () => """{"value":NaN,"asOf":"2025-06-30"}""", null),
        ["progress: asOf in the future"] = new("POST", "/api/commitments/{count}/progress", () => $$"""{"value":1,"asOf":"{{Future}}"}""", "asOf"),
        ["progress: asOf before the plan starts"] = new("POST", "/api/commitments/{count}/progress", () => """{"value":1,"asOf":"2023-06-30"}""", "asOf"),
        ["progress: asOf not a date"] = new("POST", "/api/commitments/{count}/progress", () => """{"value":1,"asOf":"30/06/2025"}""", "asOf"),
        ["progress: missing value"] = new("POST", "/api/commitments/{count}/progress", () => """{"asOf":"2025-06-30"}""", "value"),
        ["progress: missing asOf"] = new("POST", "/api/commitments/{count}/progress", () => """{"value":1}""", "asOf"),
        ["progress: evidence not an http URL"] = new("POST", "/api/commitments/{count}/progress",
            () => """{"value":1,"asOf":"2025-06-30","evidenceUrl":"javascript:alert(1)"}""", "evidenceUrl"),

        // PATCH /api/commitments/{id}
        ["revise: missing reason"] = new("PATCH", "/api/commitments/{count}", () => """{"target":5}""", "reason"),
        ["revise: empty title"] = new("PATCH", "/api/commitments/{count}", () => """{"title":"","reason":"Rename"}""", "title"),
        ["revise: title over 500 characters"] = new("PATCH", "/api/commitments/{count}", () => $$"""{"title":"{{TooLong}}","reason":"Rename"}""", "title"),
        ["revise: due outside the plan period"] = new("PATCH", "/api/commitments/{count}", () => """{"due":"2030-06-30","reason":"Delay"}""", "due"),
        ["revise: negative target for a count"] = new("PATCH", "/api/commitments/{count}", () => """{"target":-2,"reason":"Cut"}""", "target"),
        ["revise: percent target over 100"] = new("PATCH", "/api/commitments/{percent}", () => """{"target":101,"reason":"Raise"}""", "target"),
        ["revise: status is not a term"] = new("PATCH", "/api/commitments/{count}", () => """{"status":"completed","reason":"Done"}""", "status"),

        // POST /api/commitments/{id}/withdraw
        ["withdraw: missing reason"] = new("POST", "/api/commitments/{count}/withdraw", () => "{}", "reason"),
        ["withdraw: empty reason"] = new("POST", "/api/commitments/{count}/withdraw", () => """{"reason":""}""", "reason"),

        // the body as a whole
        ["body: not JSON"] = new("POST", "/api/commitments/{count}/status", () => "status=in-progress", "body"),
        ["body: truncated JSON"] = new("POST", "/api/commitments/{count}/status", () => """{"status":"in-prog""", null),
        ["body: an array"] = new("POST", "/api/commitments/{count}/status", () => "[]", "body"),
        ["body: a number"] = new("POST", "/api/commitments/{count}/status", () => "42", "body"),
        ["body: a string"] = new("POST", "/api/commitments/{count}/status", () => "\"in-progress\"", "body"),
        ["body: null"] = new("POST", "/api/commitments/{count}/status", () => "null", "body"),
        ["body: empty"] = new("POST", "/api/commitments/{count}/status", () => "", "body"),
        ["body: null for a plan"] = new("POST", "/api/plans", () => "null", "body"),
        ["body: an array for a commitment"] = new("POST", "/api/plans/{plan}/commitments", () => "[]", "body"),
        ["body: nested deeper than allowed"] = new("POST", "/api/plans/{plan}/goals",
            () => "{\"code\":\"G3\",\"title\":\"Energy\",\"description\":" + new string('[', 100) + new string(']', 100) + "}", null),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task A_bad_request_gets_a_problem_naming_the_field_and_appends_nothing(string name)
    {
        var c = Cases[name];
        await ShouldBeRefused(client => client.SendJson(new HttpMethod(c.Method), Url(c.Url), c.Body()), c.Status, c.Field);
    }

    [Fact]
    public async Task Every_missing_required_field_is_named()
    {
        var commitment = await ShouldBeRefused(client => client.PostJson($"/api/plans/{Plan}/commitments", "{}"), 400, "country");
        ShouldName(commitment, "country", "outcome", "title", "leadAgency", "due");

        var progress = await ShouldBeRefused(client => client.PostJson($"/api/commitments/{countCommitment}/progress", "{}"), 400, "value");
        ShouldName(progress, "value", "asOf");

        var plan = await ShouldBeRefused(client => client.PostJson("/api/plans", "{}"), 400, "code");
        ShouldName(plan, "code", "title", "period", "countries", "goals");
    }

    private static void ShouldName(JsonElement problem, params string[] fields)
    {
        var named = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var field in fields) named.ShouldContain(field, problem.ToString());
    }

    [Fact]
    public async Task A_finite_value_too_large_for_the_progress_arithmetic_never_gives_500()
    {
        // Target 0.5 on a count: (1e308 - 0) / (0.5 - 0) overflows a double, and so does the mean of two such values.
        var secretariat = api.Secretariat();
        var made = await secretariat.PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment("KH", target: 0.5));
        made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
        var id = (await made.Json()).GetProperty("id").GetGuid();

        foreach (var asOf in new[] { "2025-06-30", "2025-07-31" })
        {
            var before = await api.EventCount();
            var reported = await secretariat.PostJson($"/api/commitments/{id}/progress", $$"""{"value":1e308,"asOf":"{{asOf}}"}""");
            if (reported.StatusCode == HttpStatusCode.BadRequest)
            {
                await reported.ShouldBeProblem(400, "value");
                (await api.EventCount()).ShouldBe(before);
            }
            else reported.StatusCode.ShouldBe(HttpStatusCode.OK, await reported.Content.ReadAsStringAsync());
        }

        foreach (var url in new[] { $"/api/commitments/{id}", $"/api/plans/{Plan}/commitments", $"/api/plans/{Plan}/commitments?health=on-track" })
        {
            var read = await api.Reviewer().GetAsync(url);
            read.StatusCode.ShouldBe(HttpStatusCode.OK, await read.Content.ReadAsStringAsync());
        }
    }

    // ---- just inside the limits is accepted (so the refusals above are about the limit, not the request) ----------

    [Fact]
    public async Task Values_at_the_limits_are_accepted()
    {
        var secretariat = api.Secretariat();
        var title = new string('t', 500);
        var made = await secretariat.PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment("KH", title: title, due: "2028-12-31"));
        made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
        (await made.Json()).GetProperty("title").GetString().ShouldBe(title);

        var full = await secretariat.PostJson($"/api/commitments/{percentCommitment}/progress", new { value = 100, asOf = DateTime.UtcNow.ToString("yyyy-MM-dd") });
        full.StatusCode.ShouldBe(HttpStatusCode.OK, await full.Content.ReadAsStringAsync());

        var zero = await secretariat.PostJson($"/api/commitments/{countCommitment}/progress", new { value = 0, asOf = "2024-01-01" });
        zero.StatusCode.ShouldBe(HttpStatusCode.OK, await zero.Content.ReadAsStringAsync());

        var page = await secretariat.GetAsync($"/api/plans/{Plan}/commitments?pageSize=200&status=not-started&health=unknown");
        page.StatusCode.ShouldBe(HttpStatusCode.OK, await page.Content.ReadAsStringAsync());
    }

    // ---- body size ------------------------------------------------------------------------------------------------

    private const int MiB = 1024 * 1024;

    /// <summary>A commitment whose description pads the JSON to exactly <paramref name="bytes"/> bytes.</summary>
    private static string CommitmentOfSize(int bytes)
    {
        var template = CommitmentDoc(c => c["description"] = "");
        var json = template.Replace("\"description\":\"\"", "\"description\":\"" + new string('d', bytes - Encoding.UTF8.GetByteCount(template)) + "\"");
        Encoding.UTF8.GetByteCount(json).ShouldBe(bytes);
        return json;
    }

    [Fact]
    public async Task A_body_over_1_MiB_gets_413()
    {
        var problem = await ShouldBeRefused(client => client.PostJson($"/api/plans/{Plan}/commitments", CommitmentOfSize(MiB + 1)), 413, null);
        problem.GetProperty("status").GetInt32().ShouldBe(413);
    }

    [Fact]
    public async Task A_chunked_body_over_1_MiB_gets_413()
    {
        await ShouldBeRefused(async client =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/plans/{Plan}/commitments")
            {
                Content = new UnsizedContent(Encoding.UTF8.GetBytes(CommitmentOfSize(MiB + 1))),
            };
            return await client.SendAsync(request);
        }, 413, null);
    }

    [Fact]
    public async Task A_body_of_exactly_1_MiB_is_read_and_judged_on_its_content()
    {
        // Not 413: the body is within the limit, and it is refused for its 1 MiB description instead.
        await ShouldBeRefused(client => client.PostJson($"/api/plans/{Plan}/commitments", CommitmentOfSize(MiB)), 400, "description");
    }

    /// <summary>Content without a length, so the client sends it chunked.</summary>
    private sealed class UnsizedContent : HttpContent
    {
        private readonly byte[] bytes;
        public UnsizedContent(byte[] bytes)
        {
            this.bytes = bytes;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();
        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public async Task A_body_that_is_not_declared_as_JSON_is_refused()
    {
        await ShouldBeRefused(client => client.PostAsync($"/api/commitments/{countCommitment}/status",
            new StringContent("""{"status":"in-progress"}""", Encoding.UTF8, "text/plain")), 415, null);
    }

    // ---- headers and query strings ----------------------------------------------------------------------------------

    [Theory]
    [InlineData("3")]
    [InlineData("\"abc\"")]
    [InlineData("\"-1\"")]
    [InlineData("\"1")]
    public async Task A_malformed_If_Match_gets_400(string ifMatch)
    {
        await ShouldBeRefused(async client =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/commitments/{countCommitment}/status")
            {
                Content = new StringContent("""{"status":"in-progress"}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
            return await client.SendAsync(request);
        }, 400, "If-Match");
    }

    [Fact]
    public async Task If_Match_0_is_the_version_of_nothing_so_a_write_to_an_existing_commitment_gets_412()
    {
        // "0" is the ETag of a stream nothing was written to (an empty comment thread); a commitment is never at 0.
        await ShouldBeRefused(async client =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/commitments/{countCommitment}/status")
            {
                Content = new StringContent("""{"status":"in-progress"}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation("If-Match", "\"0\"");
            return await client.SendAsync(request);
        }, 412, null);
    }

    [Theory]
    [InlineData("/api/plans/{plan}/commitments?status=bogus", "status")]
    [InlineData("/api/plans/{plan}/commitments?health=bogus", "health")]
    [InlineData("/api/plans/{plan}/commitments?pageSize=201", "pageSize")]
    [InlineData("/api/plans/{plan}/commitments?pageSize=0", "pageSize")]
    [InlineData("/api/plans/{plan}/commitments?pageSize=ten", "pageSize")]
    [InlineData("/api/plans/{plan}/commitments?page=0", "page")]
    [InlineData("/api/plans/{plan}/commitments?overdue=yes", "overdue")]
    [InlineData("/api/plans/{plan}?asOf=yesterday", "asOf")]
    [InlineData("/api/commitments/{count}?asOf=not-an-instant", "asOf")]
    [InlineData("/api/sdg/targets?goal=18", "goal")]
    public async Task A_bad_query_value_gets_400_naming_the_parameter(string url, string field)
    {
        var response = await api.Reviewer().GetAsync(Url(url));
        await response.ShouldBeProblem(400, field);
    }

    // ---- unknown resources ------------------------------------------------------------------------------------------

    public static TheoryData<string, string, string> UnknownResources() => new()
    {
        { "GET", "/api/plans/NO-SUCH-PLAN", "" },
        { "GET", "/api/plans/NO-SUCH-PLAN/commitments", "" },
        { "POST", "/api/plans/NO-SUCH-PLAN/goals", """{"code":"G3","title":"Energy"}""" },
        { "POST", "/api/plans/NO-SUCH-PLAN/outcomes", """{"goal":"G1","code":"G1.O3","title":"Early warning","sdgTargets":["13.1"],"indicators":[]}""" },
        { "PUT", "/api/plans/NO-SUCH-PLAN/outcomes/G1.O1/sdg-targets", """{"sdgTargets":["13.2"],"reason":"Realign"}""" },
        { "PUT", "/api/plans/{plan}/outcomes/G9.O9/sdg-targets", """{"sdgTargets":["13.2"],"reason":"Realign"}""" },
        { "POST", "/api/plans/NO-SUCH-PLAN/commitments", """{"country":"KH","outcome":"G1.O1","title":"T","leadAgency":"MoE","due":"2026-12-31"}""" },
        { "GET", "/api/commitments/{missing}", "" },
        { "GET", "/api/commitments/{missing}/history", "" },
        { "POST", "/api/commitments/{missing}/status", """{"status":"in-progress"}""" },
        { "POST", "/api/commitments/{missing}/progress", """{"value":1,"asOf":"2025-06-30"}""" },
        { "PATCH", "/api/commitments/{missing}", """{"target":5,"reason":"More"}""" },
        { "POST", "/api/commitments/{missing}/withdraw", """{"reason":"Made in error"}""" },
        { "GET", "/api/commitments/not-a-guid", "" },
    };

    [Theory]
    [MemberData(nameof(UnknownResources))]
    public async Task An_unknown_plan_outcome_or_commitment_gets_404(string method, string url, string body)
    {
        var target = Url(url).Replace("{missing}", Guid.NewGuid().ToString());
        await ShouldBeRefused(client => method == "GET"
            ? client.GetAsync(target)
            : client.SendJson(new HttpMethod(method), target, body), 404, null);
    }
}
