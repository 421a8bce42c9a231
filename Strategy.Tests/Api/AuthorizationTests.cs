using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Strategy.Api.Auth;

namespace Strategy.Tests.Api;

/// <summary>
/// API.md's role table, endpoint by endpoint and role by role, and the 401s for tokens the API must not trust.
/// Each test gets its own plan with one KH commitment (made by the secretariat) to act on.
/// </summary>
public sealed class AuthorizationTests(ApiFactory api) : IClassFixture<ApiFactory>, IAsyncLifetime
{
    private readonly string Plan = "AUTH-" + Guid.NewGuid().ToString("N")[..8];
    private Guid commitment;

    public async Task InitializeAsync()
    {
        var secretariat = api.Secretariat();
        var plan = await secretariat.PostJson("/api/plans", TestPlan.Document(Plan));
        plan.StatusCode.ShouldBe(HttpStatusCode.Created, await plan.Content.ReadAsStringAsync());
        var made = await secretariat.PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment("KH"));
        made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
        commitment = (await made.Json()).GetProperty("id").GetGuid();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    // ---- who may write what -------------------------------------------------------------------------------------

    private static readonly string[] Roles = ["secretariat", "admin", "reviewer", "focal-point KH", "focal-point TH"];

    /// <summary>API.md's table, one line per write, one column per role (in the order of <see cref="Roles"/>).</summary>
    public static TheoryData<string, string, int> WriteMatrix()
    {
        var data = new TheoryData<string, string, int>();
        void Row(string endpoint, params int[] expected)
        {
            for (var i = 0; i < Roles.Length; i++) data.Add(endpoint, Roles[i], expected[i]);
        }
        //                                                   secretariat admin reviewer fp-KH fp-TH
        Row("POST /api/plans",                                   201,    201,   403,    403,  403);
        Row("POST /api/plans/{code}/goals",                      201,    201,   403,    403,  403);
        Row("POST /api/plans/{code}/outcomes",                   201,    201,   403,    403,  403);
        Row("PUT /api/plans/{code}/outcomes/{outcome}/sdg-targets", 200, 200,   403,    403,  403);
        Row("POST /api/plans/{code}/commitments",                201,    201,   403,    201,  403);
        Row("POST /api/commitments/{id}/status",                 200,    200,   403,    200,  403);
        Row("POST /api/commitments/{id}/progress",               200,    200,   403,    200,  403);
        Row("PATCH /api/commitments/{id}",                       200,    200,   403,    200,  403);
        Row("POST /api/commitments/{id}/withdraw",               200,    200,   403,    403,  403);
        // The reporting cycle. The value is one that KH's focal point submitted, so it may retract it; the secretariat voids it.
        Row("POST /api/commitments/{id}/values/{valueId}/accept", 200,   200,   403,    403,  403);
        Row("POST /api/commitments/{id}/values/{valueId}/return", 200,   200,   403,    403,  403);
        Row("POST /api/commitments/{id}/values/{valueId}/retract", 200,  200,   403,    200,  403);
        Row("POST /api/commitments/{id}/comments",               201,    201,   403,    201,  403);
        Row("POST /api/commitments/{id}/restore",                200,    200,   403,    403,  403);
        Row("POST /api/commitments/{id}/evidence",               201,    201,   403,    201,  403);
        Row("POST /api/plans/{code}/rounds",                     201,    201,   403,    403,  403);
        Row("PATCH /api/rounds/{id}",                            200,    200,   403,    403,  403);
        Row("POST /api/rounds/{id}/close",                       200,    200,   403,    403,  403);
        return data;
    }

