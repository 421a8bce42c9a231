using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Strategy.Tests.Domain;
using Xunit.Abstractions;

namespace Strategy.Tests.Api;

/// <summary>The API with its rate limits off: the hostile suite is about what requests carry, not how many there are.</summary>
public sealed class UnlimitedApiFactory : ApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("RateLimits:WritesPerMinute", "0");
        builder.UseSetting("RateLimits:ReportsPerMinute", "0");
    }
}

/// <summary>
/// A generated suite of malformed and hostile requests over every /api route: wrong JSON types, missing and extra
/// fields, huge and non-finite numbers, deep and huge JSON, invalid UTF-8, injection strings, odd ids in routes,
/// unknown enums, wrong content types, oversized headers, hostile query strings. Reproducible (seeded).
///
/// For every request: no 5xx; a non-2xx answer is an RFC 9457 problem document with no internals in it; the
/// security headers are there; a write never succeeds; and the number of events in the store is the same at the end.
/// A write can only be refused if nothing in it could make it valid, so each write is sent under a <see cref="Guard"/>
/// that refuses it after the body has been read (a stale If-Match, another country's focal point, a withdrawn
/// commitment, an existing code...) or before (a reviewer): the hostile body still goes through the same binding,
/// validation and, mostly, the decision, but a value that happens to be valid cannot append anything.
/// </summary>
public sealed class HostileInputTests(UnlimitedApiFactory api, ITestOutputHelper output) : IClassFixture<UnlimitedApiFactory>
{
    private const int Seed = 20261128;
    private const int Parallelism = 4;
    private const string Plan = "HOSTILE-2024";
    private const string NoPlan = "NO-SUCH-PLAN";
    private const int MiB = 1024 * 1024;

    /// <summary>The percentage of <see cref="Values"/> tried in each field, and of query values in each parameter.</summary>
    private const int ValueShare = 30;

    private string sec = "", admin = "", reviewer = "", fpKH = "", fpKH2 = "", fpTH = "";
    private Guid live, withdrawn, report, evidence;
    private string liveCode = "";

    /// <summary>On <see cref="live"/>: the secretariat's value (accepted on entry), one KH's focal point submitted, one the secretariat voided.</summary>
    private Guid accepted, submitted, voided;

    /// <summary>Two reporting rounds of the plan, one open and one closed; <see cref="openRoundCode"/> is taken.</summary>
    private Guid openRound, closedRound;
    private const string openRoundCode = "2025-Q2";
    private readonly Guid missing = Guid.Parse("0197a000-0000-7000-8000-000000000001");

    // ---- the fixture: a plan, a live and a withdrawn KH commitment, values in review, rounds, a finished report ------

    private async Task ArrangeAsync()
    {
        sec = api.Token("secretariat", sub: "sec-1", name: "Secretariat Officer");
        admin = api.Token("admin", sub: "adm-1");
        reviewer = api.Token("reviewer", sub: "rev-1");
        fpKH = api.Token("focal-point", "KH", sub: "fp-kh");
        // KH's other focal point: of KH's country, but not the submitter of KH's value.
        fpKH2 = api.Token("focal-point", "KH", sub: "fp-kh-2");
        fpTH = api.Token("focal-point", "TH", sub: "fp-th");

        var secretariat = api.Secretariat();
        var plan = await secretariat.PostJson("/api/plans", TestPlan.Document(Plan));
        plan.StatusCode.ShouldBe(HttpStatusCode.Created, await plan.Content.ReadAsStringAsync());

        var made = await secretariat.PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment("KH"));
        made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
        var liveBody = await made.Json();
        live = liveBody.GetProperty("id").GetGuid();
        liveCode = liveBody.GetProperty("code").GetString()!;
        (await secretariat.PostJson($"/api/commitments/{live}/progress", new { value = 1, asOf = "2025-06-30" })).EnsureSuccessStatusCode();
        (await api.FocalPoint("KH").PostJson($"/api/commitments/{live}/progress", new { value = 2, asOf = "2025-05-31" })).EnsureSuccessStatusCode();
        (await secretariat.PostJson($"/api/commitments/{live}/progress", new { value = 3, asOf = "2025-04-30" })).EnsureSuccessStatusCode();
        var values = (await (await secretariat.GetAsync($"/api/commitments/{live}/values")).Json()).EnumerateArray()
            .ToDictionary(v => v.GetProperty("asOf").GetString()!, v => v.GetProperty("id").GetGuid());
        (accepted, submitted, voided) = (values["2025-06-30"], values["2025-05-31"], values["2025-04-30"]);
        (await secretariat.PostJson($"/api/commitments/{live}/values/{voided}/retract", new { reason = "Entered twice" })).EnsureSuccessStatusCode();

