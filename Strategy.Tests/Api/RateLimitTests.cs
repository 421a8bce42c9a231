using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Strategy.Api.Http;

namespace Strategy.Tests.Api;

/// <summary>The API with low rate limits, so a test can reach them: 5 writes, 2 report requests and 12 reads per caller and minute.</summary>
public sealed class LowRateLimitFactory : ApiFactory
{
    public const int Writes = 5;
    public const int Reports = 2;
    public const int Reads = 12;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("RateLimits:WritesPerMinute", Writes.ToString());
        builder.UseSetting("RateLimits:ReportsPerMinute", Reports.ToString());
        builder.UseSetting("RateLimits:ReadsPerMinute", Reads.ToString());
    }
}

/// <summary>
/// Per-caller limits on writes and on report requests: the write after the limit gets 429 with Retry-After and a
/// problem document and records nothing; other callers and reads are unaffected. Each test acts as callers of its
/// own (a fresh token subject), so the one-minute windows of different tests never meet.
/// </summary>
public sealed class RateLimitTests(LowRateLimitFactory api) : IClassFixture<LowRateLimitFactory>, IAsyncLifetime
{
    private readonly string Plan = "RATE-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string run = Guid.NewGuid().ToString("N")[..8];
    private Guid commitment;

    private HttpClient Secretariat(string who) => api.As("secretariat", sub: $"sec-{who}-{run}");
    private HttpClient FocalPointKH(string who) => api.As("focal-point", "KH", sub: $"fp-kh-{who}-{run}");

    public async Task InitializeAsync()
    {
        var setup = Secretariat("setup");
        var plan = await setup.PostJson("/api/plans", TestPlan.Document(Plan));
        plan.StatusCode.ShouldBe(HttpStatusCode.Created, await plan.Content.ReadAsStringAsync());
        var made = await setup.PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment("KH"));
        made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
        commitment = (await made.Json()).GetProperty("id").GetGuid();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<HttpResponseMessage> Progress(HttpClient client, int day) =>
        client.PostJson($"/api/commitments/{commitment}/progress", new { value = day, asOf = $"2025-03-{day:00}" });

    /// <summary>A 429 as API.md wants it: a problem document, Retry-After in whole seconds within the window, the usual headers.</summary>
    private static async Task ShouldBeRateLimited(HttpResponseMessage response)
    {
        var problem = await response.ShouldBeProblem(429);
        problem.GetProperty("type").GetString().ShouldBe("https://www.rfc-editor.org/rfc/rfc6585#section-4");
        response.Headers.TryGetValues("Retry-After", out var retry).ShouldBeTrue();
        int.Parse(retry!.Single()).ShouldBeInRange(1, 60);
        response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        response.Headers.CacheControl.ShouldNotBeNull().NoStore.ShouldBeTrue();
    }

    [Fact]
    public async Task The_write_after_the_limit_gets_429_with_Retry_After_and_appends_nothing()
    {
        var writer = Secretariat("writer");
        for (var day = 1; day <= LowRateLimitFactory.Writes; day++)
        {
            var accepted = await Progress(writer, day);
            accepted.StatusCode.ShouldBe(HttpStatusCode.OK, await accepted.Content.ReadAsStringAsync());
        }
        var before = await api.EventCount();

        await ShouldBeRateLimited(await Progress(writer, 20));
        // Refused before the body is read: a malformed write and an idempotent retry are refused the same way.
        await ShouldBeRateLimited(await writer.PostJson($"/api/commitments/{commitment}/status", "{not json"));
        await ShouldBeRateLimited(await writer.PostJson($"/api/commitments/{commitment}/status", new { status = "in-progress" }, idempotencyKey: "rate-1"));

        (await api.EventCount()).ShouldBe(before);
        var history = await (await api.Reviewer().GetAsync($"/api/commitments/{commitment}/history")).Json();
        history.ToString().ShouldNotContain("2025-03-20");
    }