    private HttpClient Caller(string role) => role switch
    {
        "secretariat" => api.Secretariat(),
        "admin" => api.As("admin", sub: "adm-1", name: "Operations Admin"),
        "reviewer" => api.Reviewer(),
        "focal-point KH" => api.FocalPoint("KH"),
        "focal-point TH" => api.FocalPoint("TH"),
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    /// <summary>
    /// A valid request for each write: the commitment is KH's, a new commitment is for KH. Writes that need a target
    /// of their own (a submitted value, a withdrawn commitment, an open round) get a fresh one, made here by the
    /// secretariat or KH's focal point before the events are counted. The body is an object sent as JSON, or the
    /// content itself (a multipart upload).
    /// </summary>
    private async Task<(HttpMethod Method, string Url, object Body)> Request(string endpoint) => endpoint switch
    {
        "POST /api/plans" => (HttpMethod.Post, "/api/plans", TestPlan.Document("AUTH-NEW-" + Guid.NewGuid().ToString("N")[..8])),
        "POST /api/plans/{code}/goals" => (HttpMethod.Post, $"/api/plans/{Plan}/goals", new { code = "G3", title = "Energy" }),
        "POST /api/plans/{code}/outcomes" => (HttpMethod.Post, $"/api/plans/{Plan}/outcomes", new
        {
            goal = "G1", code = "G1.O3", title = "Early warning", sdgTargets = new[] { "13.1" },
            indicators = new[] { new { code = "G1.O3.I1", title = "Systems in place", unit = "count", baseline = 0.0, target = 6.0 } },
        }),
        "PUT /api/plans/{code}/outcomes/{outcome}/sdg-targets" =>
            (HttpMethod.Put, $"/api/plans/{Plan}/outcomes/G1.O1/sdg-targets", new { sdgTargets = new[] { "13.2", "13.3" }, reason = "Capacity building too" }),
        "POST /api/plans/{code}/commitments" => (HttpMethod.Post, $"/api/plans/{Plan}/commitments", TestPlan.Commitment("KH")),
        "POST /api/commitments/{id}/status" => (HttpMethod.Post, $"/api/commitments/{commitment}/status", new { status = "in-progress" }),
        "POST /api/commitments/{id}/progress" => (HttpMethod.Post, $"/api/commitments/{commitment}/progress", new { value = 2, asOf = "2025-06-30" }),
        "PATCH /api/commitments/{id}" => (HttpMethod.Patch, $"/api/commitments/{commitment}", new { target = 5.0, reason = "Budget increased" }),
        "POST /api/commitments/{id}/withdraw" => (HttpMethod.Post, $"/api/commitments/{commitment}/withdraw", new { reason = "Made in error" }),
        "POST /api/commitments/{id}/values/{valueId}/accept" =>
            (HttpMethod.Post, $"/api/commitments/{commitment}/values/{await SubmittedValue(api.FocalPoint("KH"))}/accept", new { note = "Matches the minutes" }),
        "POST /api/commitments/{id}/values/{valueId}/return" =>
            (HttpMethod.Post, $"/api/commitments/{commitment}/values/{await SubmittedValue(api.FocalPoint("KH"))}/return", new { comment = "The minutes list three provinces." }),
        "POST /api/commitments/{id}/values/{valueId}/retract" =>
            (HttpMethod.Post, $"/api/commitments/{commitment}/values/{await SubmittedValue(api.FocalPoint("KH"))}/retract", new { reason = "Entered the wrong figure" }),
        "POST /api/commitments/{id}/comments" => (HttpMethod.Post, $"/api/commitments/{commitment}/comments", new { text = "Please attach the minutes." }),
        "POST /api/commitments/{id}/restore" => (HttpMethod.Post, $"/api/commitments/{await Withdrawn()}/restore", new { reason = "Withdrawn in error" }),
        "POST /api/commitments/{id}/evidence" => (HttpMethod.Post, $"/api/commitments/{commitment}/evidence",
            EvidenceTests.Form(System.Text.Encoding.UTF8.GetBytes($"Minutes {Guid.NewGuid()}\n"), "minutes.txt")),
        "POST /api/plans/{code}/rounds" => (HttpMethod.Post, $"/api/plans/{Plan}/rounds", NewRound()),
        "PATCH /api/rounds/{id}" => (HttpMethod.Patch, $"/api/rounds/{await OpenRound()}", new { deadline = "2025-07-31", reason = "Floods delayed the returns" }),
        "POST /api/rounds/{id}/close" => (HttpMethod.Post, $"/api/rounds/{await OpenRound()}/close", new { note = "Quarter closed" }),
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, null),
    };

