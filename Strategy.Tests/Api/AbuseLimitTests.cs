using System.Net;
using System.Text;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Strategy.Api.Features.Commitments;

namespace Strategy.Tests.Api;

/// <summary>
/// Request header limits (431 as a problem document), the security headers on every kind of response, and error
/// bodies that never show an exception, a stack trace or SQL. Rate limits are in <see cref="RateLimitTests"/>.
/// </summary>
public sealed class AbuseLimitTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const int KiB = 1024;

    private static HttpRequestMessage Get(string url, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    // ---- header limits ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task Headers_over_32_KiB_get_431_as_a_problem_and_append_nothing()
    {
        var reviewer = api.Reviewer();
        var read = await reviewer.SendAsync(Get("/api/plans", ("X-Padding", new string('p', 33 * KiB))));
        var problem = await read.ShouldBeProblem(431);
        problem.GetProperty("type").GetString().ShouldBe("https://www.rfc-editor.org/rfc/rfc6585#section-5");
        ShouldHaveSecurityHeaders(read, "/api/plans");

        // A write, too, and a huge token: refused before authentication reads it.
        var before = await api.EventCount();
        var write = new HttpRequestMessage(HttpMethod.Post, "/api/plans") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        write.Headers.TryAddWithoutValidation("Cookie", new string('c', 40 * KiB));
        await (await api.Secretariat().SendAsync(write)).ShouldBeProblem(431);
        await (await api.CreateClient().SendAsync(Get("/api/plans", ("Authorization", "Bearer " + new string('a', 40 * KiB))))).ShouldBeProblem(431);
        (await api.EventCount()).ShouldBe(before);
    }

    [Fact]
    public async Task More_than_100_headers_get_431()
    {
        var request = Get("/api/plans", [.. Enumerable.Range(0, 101).Select(i => ($"X-Header-{i}", "v"))]);
        await (await api.Reviewer().SendAsync(request)).ShouldBeProblem(431);
    }

    [Fact]
    public async Task Headers_within_the_limits_are_accepted()
    {
        // 90 headers and about 30 KiB in all, with the token and the test host's own.
        var request = Get("/api/plans", [.. Enumerable.Range(0, 90).Select(i => ($"X-Header-{i}", new string('v', 300)))]);
        var response = await api.Reviewer().SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    // ---- security headers on every kind of response ---------------------------------------------------------------

    private static void ShouldHaveSecurityHeaders(HttpResponseMessage response, string path)
    {
        string Header(string name) => response.Headers.TryGetValues(name, out var v) ? string.Join(",", v) : "";
        Header("X-Content-Type-Options").ShouldBe("nosniff");
        Header("X-Frame-Options").ShouldBe("DENY");
        Header("Referrer-Policy").ShouldBe("no-referrer");
        Header("Cross-Origin-Opener-Policy").ShouldBe("same-origin");
        Header("Content-Security-Policy").ShouldContain("default-src 'none'");
        if (path.StartsWith("/api", StringComparison.Ordinal)) response.Headers.CacheControl.ShouldNotBeNull(path).NoStore.ShouldBe(true);
    }

    public static TheoryData<string, string, string, string?, int> Responses() => new()
    {
        { "read", "GET", "/api/sdg/goals", null, 200 },
        { "health", "GET", "/health/live", null, 200 },
        { "OpenAPI document", "GET", "/openapi/v1.json", null, 200 },
        { "bad query", "GET", "/api/sdg/targets?goal=99", null, 400 },
        { "bad body", "POST", "/api/plans", "{", 400 },
        { "no token", "GET", "/api/plans", null, 401 },
        { "role may not", "POST", "/api/plans", "{}", 403 },
        { "unknown plan", "GET", "/api/plans/NO-SUCH-PLAN", null, 404 },
        { "no such route", "GET", "/api/nothing-here", null, 404 },
        { "no such page", "GET", "/nothing-here", null, 404 },
        { "method not allowed", "DELETE", "/api/plans", null, 405 },
        { "body too large", "POST", "/api/plans", "{\"title\":\"" + new string('x', 1024 * 1024) + "\"}", 413 },
        { "not JSON", "PUT", "/api/plans/P/outcomes/O/sdg-targets", "text", 415 },
        { "headers too large", "GET", "/api/plans", "HEADERS", 431 },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public async Task Every_kind_of_response_carries_the_security_headers(string what, string method, string path, string? body, int status)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body == "HEADERS") request.Headers.TryAddWithoutValidation("X-Padding", new string('p', 40 * KiB));
        else if (body == "text") request.Content = new StringContent("{}", Encoding.UTF8, "text/plain");
        else if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        var client = what == "no token" ? api.CreateClient() : api.Reviewer();

        var response = await client.SendAsync(request);

        ((int)response.StatusCode).ShouldBe(status, what);
        ShouldHaveSecurityHeaders(response, path);
        if (status >= 400) await response.ShouldBeProblem(status);
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/xml")]
    [InlineData("image/png, text/plain;q=0.5")]
    public async Task An_error_is_a_problem_document_whatever_the_client_accepts(string accept)
    {
        await (await api.Reviewer().SendAsync(Get("/api/plans/NO-SUCH-PLAN", ("Accept", accept)))).ShouldBeProblem(404);
        await (await api.CreateClient().SendAsync(Get("/api/plans", ("Accept", accept)))).ShouldBeProblem(401);
        var write = new HttpRequestMessage(HttpMethod.Post, "/api/plans") { Content = new StringContent("{\"extra\":1}", Encoding.UTF8, "application/json") };
        write.Headers.TryAddWithoutValidation("Accept", accept);
        await (await api.Secretariat().SendAsync(write)).ShouldBeProblem(400);
    }

    // ---- no internals in an error -------------------------------------------------------------------------------------

    /// <summary>What a failure deep inside could carry: an exception type, SQL, a stack frame, a file and line.</summary>
    private const string Internals = "relation \"strategy.mt_events\" does not exist: select data from strategy.mt_events where id = $1\n" +
        "   at Strategy.Infrastructure.Secret.Query() in /src/Secret.cs:line 42";

    private static readonly string[] Leaks =
        ["Exception", "mt_events", "select ", "Strategy.Infrastructure", "Secret", "line 42", "42P01", "   at ", "Npgsql"];

    /// <summary>A host where reading a commitment fails inside the request pipeline, the way a bug or the database would.</summary>
    private sealed class FailingApiFactory(string environment, Exception failure) : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment(environment);
            builder.ConfigureTestServices(s => s.AddScoped<IValidator<GetCommitment>>(_ => new FailingValidator(failure)));
        }
    }

    private sealed class FailingValidator(Exception failure) : AbstractValidator<GetCommitment>
    {
        public override Task<ValidationResult> ValidateAsync(ValidationContext<GetCommitment> context, CancellationToken cancellation = default) =>
            throw failure;
    }

    public static TheoryData<string, string, int> Failures() => new()
    {
        { "Development", "bug", 500 },
        { "Production", "bug", 500 },
        { "Development", "database", 500 },
        { "Production", "database", 500 },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task A_failure_answers_with_a_trace_id_and_never_the_exception_stack_or_SQL(string environment, string kind, int status)
    {
        Exception failure = kind == "bug"
            ? new InvalidOperationException(Internals)
            : new PostgresException("relation \"strategy.mt_events\" does not exist", "ERROR", "ERROR", "42P01", detail: Internals);
        var failing = new FailingApiFactory(environment, failure);
        try
        {
            var response = await failing.Reviewer().GetAsync($"/api/commitments/{Guid.NewGuid()}");

            var body = await response.Content.ReadAsStringAsync();
            var problem = await response.ShouldBeProblem(status);
            problem.GetProperty("traceId").GetString().ShouldNotBeNullOrEmpty();
            foreach (var leak in Leaks) body.ShouldNotContain(leak, Case.Sensitive, $"{environment} {kind}: {body}");
            ShouldHaveSecurityHeaders(response, "/api");
        }
        finally
        {
            await failing.DisposeAsync();
        }
    }
}