        var other = await secretariat.PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment("KH", "G2.O1", indicator: "G2.O1.I1", target: 80, title: "Monitor rivers"));
        other.StatusCode.ShouldBe(HttpStatusCode.Created, await other.Content.ReadAsStringAsync());
        withdrawn = (await other.Json()).GetProperty("id").GetGuid();
        (await secretariat.PostJson($"/api/commitments/{withdrawn}/withdraw", new { reason = "Made in error" })).EnsureSuccessStatusCode();

        // A report that has finished, so its reads and content are exercised too (its job appends its own events).
        var requested = await secretariat.PostJson("/api/reports", new { kind = "progress", plan = Plan });
        requested.StatusCode.ShouldBe(HttpStatusCode.Accepted, await requested.Content.ReadAsStringAsync());
        report = (await requested.Json()).GetProperty("id").GetGuid();
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var state = await (await secretariat.GetAsync($"/api/reports/{report}?wait=30")).Json();
            if (state.GetProperty("status").GetString() is "succeeded" or "failed") break;
        }
        var finished = await (await secretariat.GetAsync($"/api/reports/{report}")).Json();
        finished.GetProperty("status").GetString().ShouldBe("succeeded", finished.ToString());

        // An evidence file, so its download is exercised too.
        var uploaded = await secretariat.PostAsync($"/api/commitments/{live}/evidence", EvidenceTests.Form(EvidenceTypeSpecs.Pdf(), "minutes.pdf"));
        uploaded.StatusCode.ShouldBe(HttpStatusCode.Created, await uploaded.Content.ReadAsStringAsync());
        evidence = (await uploaded.Json()).GetProperty("id").GetGuid();

        // Rounds last: once the plan has them, a focal point's value needs an open round that takes it.
        var open = await secretariat.PostJson($"/api/plans/{Plan}/rounds",
            new { code = openRoundCode, periodStart = "2025-04-01", periodEnd = "2025-06-30", deadline = "2025-07-15" });
        open.StatusCode.ShouldBe(HttpStatusCode.Created, await open.Content.ReadAsStringAsync());
        openRound = (await open.Json()).GetProperty("id").GetGuid();
        var closed = await secretariat.PostJson($"/api/plans/{Plan}/rounds",
            new { code = "2025-Q1", periodStart = "2025-01-01", periodEnd = "2025-03-31", deadline = "2025-04-15" });
        closed.StatusCode.ShouldBe(HttpStatusCode.Created, await closed.Content.ReadAsStringAsync());
        closedRound = (await closed.Json()).GetProperty("id").GetGuid();
        (await secretariat.PostJson($"/api/rounds/{closedRound}/close", new { note = "Quarter closed" })).EnsureSuccessStatusCode();
    }

    // ---- hostile values --------------------------------------------------------------------------------------------

    private static readonly string LongText = new('A', 10_000);

    /// <summary>Raw JSON put in place of a field's value; null removes the field.</summary>
    private static readonly (string Name, string? Raw)[] Values =
    [
        ("missing", null),
        // wrong types
        ("number", "42"), ("negative", "-1"), ("zero", "0"), ("true", "true"), ("false", "false"), ("null", "null"),
        ("empty array", "[]"), ("empty object", "{}"), ("string", "\"text\""), ("empty string", "\"\""), ("blank", "\"   \""),
        ("array of numbers", "[1,2,3]"), ("object", "{\"a\":1}"), ("array of objects", "[{},{}]"), ("nested arrays", "[[[\"13.2\"]]]"),
        // huge and odd numbers
        ("1e308", "1e308"), ("-1e308", "-1e308"), ("1e400", "1e400"), ("-1e400", "-1e400"), ("1e-400", "1e-400"), ("-0", "-0"),
        ("22 nines", "9999999999999999999999"), ("-22 nines", "-9999999999999999999999"), ("long fraction", "0.0000000000000000000000000000001"),
        ("int64 max+1", "9223372036854775808"), ("number with exponent", "4.2E+2"),
        // non-finite numbers as strings, and as (invalid) literals
        ("\"NaN\"", "\"NaN\""), ("\"Infinity\"", "\"Infinity\""), ("\"-Infinity\"", "\"-Infinity\""), ("\"1e400\"", "\"1e400\""),
        ("NaN literal", "NaN"), ("Infinity literal", "Infinity"), ("-Infinity literal", "-Infinity"), ("hex literal", "0x10"),
        ("undefined literal", "undefined"), ("single quotes", "'x'"),
        // injection
        ("sql drop", "\"'; drop table mt_events; --\""), ("sql or", "\"\\\" OR 1=1 --\""), ("sql union", "\"1 UNION SELECT usename FROM pg_user\""),
        ("script", "\"<script>alert(1)</script>\""), ("img onerror", "\"<img src=x onerror=alert(1)>\""), ("template", "\"{{7*7}}${7*7}\""),
        ("jndi", "\"${jndi:ldap://example.org/a}\""), ("path traversal", "\"../../etc/passwd\""), ("encoded traversal", "\"%2e%2e%2f%2e%2e%2f\""),
        ("csv formula", "\"=HYPERLINK(\\\"http://x\\\")\""), ("crlf", "\"a\\r\\nSet-Cookie: x=1\""),
        // odd text
        ("NUL escape", "\"a\\u0000b\""), ("control characters", "\"\\u0001\\u0007\\u001b[31m\""), ("lone surrogate", "\"\\ud800\""),
        ("unicode", "\"\\u8ba1\\u5212 \\ud83c\\udf0f \\u202e\\u0645\\u0631\\u062d\\u0628\\u0627\""), ("long text", $"\"{LongText}\""),
        // unknown enums and bad dates
        ("unknown enum", "\"bogus-value\""), ("enum in other case", "\"IN_PROGRESS\""), ("enum as integer string", "\"1\""),
        ("impossible date", "\"2025-02-30\""), ("far future", "\"9999-12-31\""), ("year 1", "\"0001-01-01\""), ("year -1", "\"-0001-01-01\""),
        ("five-digit year", "\"99999-01-01\""), ("bad time", "\"2025-06-30T25:61:00Z\""), ("bad offset", "\"2025-06-30T00:00:00+99:00\""),
        ("date as number", "20250630"),
    ];

    // ---- write endpoints and the guards that keep them from appending ------------------------------------------

    /// <summary>
    /// How a write is kept from appending whatever its body says: the URL and token it is sent with, an If-Match, and
    /// a change to the body (<see cref="Apply"/>) whose field (<see cref="Pin"/>) is then never made hostile.
    /// </summary>
    private sealed record Guard(string Name, string Url, string Token, string? IfMatch = null, string? Pin = null, Action<JsonObject>? Apply = null);

    private sealed record Write(string Name, HttpMethod Method, Func<JsonObject> Template, string[] Fields, Guard[] Guards);

    private static JsonObject Node(object value) => JsonSerializer.SerializeToNode(value, ApiFactory.JsonOptions)!.AsObject();

    private List<Write> Writes()
    {
        Guard[] OnCommitment(string path, bool withdraw = false) =>
        [
            new("stale If-Match", $"/api/commitments/{live}{path}", sec, IfMatch: "\"999\""),
            new(withdraw ? "focal point (not allowed to withdraw)" : "another country's focal point", $"/api/commitments/{live}{path}", fpTH),
            new("withdrawn commitment", $"/api/commitments/{withdrawn}{path}", sec),
            new("reviewer", $"/api/commitments/{live}{path}", reviewer),
            new("unknown commitment", $"/api/commitments/{missing}{path}", admin),
        ];

        string Value(Guid commitment, Guid value, string action) => $"/api/commitments/{commitment}/values/{value}/{action}";

        Guard[] OnValue(string action) =>
        [
            new("stale If-Match", Value(live, submitted, action), sec, IfMatch: "\"999\""),
            new("reviewer", Value(live, submitted, action), reviewer),
            new("withdrawn commitment", Value(withdrawn, submitted, action), sec),
            new("unknown value", Value(live, missing, action), admin),
            new("unknown commitment", Value(missing, submitted, action), admin),
        ];

        Guard[] OnRound(string path) =>
        [
            new("stale If-Match", $"/api/rounds/{openRound}{path}", sec, IfMatch: "\"999\""),
            new("reviewer", $"/api/rounds/{openRound}{path}", reviewer),
            new("focal point", $"/api/rounds/{openRound}{path}", fpKH),
            new("closed round", $"/api/rounds/{closedRound}{path}", sec),
            new("unknown round", $"/api/rounds/{missing}{path}", admin),
        ];

        return
        [
            new("POST /api/plans", HttpMethod.Post, () => Node(TestPlan.Document(Plan, [TestPlan.Commitment("KH")])),
                ["code", "title", "note", "period", "period/start", "period/end", "countries", "countries/0", "countries/0/code", "countries/0/iso3",
                 "goals", "goals/0", "goals/0/code", "goals/0/outcomes", "goals/0/outcomes/0/sdgTargets", "goals/0/outcomes/0/indicators/0/unit",
                 "goals/0/outcomes/0/indicators/0/baseline", "goals/0/outcomes/0/indicators/0/target", "commitments", "commitments/0/due", "commitments/0/target"],
                [
                    new("existing plan code", "/api/plans", sec, Pin: "code"),
                    new("reviewer", "/api/plans", reviewer),
                    new("focal point", "/api/plans", fpKH),
                ]),
            new("POST /api/plans/{code}/goals", HttpMethod.Post, () => Node(new { code = "G9", title = "Energy", description = "Energy goal" }),
                ["code", "title", "description"],
                [
                    new("stale If-Match", $"/api/plans/{Plan}/goals", sec, IfMatch: "\"999\""),
                    new("existing goal code", $"/api/plans/{Plan}/goals", admin, Pin: "code", Apply: b => b["code"] = "G1"),
                    new("reviewer", $"/api/plans/{Plan}/goals", reviewer),
                    new("unknown plan", $"/api/plans/{NoPlan}/goals", sec),
                ]),
            new("POST /api/plans/{code}/outcomes", HttpMethod.Post, () => Node(new
                {
                    goal = "G1", code = "G1.O9", title = "Early warning", sdgTargets = new[] { "13.1" },
                    indicators = new[] { new { code = "G1.O9.I1", title = "Systems in place", unit = "count", baseline = 0.0, target = 6.0 } },
                }),
                ["goal", "code", "title", "sdgTargets", "sdgTargets/0", "indicators", "indicators/0", "indicators/0/code", "indicators/0/unit",
                 "indicators/0/baseline", "indicators/0/target"],
                [
                    new("stale If-Match", $"/api/plans/{Plan}/outcomes", sec, IfMatch: "\"999\""),
                    new("existing outcome code", $"/api/plans/{Plan}/outcomes", sec, Pin: "code", Apply: b => b["code"] = "G1.O1"),
                    new("reviewer", $"/api/plans/{Plan}/outcomes", reviewer),
                    new("unknown plan", $"/api/plans/{NoPlan}/outcomes", sec),
                ]),
            new("PUT /api/plans/{code}/outcomes/{outcome}/sdg-targets", HttpMethod.Put, () => Node(new { sdgTargets = new[] { "13.2", "13.3" }, reason = "Realign" }),
                ["sdgTargets", "sdgTargets/0", "reason"],
                [
                    new("stale If-Match", $"/api/plans/{Plan}/outcomes/G1.O1/sdg-targets", sec, IfMatch: "\"999\""),
                    new("unknown outcome", $"/api/plans/{Plan}/outcomes/G9.O9/sdg-targets", sec),
                    new("reviewer", $"/api/plans/{Plan}/outcomes/G1.O1/sdg-targets", reviewer),
                    new("focal point", $"/api/plans/{Plan}/outcomes/G1.O1/sdg-targets", fpKH),
                ]),
            new("POST /api/plans/{code}/commitments", HttpMethod.Post,
                () => Node(new { code = (string?)null, country = "KH", outcome = "G1.O1", title = "Adopt plans", description = "More", leadAgency = "Ministry",
                    due = "2026-12-31", indicator = "G1.O1.I1", baseline = 0.0, target = 4.0 }),
                ["code", "country", "outcome", "title", "description", "leadAgency", "due", "indicator", "baseline", "target"],
                [
                    new("stale If-Match", $"/api/plans/{Plan}/commitments", sec, IfMatch: "\"999\""),
                    new("another country's focal point", $"/api/plans/{Plan}/commitments", fpTH, Pin: "country"),
                    new("existing commitment code", $"/api/plans/{Plan}/commitments", sec, Pin: "code", Apply: b => b["code"] = liveCode),
                    new("reviewer", $"/api/plans/{Plan}/commitments", reviewer),
                    new("unknown plan", $"/api/plans/{NoPlan}/commitments", fpKH),
                ]),
            new("POST /api/commitments/{id}/status", HttpMethod.Post, () => Node(new { status = "in-progress", note = "Started" }),
                ["status", "note"], OnCommitment("/status")),
            new("POST /api/commitments/{id}/progress", HttpMethod.Post,
                () => Node(new { value = 2.0, asOf = "2025-07-31", note = "Two so far", evidenceUrl = "https://example.org/minutes.pdf" }),
                ["value", "asOf", "note", "evidenceUrl"], OnCommitment("/progress")),
            new("PATCH /api/commitments/{id}", HttpMethod.Patch,
                () => Node(new { title = "Adopt more plans", description = "d", leadAgency = "Ministry of Planning", due = "2026-06-30", target = 5.0, reason = "Budget" }),
                ["title", "description", "leadAgency", "due", "target", "reason"], OnCommitment("")),
            new("POST /api/commitments/{id}/withdraw", HttpMethod.Post, () => Node(new { reason = "Made in error" }),
                ["reason"], OnCommitment("/withdraw", withdraw: true)),
            new("POST /api/reports", HttpMethod.Post,
                () => Node(new { kind = "progress", plan = Plan, asOf = "2026-01-01T00:00:00Z", countries = new[] { "KH", "TH" } }),
                ["kind", "plan", "asOf", "countries", "countries/0"],
                [
                    // A reviewer may request reports (to re-derive one), so its hostile requests are refused by the body itself.
                    new("reviewer, future asOf", "/api/reports", reviewer, Pin: "asOf", Apply: b => b["asOf"] = "2999-01-01T00:00:00Z"),
                    new("focal point", "/api/reports", fpKH),
                    new("unknown plan", "/api/reports", admin, Pin: "plan", Apply: b => b["plan"] = NoPlan),
                ]),
            new("POST /api/commitments/{id}/values/{valueId}/accept", HttpMethod.Post, () => Node(new { note = "Matches the minutes" }),
                ["note"],
                [
                    .. OnValue("accept"),
                    new("focal point (not allowed to review)", Value(live, submitted, "accept"), fpKH),
                    new("accepted value", Value(live, accepted, "accept"), sec),
                ]),
            new("POST /api/commitments/{id}/values/{valueId}/return", HttpMethod.Post, () => Node(new { comment = "The minutes list three provinces." }),
                ["comment"],
                [
                    .. OnValue("return"),
                    new("focal point (not allowed to review)", Value(live, submitted, "return"), fpKH),
                    new("accepted value", Value(live, accepted, "return"), sec),
                ]),
            new("POST /api/commitments/{id}/values/{valueId}/retract", HttpMethod.Post, () => Node(new { reason = "Entered the wrong figure" }),
                ["reason"],
                [
                    .. OnValue("retract"),
                    new("another country's focal point", Value(live, submitted, "retract"), fpTH),
                    new("KH's focal point that did not submit it", Value(live, submitted, "retract"), fpKH2),
                    new("an accepted value, by a focal point", Value(live, accepted, "retract"), fpKH),
                    new("voided value", Value(live, voided, "retract"), sec),
                ]),
            new("POST /api/commitments/{id}/comments", HttpMethod.Post, () => Node(new { text = "Please attach the minutes.", value = submitted }),
                ["text", "value"],
                [
                    new("stale If-Match", $"/api/commitments/{live}/comments", sec, IfMatch: "\"999\""),
                    new("another country's focal point", $"/api/commitments/{live}/comments", fpTH),
                    new("reviewer", $"/api/commitments/{live}/comments", reviewer),
                    new("unknown commitment", $"/api/commitments/{missing}/comments", admin),
                ]),
            new("POST /api/commitments/{id}/restore", HttpMethod.Post, () => Node(new { reason = "Withdrawn in error" }),
                ["reason"],
                [
                    new("stale If-Match", $"/api/commitments/{withdrawn}/restore", sec, IfMatch: "\"999\""),
                    new("focal point (not allowed to restore)", $"/api/commitments/{withdrawn}/restore", fpKH),
                    new("reviewer", $"/api/commitments/{withdrawn}/restore", reviewer),
                    new("commitment not withdrawn", $"/api/commitments/{live}/restore", sec),
                    new("unknown commitment", $"/api/commitments/{missing}/restore", admin),
                ]),
            new("POST /api/plans/{code}/rounds", HttpMethod.Post,
                () => Node(new { code = "2025-Q3", title = "Third quarter", periodStart = "2025-07-01", periodEnd = "2025-09-30", deadline = "2025-10-15" }),
                ["code", "title", "periodStart", "periodEnd", "deadline"],
                [
                    new("existing round code", $"/api/plans/{Plan}/rounds", sec, Pin: "code", Apply: b => b["code"] = openRoundCode),
                    new("reviewer", $"/api/plans/{Plan}/rounds", reviewer),
                    new("focal point", $"/api/plans/{Plan}/rounds", fpKH),
                    new("unknown plan", $"/api/plans/{NoPlan}/rounds", admin),
                ]),
            new("PATCH /api/rounds/{id}", HttpMethod.Patch, () => Node(new { deadline = "2025-08-31", reason = "Floods delayed the returns" }),
                ["deadline", "reason"], OnRound("")),
            new("POST /api/rounds/{id}/close", HttpMethod.Post, () => Node(new { note = "Quarter closed" }),
                ["note"], OnRound("/close")),
        ];
    }

    // ---- requests ----------------------------------------------------------------------------------------------------

    private sealed record Probe(string Name, HttpMethod Method, string Url, string? Token, Func<HttpContent?>? Body = null,
        (string Name, string Value)[]? Headers = null);

    private static Func<HttpContent?> Json(string text, string contentType = "application/json") => () =>
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    };

    private static Func<HttpContent?> Bytes(byte[] bytes, string? contentType = "application/json") => () =>
    {
        var content = new ByteArrayContent(bytes);
        if (contentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    };

    private const string Placeholder = "__HOSTILE_VALUE__";

    /// <summary>The template (with the guard's change) with the value at <paramref name="path"/> replaced by raw JSON, or removed.</summary>
    private static string With(JsonObject template, Guard guard, string path, string? raw)
    {
        var doc = (JsonObject)template.DeepClone();
        guard.Apply?.Invoke(doc);
        var steps = path.Split('/');
        JsonNode parent = doc;
        foreach (var step in steps[..^1]) parent = int.TryParse(step, out var i) ? parent[i]! : parent[step]!;
        var last = steps[^1];
        if (parent is JsonArray array)
        {
            var index = int.Parse(last);
            if (raw is null) array.RemoveAt(index);
            else array[index] = Placeholder;
        }
        else if (raw is null) parent.AsObject().Remove(last);
        else parent[last] = Placeholder;
        return doc.ToJsonString().Replace($"\"{Placeholder}\"", raw);
    }

    private static string Body(JsonObject template, Guard guard)
    {
        var doc = (JsonObject)template.DeepClone();
        guard.Apply?.Invoke(doc);
        return doc.ToJsonString();
    }

    private Probe Send(Write write, Guard guard, string what, Func<HttpContent?>? body, params (string, string)[] headers) =>
        new($"{write.Name} [{guard.Name}] {what}", write.Method, guard.Url, guard.Token, body,
            [.. headers, .. guard.IfMatch is { } m ? new[] { ("If-Match", m) } : []]);

    private IEnumerable<Probe> BodyProbes(Random random)
    {
        foreach (var write in Writes())
        {
            var template = write.Template();

            // Each guard on its own, with the untouched body: the guard is what refuses it.
            foreach (var guard in write.Guards)
                yield return Send(write, guard, "valid body", Json(Body(template, guard)));

            // Hostile values in every field (the field left out, and about a third of the rest, drawn at random), each
            // under one of the guards that leave that field alone.
            foreach (var field in write.Fields)
            {
                var guards = write.Guards.Where(g => g.Pin != field.Split('/')[0]).ToArray();
                foreach (var (name, raw) in Values.Where(v => v.Raw is null || random.Next(100) < ValueShare))
                {
                    var guard = guards[random.Next(guards.Length)];
                    yield return Send(write, guard, $"{field} = {name}", Json(With(template, guard, field, raw)));
                }
            }

            // Extra and duplicated members.
            {
                var first = write.Fields[0].Split('/')[0];
                var guard = write.Guards.Where(g => g.Pin != first).ElementAt(random.Next(write.Guards.Count(g => g.Pin != first)));
                var body = Body(template, guard);
                var inner = body[1..^1];
                yield return Send(write, guard, "extra member", Json(body[..^1] + ",\"extra\":1}"));
                yield return Send(write, guard, "extra $type", Json("{\"$type\":\"System.IO.FileInfo, System.IO.FileSystem\"," + inner + "}"));
                yield return Send(write, guard, "extra $ref", Json("{\"$ref\":\"#\"," + inner + "}"));
                yield return Send(write, guard, "extra __proto__", Json(body[..^1] + ",\"__proto__\":{\"admin\":true}}"));
                yield return Send(write, guard, "extra actor", Json(body[..^1] + ",\"actor\":{\"id\":\"sec-1\",\"role\":\"secretariat\"}}"));
                yield return Send(write, guard, $"duplicated {first}", Json(body[..^1] + $",\"{first}\":\"bogus-value\"}}"));
                yield return Send(write, guard, $"duplicated {first}, other case", Json(body[..^1] + $",\"{char.ToUpperInvariant(first[0])}{first[1..]}\":null}}"));
                yield return Send(write, guard, "every member twice", Json("{" + inner + "," + inner + "}"));
            }

            // The body as a whole: each under a guard chosen at random.
            Guard Any() => write.Guards[random.Next(write.Guards.Length)];
            foreach (var (name, raw) in WholeBodies)
            {
                var guard = Any();
                yield return Send(write, guard, $"body {name}", Json(raw));
            }
            {
                var guard = Any();
                var body = Body(template, guard);
                foreach (var (name, bytes) in Encodings(body))
                    yield return Send(write, guard, $"body {name}", Bytes(bytes));
                foreach (var (type, text) in ContentTypes(body))
                    yield return Send(write, guard, $"content type {type ?? "(none)"}", type is null ? Bytes(Encoding.UTF8.GetBytes(text), null) : Json(text, type));
                yield return Send(write, guard, "no body", null);
                yield return Send(write, guard, "UTF-16 body declared as such", Bytes(Encoding.Unicode.GetBytes(body), "application/json; charset=utf-16"));
                yield return Send(write, guard, "UTF-16 body declared as UTF-8", Bytes(Encoding.Unicode.GetBytes(body), "application/json; charset=utf-8"));
                foreach (var accept in new[] { "text/html", "application/xml", "image/png", "application/json;q=0", "*/*;q=0" })
                    yield return Send(write, guard, $"Accept {accept}", Json(body[..^1] + ",\"extra\":1}"), ("Accept", accept));
            }
            foreach (var (name, content) in HugeBodies(write, template))
            {
                var guard = Any();
                yield return Send(write, guard, name, content);
            }
        }
    }

    private static readonly (string Name, string Raw)[] WholeBodies =
    [
        ("empty", ""), ("whitespace", "  \n\t "), ("null", "null"), ("true", "true"), ("number", "42"), ("string", "\"in-progress\""),
        ("empty array", "[]"), ("array of an object", "[{}]"), ("empty object", "{}"), ("unclosed object", "{"), ("closing brace", "}"),
        ("two objects", "{} {}"), ("trailing brace", "{}}"), ("trailing comma", "{\"a\":1,}"), ("comment", "/* hi */ {}"),
        ("single-quoted", "{'status':'in-progress'}"), ("unquoted key", "{status:\"in-progress\"}"), ("NaN member", "{\"value\":NaN}"),
        ("deep arrays", new string('[', 10_000) + new string(']', 10_000)),
        ("deep objects", string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000)),
        ("deep unclosed", new string('[', 10_000)),
        ("deep in a field", "{\"title\":" + new string('[', 10_000) + new string(']', 10_000) + "}"),
        ("depth 33", "{\"note\":" + new string('[', 32) + new string(']', 32) + "}"),
        ("SQL", "'; drop table mt_events; --"), ("script", "<script>alert(1)</script>"),
        ("XML", "<?xml version=\"1.0\"?><status>in-progress</status>"), ("form", "status=in-progress&note=x"),
        ("NUL", "\0"), ("escaped NUL key", "{\"\\u0000\":1}"), ("long key", "{\"" + new string('k', 100_000) + "\":1}"),
        ("many members", "{" + string.Join(",", Enumerable.Range(0, 20_000).Select(i => $"\"m{i}\":{i}")) + "}"),
    ];

    /// <summary>The valid body in bytes it should not be sent as.</summary>
    private static IEnumerable<(string, byte[])> Encodings(string body)
    {
        var utf8 = Encoding.UTF8.GetBytes(body);
        byte[] Splice(byte[] bad)
        {
            // Into the first string value: after the opening quote of the first value that is a string.
            var at = body.IndexOf(":\"", StringComparison.Ordinal) + 2;
            return [.. utf8[..at], .. bad, .. utf8[at..]];
        }
        yield return ("with a UTF-8 BOM", [0xEF, 0xBB, 0xBF, .. utf8]);
        yield return ("with two BOMs", [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, .. utf8]);
        yield return ("with a UTF-16 BOM", [0xFF, 0xFE, .. utf8]);
        yield return ("invalid UTF-8 in a string", Splice([0xC3, 0x28]));
        yield return ("a 0xFF byte in a string", Splice([0xFF]));
        yield return ("an overlong '/' in a string", Splice([0xC0, 0xAF]));
        yield return ("an encoded surrogate in a string", Splice([0xED, 0xA0, 0x80]));
        yield return ("a raw NUL in a string", Splice([0x00]));
        yield return ("a raw newline in a string", Splice([0x0A]));
        yield return ("invalid UTF-8 outside strings", [0xC3, 0x28, .. utf8]);
        yield return ("truncated UTF-8 at the end", [.. utf8[..^1], 0xE2, 0x82]);
        yield return ("Latin-1 text", Encoding.Latin1.GetBytes(body.Replace(":\"", ":\"\u00e9", StringComparison.Ordinal)));
    }

    private static IEnumerable<(string?, string)> ContentTypes(string body)
    {
        yield return ("text/plain", body);
        yield return ("application/xml", "<body>x</body>");
        yield return ("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"status\"\r\n\r\nin-progress\r\n--x--\r\n");
        yield return ("multipart/form-data", body);
        yield return ("application/x-www-form-urlencoded", "status=in-progress&note=x");
        yield return (null, body);
        yield return ("application/json; charset=bogus", body);
        yield return ("application/json; charset=utf-7", body);
        yield return ("application/json; charset=\"", body);
        yield return ("application/merge-patch+json", body);
        yield return ("application/problem+json", body);
        yield return ("application/*", body);
        yield return ("*/*", body);
        yield return ("application/json, text/plain", body);
        yield return ("json", body);
        yield return ("application/json; " + new string('x', 2000), body);
    }

    private static IEnumerable<(string, Func<HttpContent?>)> HugeBodies(Write write, JsonObject template)
    {
        // A field that takes a string, and one that takes a list (or the first field, where there is none).
        var text = write.Fields.FirstOrDefault(f => template[f] is JsonValue v && v.GetValueKind() == JsonValueKind.String) ?? write.Fields[0];
        var list = write.Fields.FirstOrDefault(f => template[f] is JsonArray) ?? write.Fields[0];
        string Fill(string field, string raw) => With(template, new Guard("", "", ""), field, raw);

        yield return ($"{text} a string just under 1 MiB", Json(Fill(text, "\"" + new string('x', MiB - 2048) + "\"")));
        yield return ($"{text} a string over 1 MiB", Json(Fill(text, "\"" + new string('x', MiB + 16) + "\"")));
        yield return ($"{list} an array of 200,000 numbers", Json(Fill(list, "[" + string.Join(",", Enumerable.Repeat("1", 200_000)) + "]")));
        yield return ($"{list} an array of 100,000 SDG targets", Json(Fill(list, "[" + string.Join(",", Enumerable.Repeat("\"13.2\"", 100_000)) + "]")));
        yield return ($"{list} an array of 60,000 distinct strings", Json(Fill(list, "[" + string.Join(",", Enumerable.Range(0, 60_000).Select(i => $"\"K{i}\"")) + "]")));
        yield return ($"{list} an array over 1 MiB", Json(Fill(list, "[" + string.Join(",", Enumerable.Repeat("\"13.2\"", MiB / 6)) + "]")));
        yield return ("a chunked body over 1 MiB", () => new Unsized(Encoding.UTF8.GetBytes(Fill(text, "\"" + new string('x', MiB + 16) + "\""))));
        yield return ("a chunked body of 2 MiB of NUL bytes", () => new Unsized(new byte[2 * MiB]));
    }

    /// <summary>Content without a length, so it is sent chunked.</summary>
    private sealed class Unsized : HttpContent
    {
        private readonly byte[] bytes;
        public Unsized(byte[] bytes, string contentType = "application/json")
        {
            this.bytes = bytes;
            Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();
        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    // ---- odd ids in routes --------------------------------------------------------------------------------------------

    /// <summary>
    /// Route segments, as they appear in the URL (already escaped where the name says so). No %00: Kestrel answers a
    /// path with a NUL in it with 400 before the application sees it, and the test host refuses to send one.
    /// </summary>
    private static readonly string[] Segments =
    [
        Uri.EscapeDataString("'; drop table mt_events; --"), Uri.EscapeDataString("\" OR 1=1 --"), Uri.EscapeDataString("<script>alert(1)</script>"),
        Uri.EscapeDataString("../../etc/passwd"), "..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%2e%2e", "..%5c..%5cwindows",
        "%", "%zz", "%C3%28", "%FF%FE", "%E2%80%AE", new string('A', 10_000), new string('9', 300),
        Uri.EscapeDataString("\u8ba1\u5212\ud83c\udf0f"), "%F0%9F%8C%8F", "NaN", "-1", "0", "1e308", "null", "undefined", "%20", "+", "~", ";x=1",
        "{" + Guid.Empty + "}", Guid.Empty.ToString("N"), "00000000-0000-0000-0000-00000000000g", Guid.Empty + "-x", "con", "%u0041",
    ];

    private IEnumerable<Probe> RouteProbes(Random random)
    {
        var goal = """{"code":"G9","title":"Energy"}""";
        var outcome = """{"goal":"G1","code":"G1.O9","title":"Early warning","sdgTargets":["13.1"],"indicators":[]}""";
        var align = """{"sdgTargets":["13.2"],"reason":"Realign"}""";
        var commitment = """{"country":"KH","outcome":"G1.O1","title":"T","leadAgency":"MoE","due":"2026-12-31"}""";
        var round = """{"code":"2025-Q4","periodStart":"2025-10-01","periodEnd":"2025-12-31","deadline":"2026-01-15"}""";
        foreach (var s in Segments)
        {
            // Every route with every odd segment would be about 1,100 requests; half of them, drawn at random, say as much.
            var routes = new List<Probe>();
            routes.Add(new($"GET plan {s}", HttpMethod.Get, $"/api/plans/{s}", reviewer));
            routes.Add(new($"GET plan {s} as of", HttpMethod.Get, $"/api/plans/{s}?asOf=2025-01-01", reviewer));
            routes.Add(new($"GET plan {s} commitments", HttpMethod.Get, $"/api/plans/{s}/commitments", reviewer));
            routes.Add(new($"POST plan {s} goals", HttpMethod.Post, $"/api/plans/{s}/goals", sec, Json(goal)));
            routes.Add(new($"POST plan {s} outcomes", HttpMethod.Post, $"/api/plans/{s}/outcomes", sec, Json(outcome)));
            routes.Add(new($"PUT plan {s} sdg-targets", HttpMethod.Put, $"/api/plans/{s}/outcomes/G1.O1/sdg-targets", sec, Json(align)));
            routes.Add(new($"PUT outcome {s} sdg-targets", HttpMethod.Put, $"/api/plans/{Plan}/outcomes/{s}/sdg-targets", sec, Json(align)));
            routes.Add(new($"POST plan {s} commitments", HttpMethod.Post, $"/api/plans/{s}/commitments", fpKH, Json(commitment)));
            routes.Add(new($"GET commitment {s}", HttpMethod.Get, $"/api/commitments/{s}", reviewer));
            routes.Add(new($"GET commitment {s} history", HttpMethod.Get, $"/api/commitments/{s}/history", reviewer));
            routes.Add(new($"POST commitment {s} status", HttpMethod.Post, $"/api/commitments/{s}/status", sec, Json("""{"status":"in-progress"}""")));
            routes.Add(new($"POST commitment {s} progress", HttpMethod.Post, $"/api/commitments/{s}/progress", sec, Json("""{"value":1,"asOf":"2025-06-30"}""")));
            routes.Add(new($"PATCH commitment {s}", HttpMethod.Patch, $"/api/commitments/{s}", sec, Json("""{"target":5,"reason":"More"}""")));
            routes.Add(new($"POST commitment {s} withdraw", HttpMethod.Post, $"/api/commitments/{s}/withdraw", sec, Json("""{"reason":"x"}""")));
            routes.Add(new($"POST commitment {s} restore", HttpMethod.Post, $"/api/commitments/{s}/restore", sec, Json("""{"reason":"x"}""")));
            routes.Add(new($"GET commitment {s} values", HttpMethod.Get, $"/api/commitments/{s}/values", reviewer));
            foreach (var (action, body) in new[] { ("accept", """{"note":"x"}"""), ("return", """{"comment":"x"}"""), ("retract", """{"reason":"x"}""") })
            {
                routes.Add(new($"POST commitment {s} value {action}", HttpMethod.Post, $"/api/commitments/{s}/values/{submitted}/{action}", sec, Json(body)));
                routes.Add(new($"POST value {s} {action}", HttpMethod.Post, $"/api/commitments/{live}/values/{s}/{action}", sec, Json(body)));
            }
            routes.Add(new($"GET commitment {s} comments", HttpMethod.Get, $"/api/commitments/{s}/comments", reviewer));
            routes.Add(new($"POST commitment {s} comments", HttpMethod.Post, $"/api/commitments/{s}/comments", sec, Json("""{"text":"x"}""")));
            routes.Add(new($"GET plan {s} rounds", HttpMethod.Get, $"/api/plans/{s}/rounds", reviewer));
            routes.Add(new($"POST plan {s} rounds", HttpMethod.Post, $"/api/plans/{s}/rounds", sec, Json(round)));
            routes.Add(new($"GET round {s}", HttpMethod.Get, $"/api/rounds/{s}", reviewer));
            routes.Add(new($"PATCH round {s}", HttpMethod.Patch, $"/api/rounds/{s}", sec, Json("""{"deadline":"2025-08-31","reason":"x"}""")));
            routes.Add(new($"POST round {s} close", HttpMethod.Post, $"/api/rounds/{s}/close", sec, Json("""{"note":"x"}""")));
            routes.Add(new($"GET report {s}", HttpMethod.Get, $"/api/reports/{s}", reviewer));
            routes.Add(new($"GET report {s} content", HttpMethod.Get, $"/api/reports/{s}/content?format=html", reviewer));
            routes.Add(new($"GET audit {s}", HttpMethod.Get, $"/api/audit/{s}", reviewer));
            routes.Add(new($"GET sdg {s}", HttpMethod.Get, $"/api/sdg/{s}", reviewer));
            foreach (var probe in routes.Where(_ => random.Next(2) == 0)) yield return probe;
        }
        // Dot segments and traversal written out (the client may normalise some of them), and other odd paths.
        foreach (var path in new[]
                 {
                     "/api/plans/../../etc/passwd", "/api/commitments/../../../etc/passwd", "/api/./plans", "/api//plans", "/api/plans/", "/API/PLANS",
                     "/api/plans%2f..%2f..%2fetc%2fpasswd", "/api/%2e%2e/%2e%2e/etc/passwd", "/api/plans/" + Plan + "/../../audit", "/api/plans;jsessionid=1",
                     "/api/reports/" + report + "/content/../../../audit", "/api", "/api/", "/api/nothing-here",
                     "/etc/passwd", "/.env", "/.git/config", "/api/hangfire", "/hangfire/../api/plans",
                 })
        {
            yield return new($"GET {path}", HttpMethod.Get, path, reviewer);
            yield return new($"POST {path}", HttpMethod.Post, path, sec, Json("{}"));
        }
        // Methods a route does not take.
        foreach (var (method, path) in new[]
                 {
                     ("DELETE", $"/api/plans/{Plan}"), ("DELETE", $"/api/commitments/{live}"), ("PUT", $"/api/commitments/{live}"),
                     ("POST", $"/api/commitments/{live}"), ("PATCH", $"/api/plans/{Plan}"), ("POST", "/api/audit"), ("DELETE", "/api/audit"),
                     ("PUT", "/api/reports"), ("POST", $"/api/reports/{report}"), ("TRACE", "/api/plans"), ("OPTIONS", "/api/plans"), ("PROPFIND", "/api/plans"),
                     ("GET", $"/api/commitments/{live}/status"), ("GET", $"/api/commitments/{live}/withdraw"), ("HEAD", $"/api/plans/{Plan}"),
                     ("GET", $"/api/commitments/{live}/values/{submitted}/accept"), ("PUT", $"/api/commitments/{live}/values/{submitted}"),
                     ("DELETE", $"/api/commitments/{live}/values/{submitted}"), ("GET", $"/api/commitments/{live}/restore"),
                     ("PUT", $"/api/commitments/{live}/comments"), ("DELETE", $"/api/commitments/{live}/comments"), ("PATCH", $"/api/plans/{Plan}/rounds"),
                     ("PUT", $"/api/rounds/{openRound}"), ("DELETE", $"/api/rounds/{openRound}"), ("GET", $"/api/rounds/{openRound}/close"),
                     ("POST", "/api/review-queue"), ("DELETE", "/api/review-queue"),
                 })
            yield return new($"{method} {path}", new HttpMethod(method), path, sec, method is "GET" or "HEAD" or "OPTIONS" or "TRACE" ? null : Json("{}"));
    }

    // ---- query strings ----------------------------------------------------------------------------------------------

    /// <summary>Query values, already escaped for the URL.</summary>
    private static readonly string[] QueryValues =
    [
        "", Uri.EscapeDataString("'; drop table mt_events; --"), Uri.EscapeDataString("' OR '1'='1"), Uri.EscapeDataString("\" OR 1=1 --"),
        Uri.EscapeDataString("<script>alert(1)</script>"), Uri.EscapeDataString("../../etc/passwd"), "%00", "a%00b", "%", "%zz", "%C3%28", "%FF",
        "-1", "0", "1e308", "-1e308", "1e400", "9999999999999999999999", "NaN", "Infinity", "true", "null", new string('A', 10_000),
        Uri.EscapeDataString("\u8ba1\u5212\ud83c\udf0f\u202e"), "2025-02-30", "9999-12-31T23:59:59Z", "0001-01-01", "-0001-01-01", "99999-01-01",
        "2025-06-30T25:61:00Z", "%2A", Uri.EscapeDataString("%' OR 1=1 --"), Uri.EscapeDataString("d.data->>'code'"),
    ];

    private IEnumerable<Probe> QueryProbes(Random random)
    {
        var routes = new (string Path, string Token, string[] Parameters)[]
        {
            ($"/api/plans/{Plan}", reviewer, ["asOf"]),
            ($"/api/plans/{Plan}/commitments", fpTH,
                ["country", "goal", "outcome", "status", "health", "sdgTarget", "overdue", "includeWithdrawn", "page", "pageSize"]),
            ($"/api/commitments/{live}", reviewer, ["asOf"]),
            ("/api/audit", reviewer, ["plan", "country", "actor", "type", "from", "to", "after", "limit"]),
            ("/api/audit/export", sec, ["format", "plan", "type", "from"]),
            ("/api/sdg/targets", fpKH, ["goal"]),
            ($"/api/reports/{report}", reviewer, ["wait"]),
            ("/api/reports", reviewer, ["plan", "kind", "limit"]),
            ($"/api/reports/{report}/content", reviewer, ["format"]),
            // The review queue needs its plan: the plan's values alone, then the other parameters beside a plan that exists.
            ("/api/review-queue", reviewer, ["plan"]),
            ($"/api/review-queue?plan={Plan}", sec, ["round", "country", "page", "pageSize"]),
        };
        foreach (var (path, token, parameters) in routes)
        {
            // Parameters go after the route's own query, if it has one.
            var q0 = path.Contains('?') ? "&" : "?";
            foreach (var p in parameters)
            {
                foreach (var v in QueryValues.Where(_ => random.Next(100) < ValueShare))
                    yield return new($"GET {path}{q0}{p}={(v.Length > 40 ? v[..40] + "..." : v)}", HttpMethod.Get, $"{path}{q0}{p}={v}", token);
                yield return new($"GET {path} {p} repeated", HttpMethod.Get, $"{path}{q0}{p}=1&{p}=2&{p}=x", token);
                yield return new($"GET {path} {p} as array", HttpMethod.Get, $"{path}{q0}{p}[]=1&{p}[0]=2", token);
                yield return new($"GET {path} {p} without value", HttpMethod.Get, $"{path}{q0}{p}", token);
                yield return new($"GET {path} {p} in other case", HttpMethod.Get, $"{path}{q0}{p.ToUpperInvariant()}=bogus", token);
            }
            foreach (var q in new[] { "", "&&&", "=x", "%=%", "a=%ZZ", ";", "x=" + new string('q', 30_000), string.Join("&", Enumerable.Range(0, 2000).Select(i => $"p{i}=1")) })
                yield return new($"GET {path}{q0}{(q.Length > 40 ? q[..40] + "..." : q)}", HttpMethod.Get, path + q0 + q, token);
        }
        // The review queue's own edges, each once: the drawing above may leave them out.
        foreach (var query in new[]
                 {
                     "", "plan=", "plan=%00", "plan=a%00b", "plan=" + new string('P', 10_000), $"plan={NoPlan}", $"plan={Plan}&page=-1", $"plan={Plan}&page=0",
                     $"plan={Plan}&page=99999999999", $"plan={Plan}&pageSize=1000", $"plan={Plan}&pageSize=0", $"plan={Plan}&pageSize=-1",
                     $"plan={Plan}&country=xx", $"plan={Plan}&country=%00", $"plan={Plan}&country=KHM", $"plan={Plan}&round=%00",
                     $"plan={Plan}&round=NO-SUCH-ROUND", $"plan={Plan}&round=" + new string('R', 10_000), $"plan={Plan}&plan={NoPlan}",
                 })
            yield return new($"GET review-queue ?{(query.Length > 40 ? query[..40] + "..." : query)}", HttpMethod.Get, "/api/review-queue?" + query, sec);
        yield return new("GET review-queue as a focal point", HttpMethod.Get, $"/api/review-queue?plan={Plan}", fpKH);
        // A write with a query string: it has no parameters and must ignore it.
        yield return new("POST status with an injected query", HttpMethod.Post, $"/api/commitments/{withdrawn}/status?status=completed&{Uri.EscapeDataString("'; drop")}=1",
            sec, Json("""{"status":"in-progress"}"""));
    }

    // ---- headers ------------------------------------------------------------------------------------------------------

    private IEnumerable<Probe> HeaderProbes()
    {
        string Value(Guid value, string action) => $"/api/commitments/{live}/values/{value}/{action}";
        var reads = new[] { $"/api/plans/{Plan}", $"/api/commitments/{live}", "/api/audit?limit=1", "/api/sdg/goals", $"/api/evidence/{evidence}" };
        var status = """{"status":"in-progress"}""";
        (string, string)[][] hostile =
        [
            [("X-Padding", new string('h', 40 * 1024))],
            [.. Enumerable.Range(0, 150).Select(i => ($"X-Header-{i}", "v"))],
            [.. Enumerable.Range(0, 40).Select(i => ($"X-Wide-{i}", new string('w', 1000)))],
            [("Cookie", new string('c', 33 * 1024))],
            [("X-Correlation-Id", "'; drop table mt_events; --")],
            [("X-Correlation-Id", new string('c', 10_000))],
            [("X-Correlation-Id", "<script>alert(1)</script>")],
            [("Accept", "text/html")],
            [("Accept", "application/xml")],
            [("Accept", "application/json;q=0")],
            [("Accept-Charset", "utf-7")],
            [("Accept-Encoding", "gzip;q=1e400, br")],
            [("Range", "bytes=0-1")],
            [("If-None-Match", "\"1\"")],
            [("If-Modified-Since", "yesterday")],
            [("X-HTTP-Method-Override", "DELETE")],
            [("X-Forwarded-For", "'; drop table mt_events; --")],
            [("Forwarded", "for=\"[::1]\";by=evil")],
            [("Host", "evil.example.org")],
            [("Host", "")],
            [("Transfer-Encoding", "chunked, identity")],
            [("Content-Type", "application/json")],
        ];
        foreach (var headers in hostile)
        {
            var name = headers.Length > 1 ? $"{headers.Length} headers" : $"{headers[0].Item1}: {(headers[0].Item2.Length > 30 ? headers[0].Item2[..30] + "..." : headers[0].Item2)}";
            foreach (var path in reads) yield return new($"GET {path} with {name}", HttpMethod.Get, path, reviewer, Headers: headers);
            yield return new($"POST status (withdrawn) with {name}", HttpMethod.Post, $"/api/commitments/{withdrawn}/status", sec, Json(status), headers);
            yield return new($"POST status (unauthenticated) with {name}", HttpMethod.Post, $"/api/commitments/{live}/status", null, Json(status), headers);
        }
        foreach (var ifMatch in new[] { "3", "\"abc\"", "\"0\"", "\"-1\"", "\"1", "W/\"999\"", "\"99999999999999999999\"", "\"1\", \"2\"", "*, \"1\"", new string('"', 5000), "\"1e308\"", "\"\u00e9\"" })
        {
            yield return new($"POST status If-Match {ifMatch[..Math.Min(20, ifMatch.Length)]}", HttpMethod.Post, $"/api/commitments/{withdrawn}/status", sec, Json(status), [("If-Match", ifMatch)]);
            yield return new($"PATCH If-Match {ifMatch[..Math.Min(20, ifMatch.Length)]}", HttpMethod.Patch, $"/api/commitments/{live}", fpTH, Json("""{"target":5,"reason":"More"}"""), [("If-Match", ifMatch)]);
            yield return new($"POST comment If-Match {ifMatch[..Math.Min(20, ifMatch.Length)]}", HttpMethod.Post, $"/api/commitments/{live}/comments", fpTH, Json("""{"text":"x"}"""), [("If-Match", ifMatch)]);
            yield return new($"POST accept If-Match {ifMatch[..Math.Min(20, ifMatch.Length)]}", HttpMethod.Post, Value(accepted, "accept"), sec, Json("""{"note":"x"}"""), [("If-Match", ifMatch)]);
            yield return new($"PATCH round If-Match {ifMatch[..Math.Min(20, ifMatch.Length)]}", HttpMethod.Patch, $"/api/rounds/{closedRound}", sec, Json("""{"deadline":"2025-05-31","reason":"x"}"""), [("If-Match", ifMatch)]);
        }
        foreach (var key in new[] { "", " ", new string('k', 256), new string('k', 100_000), "key with spaces", "\u00e9t\u00e9", "'; drop table mt_events; --", "a\tb", "%00" })
        {
            var shown = key.Length > 20 ? key[..20] + "..." : key;
            yield return new($"POST status Idempotency-Key {shown}", HttpMethod.Post, $"/api/commitments/{withdrawn}/status", sec, Json(status), [("Idempotency-Key", key)]);
            yield return new($"POST reports Idempotency-Key {shown}", HttpMethod.Post, "/api/reports", fpKH, Json($$"""{"kind":"progress","plan":"{{Plan}}"}"""), [("Idempotency-Key", key)]);
            yield return new($"POST comment Idempotency-Key {shown}", HttpMethod.Post, $"/api/commitments/{live}/comments", fpTH, Json("""{"text":"x"}"""), [("Idempotency-Key", key)]);
            yield return new($"POST close Idempotency-Key {shown}", HttpMethod.Post, $"/api/rounds/{closedRound}/close", sec, Json("""{"note":"x"}"""), [("Idempotency-Key", key)]);
        }
        foreach (var auth in new[]
                 {
                     "Bearer", "Bearer ", "Bearer  " + sec, "bearer " + sec + " extra", "Basic c2VjOnNlYw==", "Bearer a.b.c", "Bearer ..", "Bearer " + new string('a', 20_000),
                     "Bearer " + sec + ", Bearer " + reviewer, "Bearer '; drop table mt_events; --", "Bearer " + sec[..^4], "Bearer " + sec.Replace('.', '%'),
                     "Negotiate abc", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "Bearer " + string.Join('.', Enumerable.Repeat("eyJ9", 50)),
                 })
        {
            var shown = auth.Length > 30 ? auth[..30] + "..." : auth;
            yield return new($"GET plan with Authorization {shown}", HttpMethod.Get, $"/api/plans/{Plan}", null, Headers: [("Authorization", auth)]);
            yield return new($"POST status with Authorization {shown}", HttpMethod.Post, $"/api/commitments/{withdrawn}/status", null, Json(status), [("Authorization", auth)]);
        }
    }

    // ---- evidence uploads: multipart forms, not JSON ----------------------------------------------------------------

    private static Func<HttpContent?> Upload(byte[] bytes, string name, string part = "file", string declaredType = "application/octet-stream") =>
        () => EvidenceTests.Form(bytes, name, part, declaredType);

    /// <summary>A file whose name is sent as an RFC 5987 filename* only: HttpClient puts no control character in a plain filename.</summary>
    private static Func<HttpContent?> UploadNamed(string name) => () =>
    {
        var form = EvidenceTests.Form(EvidenceTypeSpecs.Pdf(), "x.pdf");
        form.First().Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "file", FileNameStar = name };
        return form;
    };

    private static Func<HttpContent?> Multipart(string text, string contentType) => Bytes(Encoding.ASCII.GetBytes(text), contentType);

    /// <summary>
    /// Uploads under the guards of the JSON writes (a reviewer, another country's focal point, a withdrawn or unknown
    /// commitment), with files of every kind the upload refuses or would take, and odd ids in its routes.
    /// </summary>
    private IEnumerable<Probe> EvidenceProbes()
    {
        var guards = new (string Name, Guid Commitment, string Token)[]
        {
            ("reviewer", live, reviewer), ("another country's focal point", live, fpTH), ("withdrawn commitment", withdrawn, sec), ("unknown commitment", missing, admin),
        };
        const string part = "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello";
        var bodies = new (string Name, Func<HttpContent?>? Body)[]
        {
            ("a valid PDF", Upload(EvidenceTypeSpecs.Pdf(), "minutes.pdf")),
            ("a valid DOCX declared as an executable", Upload(EvidenceTypeSpecs.Docx(), "report.docx", declaredType: "application/x-msdownload")),
            ("an executable named .pdf", Upload(EvidenceTypeSpecs.WindowsExecutable(), "minutes.pdf", declaredType: "application/pdf")),
            ("an ELF named .csv", Upload(EvidenceTypeSpecs.LinuxExecutable(), "values.csv", declaredType: "text/csv")),
            ("an empty file", Upload([], "empty.txt")),
            ("a zip that is no office document", Upload(EvidenceTypeSpecs.Package(("notes.txt", "hello")), "notes.docx")),
            ("a damaged docx", Upload(EvidenceTypeSpecs.Docx()[..200], "cut.docx")),
            ("invalid UTF-8 text", Upload([0x61, 0xC3, 0x28, 0x62], "notes.txt")),
            ("text with a NUL", Upload("a\0b"u8.ToArray(), "notes.txt")),
            ("a path as the name", Upload(EvidenceTypeSpecs.Pdf(), "../../etc/passwd")),
            ("a dot-dot name", UploadNamed("..")),
            ("a 300-character name", Upload(EvidenceTypeSpecs.Pdf(), new string('n', 296) + ".pdf")),
            ("an injection as the name", Upload(EvidenceTypeSpecs.Pdf(), "'; drop table mt_events; --.pdf")),
            ("a script as the name", Upload(EvidenceTypeSpecs.Pdf(), "<script>alert(1)</script>.pdf")),
            ("a NUL in the name", UploadNamed("a\0b.pdf")),
            ("a control character in the name", UploadNamed("bell\u0007.pdf")),
            ("a header injection in the name", UploadNamed("a.pdf\r\nSet-Cookie: x=1")),
            ("the file in another part", Upload(EvidenceTypeSpecs.Pdf(), "minutes.pdf", part: "document")),
            ("a field named file that is no file", () => new MultipartFormDataContent { { new StringContent("minutes.pdf"), "file" } }),
            ("two files", () =>
            {
                var form = EvidenceTests.Form(EvidenceTypeSpecs.Pdf(), "a.pdf");
                form.Add(new ByteArrayContent(EvidenceTypeSpecs.Png()), "file", "b.png");
                return form;
            }),
            ("no parts", () => new MultipartFormDataContent()),
            ("a part without its end", Multipart(part, "multipart/form-data; boundary=x")),
            ("no boundary", Multipart(part + "\r\n--x--\r\n", "multipart/form-data")),
            ("a boundary of 200 characters", Multipart(part.Replace("--x", "--" + new string('b', 200)) + "\r\n--" + new string('b', 200) + "--\r\n",
                "multipart/form-data; boundary=" + new string('b', 200))),
            ("40 headers in a part", Multipart("--x\r\n" + string.Concat(Enumerable.Range(0, 40).Select(i => $"X-H{i}: v\r\n")) +
                "Content-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello\r\n--x--\r\n", "multipart/form-data; boundary=x")),
            ("JSON", Json("""{"file":"minutes.pdf"}""")),
            ("a url-encoded form", () => new FormUrlEncodedContent([new("file", "minutes.pdf")])),
            ("no body", null),
        };
        foreach (var (guard, id, token) in guards)
            foreach (var (name, body) in bodies)
                yield return new($"POST evidence [{guard}] {name}", HttpMethod.Post, $"/api/commitments/{id}/evidence", token, body);

        // Big bodies once each: a file one byte over 10 MiB, and a chunked body over the route's limit.
        var big = new byte[10 * MiB + 1];
        big.AsSpan().Fill((byte)'a');
        yield return new("POST evidence [withdrawn commitment] a file of 10 MiB and one byte", HttpMethod.Post, $"/api/commitments/{withdrawn}/evidence", sec,
            Upload(big, "big.txt"));
        yield return new("POST evidence [reviewer] a chunked body over 10 MiB", HttpMethod.Post, $"/api/commitments/{live}/evidence", reviewer,
            () => new Unsized(new byte[11 * MiB], "multipart/form-data; boundary=x"));
        yield return new("POST evidence [reviewer] with an Idempotency-Key", HttpMethod.Post, $"/api/commitments/{live}/evidence", reviewer,
            Upload(EvidenceTypeSpecs.Pdf(), "minutes.pdf"), [("Idempotency-Key", "hostile-upload")]);

        foreach (var s in Segments)
        {
            yield return new($"POST commitment {s} evidence", HttpMethod.Post, $"/api/commitments/{s}/evidence", sec, Upload(EvidenceTypeSpecs.Pdf(), "minutes.pdf"));
            yield return new($"GET evidence {s}", HttpMethod.Get, $"/api/evidence/{s}", reviewer);
        }
        yield return new("GET evidence unknown", HttpMethod.Get, $"/api/evidence/{missing}", reviewer);
        yield return new("GET evidence verify as a focal point", HttpMethod.Get, "/api/evidence/verify", fpKH);
        foreach (var (method, path) in new[] { ("PUT", $"/api/evidence/{evidence}"), ("DELETE", $"/api/evidence/{evidence}"), ("POST", $"/api/evidence/{evidence}"), ("POST", "/api/evidence/verify"), ("GET", $"/api/commitments/{live}/evidence") })
            yield return new($"{method} {path}", new HttpMethod(method), path, sec, method == "GET" ? null : Upload(EvidenceTypeSpecs.Pdf(), "minutes.pdf"));
    }

    // ---- running and judging -------------------------------------------------------------------------------------------

    /// <summary>Words that would show internals (exception types, stack frames, SQL) in an error body.</summary>
    private static readonly string[] Internals =
    [
        "Exception", "   at ", " at Strategy.", " at System.", " at Marten.", " at Npgsql.", "StackTrace", "System.", "Strategy.Api", "Strategy.Domain",
        "Strategy.Infrastructure", "Npgsql", "Marten", "JasperFx", "Hangfire", "mt_doc", "SqlState", "42P01", "22P02", "select ", "SELECT ", ".cs:line",
    ];

    [Fact]
    public async Task A_thousand_hostile_requests_get_problem_documents_never_a_5xx_and_append_nothing()
    {
        await ArrangeAsync();
        var random = new Random(Seed);
        var probes = BodyProbes(random).Concat(RouteProbes(random)).Concat(QueryProbes(random)).Concat(HeaderProbes()).Concat(EvidenceProbes()).ToList();
        probes.Count.ShouldBeGreaterThanOrEqualTo(1000);

        var client = api.CreateClient();
        client.Timeout = TimeSpan.FromMinutes(2);
        var before = await api.EventCount();
        var failures = new ConcurrentQueue<(string Kind, string Probe, string Body)>();
        var statuses = new ConcurrentDictionary<int, int>();
        var clock = Stopwatch.StartNew();

        await Parallel.ForEachAsync(probes, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (probe, _) =>
        {
            if (await Judge(client, probe, statuses) is { } wrong) failures.Enqueue((wrong.Kind, probe.Name, wrong.Body));
        });

        var after = await api.EventCount();
        output.WriteLine($"{probes.Count} hostile requests in {clock.Elapsed.TotalSeconds:0.0} s, {Parallelism} at a time (seed {Seed}).");
        output.WriteLine("Answers: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}")));
        output.WriteLine($"Events before {before}, after {after}.");
        foreach (var kind in failures.GroupBy(f => f.Kind).OrderByDescending(g => g.Count()))
        {
            output.WriteLine($"{kind.Count()} x {kind.Key}:");
            foreach (var (_, probe, body) in kind.Take(4)) output.WriteLine($"    {probe}: {body}");
        }

        failures.ShouldBeEmpty($"{failures.Count} of {probes.Count} requests were mishandled: " +
            string.Join("; ", failures.GroupBy(f => f.Kind).Select(g => $"{g.Count()} x {g.Key} (e.g. {g.First().Probe})")));
        after.ShouldBe(before);
    }

    [Fact]
    public async Task Hostile_text_that_is_valid_is_stored_as_given_and_a_NUL_is_refused_with_400()
    {
        var secretariat = api.Secretariat();
        (await secretariat.PostJson("/api/plans", TestPlan.Document("HOSTILE-TEXT"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var made = await secretariat.PostJson("/api/plans/HOSTILE-TEXT/commitments", TestPlan.Commitment("KH"));
        made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
        var id = (await made.Json()).GetProperty("id").GetGuid();

        string[] notes = ["<script>alert(1)</script>", "'; drop table mt_events; --", "\" OR 1=1 --", "=HYPERLINK(\"http://x\")", "\u202e\u0645\u0631\u062d\u0628\u0627 \ud83c\udf0f"];
        for (var i = 0; i < notes.Length; i++)
        {
            var reported = await secretariat.PostJson($"/api/commitments/{id}/progress", new { value = i, asOf = $"2025-01-0{i + 1}", note = notes[i] });
            reported.StatusCode.ShouldBe(HttpStatusCode.OK, await reported.Content.ReadAsStringAsync());
            reported.Content.Headers.ContentType.ShouldNotBeNull().MediaType.ShouldBe("application/json");
        }
        var history = await (await api.Reviewer().GetAsync($"/api/commitments/{id}/history")).Json();
        history.EnumerateArray().Select(e => e.GetProperty("note").GetString()).Where(n => n is not null).ShouldBe(notes);

        // PostgreSQL cannot store a NUL in text or jsonb: the request is refused, as the caller's error, with nothing saved.
        var before = await api.EventCount();
        await (await secretariat.PostJson($"/api/commitments/{id}/progress", new { value = 9, asOf = "2025-02-01", note = "a\u0000b" })).ShouldBeProblem(400, "note");
        await (await secretariat.SendJson(HttpMethod.Patch, $"/api/commitments/{id}", new { title = "Nul\u0000title", reason = "x" })).ShouldBeProblem(400, "title");
        var plan = JsonSerializer.Serialize(TestPlan.Document("HOSTILE-NUL"), ApiFactory.JsonOptions).Replace("Test plan", "Test\\u0000plan");
        await (await secretariat.PostJson("/api/plans", plan)).ShouldBeProblem(400, "title");
        await (await api.Reviewer().GetAsync("/api/audit?actor=a%00b")).ShouldBeProblem(400, "actor");
        await (await api.Reviewer().GetAsync("/api/plans/HOSTILE-TEXT/commitments?goal=%00")).ShouldBeProblem(400, "goal");
        (await api.EventCount()).ShouldBe(before);
    }

    [Fact]
    public async Task After_many_NUL_refusals_every_valid_write_still_succeeds()
    {
        // A NUL used to reach PostgreSQL, whose refusal in the middle of a statement batch left now and then a pooled
        // connection out of step: the next write on it failed with 500 (about 1 in 40 rounds of this loop).
        var secretariat = api.Secretariat();
        var plan = "HOSTILE-LOOP-" + Guid.NewGuid().ToString("N")[..8];
        (await secretariat.PostJson("/api/plans", TestPlan.Document(plan))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var made = await secretariat.PostJson($"/api/plans/{plan}/commitments", TestPlan.Commitment("KH"));
        made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
        var id = (await made.Json()).GetProperty("id").GetGuid();
        var withNul = JsonSerializer.Serialize(TestPlan.Document(plan + "-NUL"), ApiFactory.JsonOptions).Replace("Test plan", "Test\\u0000plan");
        for (var i = 0; i < 150; i++)
        {
            await (await secretariat.PostJson($"/api/commitments/{id}/progress", new { value = 9, asOf = "2025-02-01", note = "a\u0000b" })).ShouldBeProblem(400, "note");
            await (await secretariat.PostJson("/api/plans", withNul)).ShouldBeProblem(400, "title");
            var valid = await secretariat.PostJson($"/api/commitments/{id}/progress", new { value = i, asOf = "2025-03-01" });
            valid.StatusCode.ShouldBe(HttpStatusCode.OK, $"round {i}: {await valid.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task A_NUL_in_a_reporting_cycle_write_that_would_otherwise_succeed_is_refused_with_400_and_appends_nothing()
    {
        // No guard here: each request is valid but for the NUL, so it is the NUL alone that must stop it, as the caller's error.
        const string nul = "a\u0000b";
        var plan = "HOSTILE-NUL-" + Guid.NewGuid().ToString("N")[..8];
        var secretariat = api.Secretariat();
        var kh = api.FocalPoint("KH");
        (await secretariat.PostJson("/api/plans", TestPlan.Document(plan))).StatusCode.ShouldBe(HttpStatusCode.Created);
        async Task<Guid> Commitment()
        {
            var made = await secretariat.PostJson($"/api/plans/{plan}/commitments", TestPlan.Commitment("KH"));
            made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
            return (await made.Json()).GetProperty("id").GetGuid();
        }
        var id = await Commitment();
        (await kh.PostJson($"/api/commitments/{id}/progress", new { value = 2, asOf = "2025-06-30" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var value = (await (await secretariat.GetAsync($"/api/commitments/{id}/values")).Json()).EnumerateArray().Single().GetProperty("id").GetGuid();
        var gone = await Commitment();
        (await secretariat.PostJson($"/api/commitments/{gone}/withdraw", new { reason = "Made in error" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var opened = await secretariat.PostJson($"/api/plans/{plan}/rounds", new { code = "2025-Q3", periodStart = "2025-07-01", periodEnd = "2025-09-30", deadline = "2025-10-15" });
        opened.StatusCode.ShouldBe(HttpStatusCode.Created, await opened.Content.ReadAsStringAsync());
        var round = (await opened.Json()).GetProperty("id").GetGuid();
        var before = await api.EventCount();

        await (await secretariat.PostJson($"/api/commitments/{id}/values/{value}/accept", new { note = nul })).ShouldBeProblem(400, "note");
        await (await secretariat.PostJson($"/api/commitments/{id}/values/{value}/return", new { comment = nul })).ShouldBeProblem(400, "comment");
        await (await kh.PostJson($"/api/commitments/{id}/values/{value}/retract", new { reason = nul })).ShouldBeProblem(400, "reason");
        await (await secretariat.PostJson($"/api/commitments/{id}/values/{value}/retract", new { reason = nul })).ShouldBeProblem(400, "reason");
        await (await kh.PostJson($"/api/commitments/{id}/comments", new { text = nul })).ShouldBeProblem(400, "text");
        await (await secretariat.PostJson($"/api/commitments/{gone}/restore", new { reason = nul })).ShouldBeProblem(400, "reason");
        await (await secretariat.PostJson($"/api/plans/{plan}/rounds",
            new { code = "2025-Q4", title = nul, periodStart = "2025-10-01", periodEnd = "2025-12-31", deadline = "2026-01-15" })).ShouldBeProblem(400, "title");
        await (await secretariat.PostJson($"/api/plans/{plan}/rounds",
            new { code = "2025\u0000Q4", periodStart = "2025-10-01", periodEnd = "2025-12-31", deadline = "2026-01-15" })).ShouldBeProblem(400, "code");
        await (await secretariat.SendJson(HttpMethod.Patch, $"/api/rounds/{round}", new { deadline = "2025-10-31", reason = nul })).ShouldBeProblem(400, "reason");
        await (await secretariat.PostJson($"/api/rounds/{round}/close", new { note = nul })).ShouldBeProblem(400, "note");
        await (await secretariat.GetAsync($"/api/review-queue?plan={plan}&round=a%00b")).ShouldBeProblem(400, "round");
        await (await secretariat.GetAsync($"/api/review-queue?plan={plan}&country=%00")).ShouldBeProblem(400, "country");

        (await api.EventCount()).ShouldBe(before);
        // Nothing half-done: the value is still submitted, the thread empty, the commitment withdrawn, the round open.
        (await (await secretariat.GetAsync($"/api/commitments/{id}/values")).Json()).EnumerateArray().Single().GetProperty("state").GetString().ShouldBe("submitted");
        (await (await secretariat.GetAsync($"/api/commitments/{id}/comments")).Json()).GetArrayLength().ShouldBe(0);
        (await (await secretariat.GetAsync($"/api/commitments/{gone}")).Json()).GetProperty("withdrawn").GetBoolean().ShouldBeTrue();
        (await (await secretariat.GetAsync($"/api/rounds/{round}")).Json()).GetProperty("state").GetString().ShouldBe("open");
    }

    /// <summary>Null when the answer is right; else what is wrong (the kind, to group by) and the body.</summary>
    private static async Task<(string Kind, string Body)?> Judge(HttpClient client, Probe probe, ConcurrentDictionary<int, int> statuses)
    {
        using var request = new HttpRequestMessage(probe.Method, probe.Url) { Content = probe.Body?.Invoke() };
        if (probe.Token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", probe.Token);
        foreach (var (name, value) in probe.Headers ?? [])
            if (!request.Headers.TryAddWithoutValidation(name, value) && request.Content is not null)
            {
                request.Content.Headers.Remove(name);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }

        // What the request itself carries: an error may quote it back (JSON-encoded), which is not a leak.
        var sent = probe.Url + string.Concat((probe.Headers ?? []).Select(h => h.Value))
            + (request.Content is null ? "" : Encoding.UTF8.GetString(await request.Content.ReadAsByteArrayAsync()));

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request);
        }
        catch (Exception e)
        {
            return ($"no answer: {e.GetType().Name}", First(e.Message));
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            var body = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
            if (status >= 500) return ($"{status}", First(body));
            if (!response.Headers.TryGetValues("X-Content-Type-Options", out var nosniff) || !nosniff.Contains("nosniff"))
                return ($"{status} without the security headers", "");
            if (status is >= 200 and < 300)
                return probe.Method == HttpMethod.Get || probe.Method == HttpMethod.Head || probe.Method == HttpMethod.Options
                    ? null
                    : ($"a write succeeded with {status}", First(body));
            if (probe.Method == HttpMethod.Head) return null; // no body by definition
            if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                return ($"{status} as {response.Content.Headers.ContentType?.MediaType ?? "no content type"}", First(body));
            try
            {
                var problem = JsonDocument.Parse(body).RootElement;
                if (!problem.TryGetProperty("status", out var s) || s.GetInt32() != status) return ($"{status} with another status in the problem", First(body));
                foreach (var member in new[] { "type", "title", "traceId" })
                    if (!problem.TryGetProperty(member, out var m) || m.ValueKind != JsonValueKind.String || m.GetString()!.Length == 0)
                        return ($"{status} problem without {member}", First(body));
            }
            catch (JsonException)
            {
                return ($"{status} with a body that is not JSON", First(body));
            }
            foreach (var word in Internals)
                if (body.Contains(word, StringComparison.Ordinal) && !sent.Contains(word, StringComparison.Ordinal))
                    return ($"{status} shows internals ('{word}')", First(body));
            return null;
        }
    }

    private static string First(string text) => text.Length > 400 ? text[..400] + "..." : text;
}