    [Fact]
    public async Task Another_caller_is_not_affected_and_a_caller_out_of_writes_still_reads()
    {
        var busy = Secretariat("busy");
        for (var day = 1; day <= LowRateLimitFactory.Writes; day++) (await Progress(busy, day)).EnsureSuccessStatusCode();
        await ShouldBeRateLimited(await Progress(busy, 21));

        // The same role, another subject; and a focal point.
        (await Progress(Secretariat("other"), 22)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Progress(FocalPointKH("ministry"), 23)).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The limited caller still reads: reads have a limit of their own.
        for (var i = 0; i < LowRateLimitFactory.Reads; i++)
        {
            var read = await busy.GetAsync(i % 2 == 0 ? $"/api/commitments/{commitment}" : $"/api/plans/{Plan}/commitments");
            read.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task Reads_have_their_own_limit_and_each_counted_response_says_what_remains_and_until_when()
    {
        var reader = Secretariat("reader");
        var remaining = new List<int>();
        // Windows are whole minutes of the clock: one may end during the loop and restart the count, once at most.
        while (remaining.Count < 2 * LowRateLimitFactory.Reads && remaining.LastOrDefault(-1) != 0)
        {
            var read = await reader.GetAsync($"/api/commitments/{commitment}");
            read.StatusCode.ShouldBe(HttpStatusCode.OK);
            read.Headers.GetValues(RateLimits.PolicyHeader).Single().ShouldBe($"\"reads\";q={LowRateLimitFactory.Reads};w=60");
            var (r, t) = State(read, "reads");
            t.ShouldBeInRange(1, 60);
            remaining.Add(r);
        }
        remaining[0].ShouldBe(LowRateLimitFactory.Reads - 1);
        remaining.Last().ShouldBe(0);

        var refused = await reader.GetAsync($"/api/commitments/{commitment}");
        await ShouldBeRateLimited(refused);
        var (left, reset) = State(refused, "reads");
        left.ShouldBe(0);
        int.Parse(refused.Headers.GetValues("Retry-After").Single()).ShouldBe(reset);

        // Writes are counted apart, and say so.
        var wrote = await Progress(reader, 25);
        wrote.StatusCode.ShouldBe(HttpStatusCode.OK);
        wrote.Headers.GetValues(RateLimits.PolicyHeader).Single().ShouldBe($"\"writes\";q={LowRateLimitFactory.Writes};w=60");
        State(wrote, "writes").Remaining.ShouldBe(LowRateLimitFactory.Writes - 1);
    }

    /// <summary>The IETF RateLimit field: "policy";r=remaining;t=seconds until the window ends.</summary>
    private static (int Remaining, int Reset) State(HttpResponseMessage response, string policy)
    {
        var match = System.Text.RegularExpressions.Regex.Match(response.Headers.GetValues(RateLimits.StateHeader).Single(), $"^\"{policy}\";r=(\\d+);t=(\\d+)$");
        match.Success.ShouldBeTrue(response.Headers.GetValues(RateLimits.StateHeader).Single());
        return (int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value));
    }

    [Fact]
    public async Task Report_requests_have_their_own_lower_limit()
    {
        var requester = Secretariat("reports");
        for (var i = 0; i < LowRateLimitFactory.Reports; i++)
        {
            var accepted = await requester.PostJson("/api/reports", new { kind = "progress", plan = Plan });
            accepted.StatusCode.ShouldBe(HttpStatusCode.Accepted, await accepted.Content.ReadAsStringAsync());
        }

        await ShouldBeRateLimited(await requester.PostJson("/api/reports", new { kind = "sdg-alignment", plan = Plan }));

        // Only the two accepted requests were recorded (the jobs append their own events meanwhile, so count reports).
        var reports = await (await requester.GetAsync($"/api/reports?plan={Plan}")).Json();
        reports.GetArrayLength().ShouldBe(LowRateLimitFactory.Reports);
        reports.EnumerateArray().Select(r => r.GetProperty("kind").GetString()).ShouldAllBe(k => k == "progress");

        // The writes limit is separate: the same caller still writes.
        (await Progress(requester, 24)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Requests_without_a_valid_token_are_limited_by_client_address()
    {
        var anonymous = api.CreateClient();
        for (var i = 0; i < LowRateLimitFactory.Writes; i++)
            await (await anonymous.PostJson($"/api/commitments/{commitment}/status", new { status = "in-progress" })).ShouldBeProblem(401);

        await ShouldBeRateLimited(await anonymous.PostJson($"/api/commitments/{commitment}/status", new { status = "in-progress" }));
        // Reads have a limit of their own, so an anonymous read is still told to authenticate.
        await (await anonymous.GetAsync($"/api/plans/{Plan}")).ShouldBeProblem(401);
    }

    [Theory]
    [InlineData("POST", "/api/reports", RateLimits.ReportsPolicy)]
    [InlineData("POST", "/API/Reports/", RateLimits.ReportsPolicy)]
    [InlineData("POST", "/api/reports/0197a000-0000-7000-8000-000000000001", RateLimits.WritesPolicy)]
    [InlineData("POST", "/api/plans", RateLimits.WritesPolicy)]
    [InlineData("PUT", "/api/plans/P/outcomes/O/sdg-targets", RateLimits.WritesPolicy)]
    [InlineData("PATCH", "/api/commitments/x", RateLimits.WritesPolicy)]
    [InlineData("DELETE", "/api/plans/P", RateLimits.WritesPolicy)]
    [InlineData("GET", "/api/audit/export", RateLimits.ExportsPolicy)]
    [InlineData("GET", "/API/Audit/Export/", RateLimits.ExportsPolicy)]
    [InlineData("GET", "/api/audit", RateLimits.ReadsPolicy)]
    [InlineData("GET", "/api/audit/exports", RateLimits.ReadsPolicy)]
    [InlineData("GET", "/api/plans", RateLimits.ReadsPolicy)]
    [InlineData("GET", "/api/reports", RateLimits.ReadsPolicy)]
    [InlineData("HEAD", "/api/plans", RateLimits.ReadsPolicy)]
    [InlineData("OPTIONS", "/api/plans", null)]
    [InlineData("GET", "/openapi/v1.json", null)]
    [InlineData("POST", "/hangfire/jobs", RateLimits.WritesPolicy)]
    [InlineData("POST", "/apis", RateLimits.WritesPolicy)]
    [InlineData("POST", "/commitments/0197a000-0000-7000-8000-000000000001", RateLimits.WritesPolicy)]
    [InlineData("GET", "/commitments/0197a000-0000-7000-8000-000000000001", null)]
    [InlineData("GET", "/apis", null)]
    public void Writes_report_requests_and_exports_are_told_apart_by_method_and_path(string method, string path, string? policy)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        http.Request.Path = path;
        RateLimits.Policy(http.Request).ShouldBe(policy);
    }
}