    /// <summary>A value the caller submits to the commitment now (a focal point's stays submitted), by its id.</summary>
    private async Task<Guid> SubmittedValue(HttpClient by)
    {
        var before = await ValueIds();
        var submitted = await by.PostJson($"/api/commitments/{commitment}/progress", new { value = 2, asOf = "2025-06-30" });
        submitted.StatusCode.ShouldBe(HttpStatusCode.OK, await submitted.Content.ReadAsStringAsync());
        return (await ValueIds()).Except(before).ShouldHaveSingleItem();
    }

    private async Task<List<Guid>> ValueIds()
    {
        var values = await api.Reviewer().GetAsync($"/api/commitments/{commitment}/values");
        values.StatusCode.ShouldBe(HttpStatusCode.OK, await values.Content.ReadAsStringAsync());
        return [.. (await values.Json()).EnumerateArray().Select(v => v.GetProperty("id").GetGuid())];
    }

    /// <summary>A new KH commitment, withdrawn by the secretariat.</summary>
    private async Task<Guid> Withdrawn()
    {
        var secretariat = api.Secretariat();
        var made = await secretariat.PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment("KH"));
        made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
        var id = (await made.Json()).GetProperty("id").GetGuid();
        var withdrawn = await secretariat.PostJson($"/api/commitments/{id}/withdraw", new { reason = "Made in error" });
        withdrawn.StatusCode.ShouldBe(HttpStatusCode.OK, await withdrawn.Content.ReadAsStringAsync());
        return id;
    }

    /// <summary>A round of the second quarter of 2025 under a code no other round of the plan has.</summary>
    private static object NewRound() =>
        new { code = "2025-Q2-" + Guid.NewGuid().ToString("N")[..8], title = "Second quarter", periodStart = "2025-04-01", periodEnd = "2025-06-30", deadline = "2025-07-15" };

    /// <summary>A new round, opened by the secretariat, by its id.</summary>
    private async Task<Guid> OpenRound()
    {
        var opened = await api.Secretariat().PostJson($"/api/plans/{Plan}/rounds", NewRound());
        opened.StatusCode.ShouldBe(HttpStatusCode.Created, await opened.Content.ReadAsStringAsync());
        return (await opened.Json()).GetProperty("id").GetGuid();
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string url, object body) =>
        body is HttpContent content ? client.SendAsync(new HttpRequestMessage(method, url) { Content = content }) : client.SendJson(method, url, body);

    [Theory]
    [MemberData(nameof(WriteMatrix))]
    public async Task Each_role_may_write_only_what_the_role_table_allows(string endpoint, string role, int expected)
    {
        var (method, url, body) = await Request(endpoint);
        var before = await api.EventCount();

        var response = await Send(Caller(role), method, url, body);

        if (expected == 403)
        {
            await response.ShouldBeProblem(403);
            (await api.EventCount()).ShouldBe(before);
        }
        else
        {
            ((int)response.StatusCode).ShouldBe(expected, await response.Content.ReadAsStringAsync());
            (await api.EventCount()).ShouldBeGreaterThan(before);
            response.Headers.ETag.ShouldNotBeNull();
        }
    }

    [Fact]
    public async Task Another_focal_point_of_the_same_country_may_not_retract_a_value_it_did_not_submit()
    {
        var value = await SubmittedValue(api.FocalPoint("KH"));
        var colleague = api.As("focal-point", "KH", sub: "fp-kh-2", name: "Ministry of Planning KH");
        var before = await api.EventCount();

        await (await colleague.PostJson($"/api/commitments/{commitment}/values/{value}/retract", new { reason = "Not ours" })).ShouldBeProblem(403);

        (await api.EventCount()).ShouldBe(before);
        var values = await (await api.Reviewer().GetAsync($"/api/commitments/{commitment}/values")).Json();
        values.EnumerateArray().Single(v => v.GetProperty("id").GetGuid() == value).GetProperty("state").GetString().ShouldBe("submitted");
        // The same colleague may still write what any KH focal point may: a comment about the value.
        (await colleague.PostJson($"/api/commitments/{commitment}/comments", new { text = "Who entered this?", value })).StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_focal_point_refused_for_KH_may_act_for_its_own_country()
    {
        var th = api.FocalPoint("TH");
        var made = await th.PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment("TH"));
        made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
        var id = (await made.Json()).GetProperty("id").GetGuid();

        var started = await th.PostJson($"/api/commitments/{id}/status", new { status = "in-progress" });
        started.StatusCode.ShouldBe(HttpStatusCode.OK, await started.Content.ReadAsStringAsync());

        // ...and the KH focal point is the one refused on TH's commitment.
        var before = await api.EventCount();
        await (await api.FocalPoint("KH").PostJson($"/api/commitments/{id}/progress", new { value = 1, asOf = "2025-06-30" })).ShouldBeProblem(403);
        (await api.EventCount()).ShouldBe(before);
    }

    [Fact]
    public async Task A_refused_write_leaves_the_commitment_as_it_was()
    {
        var before = await (await api.Reviewer().GetAsync($"/api/commitments/{commitment}")).Json();

        await (await api.FocalPoint("TH").PostJson($"/api/commitments/{commitment}/status", new { status = "cancelled" })).ShouldBeProblem(403);
        await (await api.Reviewer().SendJson(HttpMethod.Patch, $"/api/commitments/{commitment}", new { title = "Hijacked", reason = "x" })).ShouldBeProblem(403);

        var after = await (await api.Reviewer().GetAsync($"/api/commitments/{commitment}")).Json();
        after.GetProperty("status").GetString().ShouldBe("not-started");
        after.GetProperty("title").GetString().ShouldBe(before.GetProperty("title").GetString());
        after.GetProperty("version").GetInt64().ShouldBe(before.GetProperty("version").GetInt64());
    }

    // ---- tokens the API must not trust --------------------------------------------------------------------------

    private static readonly AuthSettings Trusted = new() { SigningKey = ApiFactory.SigningKey };

    private static string Sign(AuthSettings settings, IEnumerable<Claim> claims, DateTimeOffset? now = null, TimeSpan? lifetime = null)
    {
        var at = now ?? DateTimeOffset.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = at.UtcDateTime,
            NotBefore = at.UtcDateTime,
            Expires = at.Add(lifetime ?? TimeSpan.FromHours(1)).UtcDateTime,
            SigningCredentials = settings.Key is { } key ? new SigningCredentials(key, SecurityAlgorithms.HmacSha256) : null,
        });
    }

    private static Claim[] SecretariatClaims => [new("sub", "sec-1"), new("name", "Secretariat Officer"), new("role", "secretariat")];

    public static TheoryData<string> UntrustedTokens() =>
    [
        "none", "garbage", "signed by another key", "unsigned", "tampered payload", "expired", "wrong issuer", "wrong audience",
        "alg none, hand-made", "alg None", "alg none with a genuine signature", "HS256 with no signature", "not yet valid", "no expiry",
    ];

    /// <summary>Null means no Authorization header at all.</summary>
    private string? UntrustedToken(string kind) => kind switch
    {
        "none" => null,
        "garbage" => "not-a-jwt-at-all",
        "signed by another key" => Sign(new AuthSettings { SigningKey = "some-other-signing-key-0123456789abcdef" }, SecretariatClaims),
        "unsigned" => Sign(new AuthSettings(), SecretariatClaims),
        "tampered payload" => Tamper(api.Token("focal-point", "KH")),
        "expired" => TokenCommand.Issue(Trusted, "sec-1", "Secretariat Officer", "secretariat", null, TimeSpan.FromHours(1), DateTimeOffset.UtcNow.AddHours(-2)),
        "wrong issuer" => Sign(new AuthSettings { SigningKey = ApiFactory.SigningKey, Issuer = "someone-else" }, SecretariatClaims),
        "wrong audience" => Sign(new AuthSettings { SigningKey = ApiFactory.SigningKey, Audience = "another-api" }, SecretariatClaims),
        "alg none, hand-made" => HandMade("none", ""),
        "alg None" => HandMade("None", ""),
        "alg none with a genuine signature" => HandMade("none", api.Token("secretariat").Split('.')[2]),
        "HS256 with no signature" => HandMade("HS256", ""),
        // Valid from an hour from now (nbf), well beyond the 30 s of clock skew allowed.
        "not yet valid" => Sign(Trusted, SecretariatClaims, now: DateTimeOffset.UtcNow.AddHours(1)),
        "no expiry" => new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Trusted.Issuer, Audience = Trusted.Audience, Subject = new ClaimsIdentity(SecretariatClaims),
            SigningCredentials = new SigningCredentials(Trusted.Key, SecurityAlgorithms.HmacSha256),
        }),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>A token written by hand: a secretariat identity, trusted issuer and audience, current times, under the given alg and signature.</summary>
    private static string HandMade(string alg, string signature)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64UrlEncoder.Encode($$"""{"alg":"{{alg}}","typ":"JWT"}""");
        var payload = Base64UrlEncoder.Encode($$"""{"sub":"sec-1","name":"Secretariat Officer","role":"secretariat","iss":"{{Trusted.Issuer}}","aud":"{{Trusted.Audience}}","iat":{{now}},"nbf":{{now}},"exp":{{now + 3600}}}""");
        return $"{header}.{payload}.{signature}";
    }

    /// <summary>A focal point's genuine token with its payload rewritten to the secretariat role, signature kept.</summary>
    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1]));
        payload.ShouldContain("\"focal-point\"");
        parts[1] = Base64UrlEncoder.Encode(payload.Replace("\"focal-point\"", "\"secretariat\""));
        return string.Join('.', parts);
    }

    private HttpClient WithToken(string? token)
    {
        var client = api.CreateClient();
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Theory]
    [MemberData(nameof(UntrustedTokens))]
    public async Task An_untrusted_token_gets_401_on_reads_and_writes_and_appends_nothing(string kind)
    {
        var client = WithToken(UntrustedToken(kind));
        var before = await api.EventCount();

        var read = await client.GetAsync($"/api/plans/{Plan}");
        await read.ShouldBeProblem(401);
        read.Headers.WwwAuthenticate.Select(h => h.Scheme).ShouldContain("Bearer");

        await (await client.GetAsync($"/api/commitments/{commitment}")).ShouldBeProblem(401);
        await (await client.GetAsync("/api/audit/export?format=jsonl")).ShouldBeProblem(401);
        await (await client.PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment("KH"))).ShouldBeProblem(401);
        await (await client.PostJson($"/api/commitments/{commitment}/withdraw", new { reason = "Made in error" })).ShouldBeProblem(401);
        await (await client.PostJson("/api/plans", TestPlan.Document("AUTH-X-" + Guid.NewGuid().ToString("N")[..8]))).ShouldBeProblem(401);

        (await api.EventCount()).ShouldBe(before);
    }

    public static TheoryData<string> UnusableIdentities() =>
    [
        "focal point without country", "focal point with lower-case country", "focal point with alpha-3 country", "focal point with an empty country",
        "focal point with two countries", "unknown role", "role in another case", "no role", "two roles", "focal point also claiming reviewer",
        "no subject", "empty subject",
    ];

    private static Claim[] Identity(string kind) => kind switch
    {
        "focal point without country" => [new("sub", "fp-x"), new("name", "Ministry"), new("role", "focal-point")],
        "focal point with lower-case country" => [new("sub", "fp-x"), new("name", "Ministry"), new("role", "focal-point"), new("country", "kh")],
        "focal point with alpha-3 country" => [new("sub", "fp-x"), new("name", "Ministry"), new("role", "focal-point"), new("country", "KHM")],
        "unknown role" => [new("sub", "u-1"), new("name", "Someone"), new("role", "superuser")],
        "no role" => [new("sub", "u-1"), new("name", "Someone")],
        "no subject" => [new("name", "Someone"), new("role", "secretariat")],
        "empty subject" => [new("sub", ""), new("name", "Someone"), new("role", "secretariat")],
        "focal point with an empty country" => [new("sub", "fp-x"), new("name", "Ministry"), new("role", "focal-point"), new("country", "")],
        // An identity must be one role (and, for a focal point, one country): with two, one check would read one and another the other.
        "focal point with two countries" => [new("sub", "fp-x"), new("name", "Ministry"), new("role", "focal-point"), new("country", "KH"), new("country", "TH")],
        "role in another case" => [new("sub", "u-1"), new("name", "Someone"), new("role", "Secretariat")],
        "two roles" => [new("sub", "u-1"), new("name", "Someone"), new("role", "reviewer"), new("role", "secretariat")],
        "focal point also claiming reviewer" => [new("sub", "fp-x"), new("name", "Ministry"), new("role", "focal-point"), new("role", "reviewer"), new("country", "KH")],
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    [Theory]
    [MemberData(nameof(UnusableIdentities))]
    public async Task A_validly_signed_token_without_a_usable_identity_is_refused(string kind)
    {
        var client = WithToken(Sign(Trusted, Identity(kind)));
        var before = await api.EventCount();

        foreach (var response in new[]
                 {
                     await client.GetAsync($"/api/plans/{Plan}"),
                     await client.GetAsync("/api/audit/export?format=jsonl"),
                     await client.PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment("KH")),
                     await client.PostJson($"/api/commitments/{commitment}/status", new { status = "in-progress" }),
                 })
        {
            var status = (int)response.StatusCode;
            status.ShouldBeOneOf(401, 403);
            await response.ShouldBeProblem(status);
        }
        (await api.EventCount()).ShouldBe(before);
    }

    // ---- the jobs dashboard --------------------------------------------------------------------------------------

    public static TheoryData<string, bool> DashboardCallers() => new()
    {
        { "admin", true }, { "secretariat", true }, { "reviewer", false }, { "focal point", false }, { "no token", false },
        { "reviewer also claiming admin", false }, { "unknown role", false },
    };

    [Theory]
    [MemberData(nameof(DashboardCallers))]
    public async Task The_jobs_dashboard_is_open_to_admins_and_the_secretariat_only(string caller, bool allowed)
    {
        var client = WithToken(caller switch
        {
            "admin" => api.Token("admin"),
            "secretariat" => api.Token("secretariat"),
            "reviewer" => api.Token("reviewer"),
            "focal point" => api.Token("focal-point", "KH"),
            "no token" => null,
            "reviewer also claiming admin" => Sign(Trusted, [new("sub", "rev-1"), new("name", "Reviewer"), new("role", "reviewer"), new("role", "admin")]),
            "unknown role" => Sign(Trusted, [new("sub", "u-1"), new("name", "Someone"), new("role", "superuser")]),
            _ => throw new ArgumentOutOfRangeException(nameof(caller), caller, null),
        });

        var response = await client.GetAsync("/hangfire");

        if (allowed) response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        else ((int)response.StatusCode).ShouldBeOneOf(401, 403);
    }

    // ---- everyone reads -----------------------------------------------------------------------------------------

    public static TheoryData<string, string> Reads()
    {
        var data = new TheoryData<string, string>();
        string[] paths =
        [
            "/api/plans", "/api/plans/{plan}", "/api/plans/{plan}/commitments", "/api/commitments/{id}",
            "/api/commitments/{id}/history", "/api/sdg/goals", "/api/sdg/targets?goal=13",
        ];
        foreach (var role in Roles)
            foreach (var path in paths)
                data.Add(role, path);
        return data;
    }

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task Every_role_reads(string role, string path)
    {
        var response = await Caller(role).GetAsync(path.Replace("{plan}", Plan).Replace("{id}", commitment.ToString()));

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType.ShouldNotBeNull().MediaType.ShouldBe("application/json");
        var body = await response.Json();
        switch (path)
        {
            case "/api/plans":
                body.EnumerateArray().Select(p => p.GetProperty("code").GetString()).ShouldContain(Plan);
                break;
            case "/api/plans/{plan}":
                body.GetProperty("code").GetString().ShouldBe(Plan);
                break;
            case "/api/plans/{plan}/commitments":
                body.EnumerateArray().Select(c => c.GetProperty("id").GetGuid()).ShouldBe([commitment]);
                break;
            case "/api/commitments/{id}":
                body.GetProperty("id").GetGuid().ShouldBe(commitment);
                body.GetProperty("country").GetString().ShouldBe("KH");
                break;
            case "/api/commitments/{id}/history":
                body.GetArrayLength().ShouldBe(1);
                break;
            default:
                body.GetArrayLength().ShouldBeGreaterThan(0);
                break;
        }
    }
}
