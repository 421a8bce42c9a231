using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Strategy.Api.Http;
using Strategy.Domain;
using Strategy.Domain.Commitments;

namespace Strategy.Tests.Api;

/// <summary>
/// The OpenAPI document is the contract clients are generated from: it is the checked-in docs/openapi.json, every
/// operation declares what it answers, and every limit it states for a request body member is the limit the server
/// holds that member to, no more and no less.
/// </summary>
public sealed class OpenApiContractTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string UpdateVariable = "STRATEGY_UPDATE_CONTRACT";

    private async Task<JsonNode> Served()
    {
        var response = await api.CreateClient().GetAsync("/openapi/v1.json");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync()).ShouldNotBeNull();
    }

    public static string ContractPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Strategy.sln"))) return System.IO.Path.Combine(dir.FullName, "docs", "openapi.json");
        throw new InvalidOperationException("The repository (Strategy.sln) is not above " + AppContext.BaseDirectory);
    }

    [Fact]
    public async Task The_served_document_is_the_checked_in_contract()
    {
        var served = (await Served()).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        var path = ContractPath();
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1") await File.WriteAllTextAsync(path, served);
        var checkedIn = (await File.ReadAllTextAsync(path)).ReplaceLineEndings("\n");
        // The message says how to accept a deliberate change: the diff then shows in review.
        (checkedIn == served).ShouldBeTrue(
            $"The served OpenAPI document differs from {path}. If the change is meant, run {UpdateVariable}=1 ./test.sh --filter OpenApiContractTests and commit the file.");
    }

    private static IEnumerable<(string Path, string Method, JsonObject Operation)> Operations(JsonNode doc) =>
        from path in doc["paths"]!.AsObject()
        from op in path.Value!.AsObject()
        select (path.Key, op.Key, op.Value!.AsObject());

    [Fact]
    public async Task Every_operation_declares_its_answers_with_a_schema_and_its_errors_as_problems()
    {
        var doc = await Served();
        var operations = Operations(doc).ToList();
        operations.Count.ShouldBeGreaterThan(40);
        foreach (var (path, method, op) in operations)
        {
            var name = $"{method.ToUpperInvariant()} {path}";
            var responses = op["responses"]!.AsObject();
            foreach (var (status, response) in responses)
            {
                var content = response!["content"]?.AsObject();
                if (status.StartsWith('2') && status != "204")
                {
                    content.ShouldNotBeNull($"{name} {status} declares no body");
                    content.ShouldAllBe(c => c.Value!["schema"] != null, $"{name} {status} declares a body without a schema");
                }
                if (status[0] is '4' or '5')
                    content.ShouldNotBeNull($"{name} {status}").ContainsKey("application/problem+json").ShouldBeTrue($"{name} {status} is not a problem document");
            }
            responses.ContainsKey("500").ShouldBeTrue(name);
            responses.ContainsKey("503").ShouldBeTrue(name);
            var anonymous = op["security"] is JsonArray { Count: 0 };
            responses.ContainsKey("401").ShouldBe(!anonymous, name);
            // Every operation under /api is rate limited: 429 with Retry-After, and the IETF fields on every 2xx and 4xx.
            responses["429"].ShouldNotBeNull(name)["headers"]!.AsObject().ContainsKey("Retry-After").ShouldBeTrue(name);
            foreach (var (status, response) in responses.Where(r => r.Key[0] is '2' or '4'))
            {
                var headers = response!["headers"].ShouldNotBeNull($"{name} {status} declares no headers").AsObject();
                headers.ContainsKey(RateLimits.PolicyHeader).ShouldBeTrue($"{name} {status}");
                headers.ContainsKey(RateLimits.StateHeader).ShouldBeTrue($"{name} {status}");
            }
        }
    }

    [Fact]
    public async Task The_lint_excuses_from_length_limits_exactly_the_report_content_schemas()
    {
        var components = (await Served())["components"]!["schemas"]!.AsObject().Select(c => c.Key).ToHashSet();
        var reportTypes = typeof(Strategy.Domain.Reports.ProgressReportContent).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(Strategy.Domain.Reports.ProgressReportContent).Namespace && !t.IsEnum && components.Contains(t.Name))
            .Select(t => t.Name).ToList();
        reportTypes.ShouldContain("ProgressReportContent");
        var ruleset = await File.ReadAllTextAsync(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetDirectoryName(ContractPath()))!, "tools", "openapi-lint", ".spectral.yaml"));
        var excused = System.Text.RegularExpressions.Regex.Matches(ruleset, "#/components/schemas/([A-Za-z]+)\"").Select(m => m.Groups[1].Value)
            .Where(n => n != "Stream").ToList();
        excused.ShouldBe(reportTypes, ignoreOrder: true);
    }

    [Fact]
    public async Task Numeric_query_parameters_are_integers_with_their_bounds()
    {
        var doc = await Served();
        var numeric = new HashSet<string> { "page", "pageSize", "limit", "after", "upTo", "wait" };
        var seen = 0;
        foreach (var (path, method, op) in Operations(doc))
            foreach (var parameter in op["parameters"]?.AsArray() ?? [])
            {
                var name = parameter!["name"]!.GetValue<string>();
                if (!numeric.Contains(name)) continue;
                seen++;
                var schema = parameter["schema"]!;
                schema["type"]!.GetValue<string>().ShouldBe("integer", $"{method} {path} {name}");
                schema["minimum"].ShouldNotBeNull($"{method} {path} {name}");
                schema["maximum"].ShouldNotBeNull($"{method} {path} {name}");
            }
        seen.ShouldBeGreaterThanOrEqualTo(12);
    }

    [Fact]
    public async Task Optional_members_of_request_bodies_are_optional()
    {
        var schemas = (await Served())["components"]!["schemas"]!;
        schemas["ChangeStatusBody"]!["required"]!.AsArray().Select(n => n!.GetValue<string>()).ShouldBe(["status"]);
        schemas["ReviseBody"]!["required"]!.AsArray().Select(n => n!.GetValue<string>()).ShouldBe(["reason"]);
        schemas["SubmitValueBody"]!["required"]!.AsArray().Select(n => n!.GetValue<string>()).ShouldBe(["value", "asOf"], ignoreOrder: true);
    }

    // ------------------------------------------------ limits ------------------------------------------------

    [Fact]
    public void What_the_service_writes_itself_fits_the_limits_the_contract_states_for_it()
    {
        // The SDG catalogue is the UN's text: its titles are as long as they are, and the contract must allow them.
        var sdg = new Strategy.Infrastructure.ReferenceData.SdgCatalog();
        var titles = sdg.Goals.Select(g => g.Title).Concat(sdg.Targets.Select(t => t.Title)).Concat(sdg.Targets.SelectMany(t => t.Indicators).Select(i => i.Title)).ToList();
        foreach (var lang in Strategy.Infrastructure.ReferenceData.SdgCatalog.TranslationFiles.Keys)
            titles.AddRange(sdg.Targets.Select(t => sdg.Translated(lang, "target", t.Target)).Concat(sdg.Targets.SelectMany(t => t.Indicators).Select(i => sdg.Translated(lang, "indicator", i.Indicator)))
                .OfType<string>());
        titles.Count.ShouldBeGreaterThan(1500);
        titles.Max(t => t.Length).ShouldBeLessThanOrEqualTo(MemberLimits.SdgTitleLength);
        titles.Max(t => t.Length).ShouldBeGreaterThan(Codes.MaxTitleLength, "the catalogue's own limit would not be needed");
        // An audit entry lists one change per revised term at most.
        typeof(CommitmentTerms).GetProperties().Length.ShouldBeLessThanOrEqualTo(Strategy.Infrastructure.Audit.AuditLog.MaxChanges);
    }

    /// <summary>A member of a request body the document bounds: a string (maxLength) or a list (maxItems).</summary>
    private sealed record Bounded(string Operation, string Method, string Url, string Pointer, string Member, int Limit, bool IsList, JsonObject ItemSchema);

    [Fact]
    public async Task Every_string_and_list_member_of_every_request_body_is_bounded_exactly_as_the_server_bounds_it()
    {
        var doc = await Served();
        var bodies = 0;
        var bounded = new List<Bounded>();
        foreach (var (path, method, op) in Operations(doc))
        {
            if (op["requestBody"]?["content"]?["application/json"]?["schema"] is not { } schema) continue;
            bodies++;
            var url = Url(path);
            Collect(doc, Resolve(doc, schema), "", $"{method.ToUpperInvariant()} {path}", method, url, bounded);
        }
        bodies.ShouldBeGreaterThanOrEqualTo(18);
        bounded.Count.ShouldBeGreaterThan(60);

        var client = api.As("secretariat", sub: "contract-" + Guid.NewGuid().ToString("N")[..8]);
        var failures = new List<string>();
        foreach (var b in bounded)
        {
            var body = Sample(doc, Resolve(doc, OperationSchema(doc, b)));
            var over = await Send(client, b, With(body, b, b.Limit + 1));
            var overBody = await over.Content.ReadAsStringAsync();
            var expected = b.IsList ? Codes.TooMany(b.Limit) : Codes.TooLong(b.Limit);
            if (over.StatusCode != HttpStatusCode.BadRequest || !Names(overBody, b.Member, expected))
                failures.Add($"{b.Operation} {b.Member}: {b.Limit + 1} {(b.IsList ? "items" : "characters")} answered {(int)over.StatusCode} {overBody}");

            var at = await Send(client, b, With(body, b, b.Limit));
            var atBody = await at.Content.ReadAsStringAsync();
            if (at.StatusCode == HttpStatusCode.BadRequest && Names(atBody, b.Member, expected))
                failures.Add($"{b.Operation} {b.Member}: {b.Limit} {(b.IsList ? "items" : "characters")} refused: {atBody}");
        }
        failures.ShouldBeEmpty(string.Join("\n", failures));
    }

    [Fact]
    public async Task Leaving_out_a_member_a_request_body_requires_is_refused_naming_it()
    {
        var doc = await Served();
        var client = api.As("secretariat", sub: "contract-" + Guid.NewGuid().ToString("N")[..8]);
        var failures = new List<string>();
        var checkedMembers = 0;
        foreach (var (path, method, op) in Operations(doc))
        {
            if (op["requestBody"]?["content"]?["application/json"]?["schema"] is not { } raw) continue;
            var schema = Resolve(doc, raw);
            foreach (var required in schema["required"]?.AsArray().Select(n => n!.GetValue<string>()) ?? [])
            {
                checkedMembers++;
                var body = Sample(doc, schema)!.AsObject();
                body.Remove(required);
                var response = await client.SendJson(new HttpMethod(method.ToUpperInvariant()), Url(path), body.ToJsonString());
                var text = await response.Content.ReadAsStringAsync();
                using var problem = JsonDocument.Parse(text);
                if (response.StatusCode != HttpStatusCode.BadRequest || !problem.RootElement.TryGetProperty("errors", out var errors) || !errors.TryGetProperty(required, out _))
                    failures.Add($"{method.ToUpperInvariant()} {path} without {required}: {(int)response.StatusCode} {text}");
            }
        }
        checkedMembers.ShouldBeGreaterThan(25);
        failures.ShouldBeEmpty(string.Join("\n", failures));
    }

    private static JsonNode OperationSchema(JsonNode doc, Bounded b) =>
        doc["paths"]![Path(b.Operation)]![b.Method]!["requestBody"]!["content"]!["application/json"]!["schema"]!;

    private static string Path(string operation) => operation[(operation.IndexOf(' ') + 1)..];

    private static string Url(string path) => path
        .Replace("{code}", "P1").Replace("{outcome}", "O1")
        .Replace("{id}", Guid.NewGuid().ToString()).Replace("{valueId}", Guid.NewGuid().ToString());

    private static Task<HttpResponseMessage> Send(HttpClient client, Bounded b, JsonNode body) =>
        client.SendJson(new HttpMethod(b.Method.ToUpperInvariant()), b.Url, body.ToJsonString());

    /// <summary>Whether the problem's errors name the member with this message.</summary>
    private static bool Names(string problem, string member, string message)
    {
        using var json = JsonDocument.Parse(problem);
        return json.RootElement.TryGetProperty("errors", out var errors)
            && errors.TryGetProperty(member, out var messages)
            && messages.EnumerateArray().Any(m => m.GetString() == message);
    }

    private static JsonObject Resolve(JsonNode doc, JsonNode schema)
    {
        if (schema["$ref"] is { } reference)
            return doc["components"]!["schemas"]![reference.GetValue<string>().Split('/').Last()]!.AsObject();
        if (schema["oneOf"] is JsonArray oneOf) return Resolve(doc, oneOf.First(s => s!["type"]?.ToString() != "null")!);
        return schema.AsObject();
    }

    private static bool Is(JsonObject schema, string type) =>
        schema["type"] is JsonArray types ? types.Any(t => t!.GetValue<string>() == type) : schema["type"]?.GetValue<string>() == type;

    /// <summary>Every bounded member under a schema; the member path is the one a problem names (goals[0].title).</summary>
    private static void Collect(JsonNode doc, JsonObject schema, string prefix, string operation, string method, string url, List<Bounded> into)
    {
        foreach (var (name, raw) in schema["properties"]?.AsObject() ?? [])
        {
            var member = Resolve(doc, raw!);
            var at = prefix + name;
            if (Is(member, "string") && member["enum"] is null)
            {
                // Identifiers, dates and instants are bounded by their form, which the JSON reader enforces.
                if (member["format"]?.GetValue<string>() is "uuid" or "date" or "date-time") continue;
                var max = member["maxLength"].ShouldNotBeNull($"{operation}: {at} has no maxLength");
                into.Add(new(operation, method, url, at, at, max.GetValue<int>(), false, member));
            }
            else if (Is(member, "array"))
            {
                var max = member["maxItems"].ShouldNotBeNull($"{operation}: {at} has no maxItems");
                var items = Resolve(doc, member["items"]!);
                into.Add(new(operation, method, url, at, at, max.GetValue<int>(), true, items));
                if (Is(items, "string") && items["format"] is null)
                    into.Add(new(operation, method, url, at + "[0]", at + "[0]", items["maxLength"].ShouldNotBeNull($"{operation}: {at}[] has no maxLength").GetValue<int>(), false, items));
                if (Is(items, "object")) Collect(doc, items, at + "[0].", operation, method, url, into);
            }
            else if (Is(member, "object")) Collect(doc, member, at + ".", operation, method, url, into);
        }
    }

    /// <summary>A body with every member present and valid in form, from the document's own schema.</summary>
    private static JsonNode? Sample(JsonNode doc, JsonObject schema)
    {
        if (schema["enum"] is JsonArray values) return values.First(v => v is not null)!.DeepClone();
        if (Is(schema, "object"))
        {
            var body = new JsonObject();
            foreach (var (name, raw) in schema["properties"]?.AsObject() ?? []) body[name] = Sample(doc, Resolve(doc, raw!));
            return body;
        }
        if (Is(schema, "array")) return new JsonArray(Sample(doc, Resolve(doc, schema["items"]!)));
        if (Is(schema, "number") || Is(schema, "integer")) return 1;
        if (Is(schema, "boolean")) return true;
        return schema["format"]?.GetValue<string>() switch
        {
            "uuid" => Guid.NewGuid().ToString(),
            "date" => "2025-03-31",
            "date-time" => "2025-03-31T00:00:00Z",
            "uri" => "https://example.org/minutes.pdf",
            "email" => "desk.officer@moe.gov.kh",
            // The shortest length each pattern takes whole (a country's two letters, "13.2", a hash's 64 digits).
            _ => Text(schema, schema["pattern"]?.GetValue<string>() switch
            {
                "^[A-Z]{2}$" => 2,
                "^[a-z]{2}$" => 2,
                "^([A-Z]{3})?$" => 3,
                var p when p?.StartsWith("^[0-9]{1,2}", StringComparison.Ordinal) == true => 4,
                "^[0-9a-f]{64}$" => 64,
                _ => 1,
            }),
        };
    }

    /// <summary>A string of the length that fits the member's pattern (codes, countries, hashes), or plain letters.</summary>
    private static string Text(JsonObject schema, int length) => schema["pattern"]?.GetValue<string>() switch
    {
        null => new string('a', length),
        var p when p.Contains("[A-Za-z0-9][A-Za-z0-9._\\-]") => "A" + new string('b', Math.Max(0, length - 1)),
        "^[A-Z]{2}$" => length == 2 ? "KH" : new string('K', length),
        "^[a-z]{2}$" => length == 2 ? "km" : new string('k', length),
        "^([A-Z]{3})?$" => new string('K', length),
        "^[0-9a-f]{64}$" => new string('a', length),
        var p when p.StartsWith("^[0-9]{1,2}", StringComparison.Ordinal) => length <= 5 ? "13.2b"[..Math.Max(4, length)] : "13.2" + new string('1', length - 4),
        var p => throw new InvalidOperationException($"No sample for pattern {p}; add one."),
    };

    /// <summary>The body with the member at <paramref name="size"/> characters or items.</summary>
    private static JsonNode With(JsonNode? body, Bounded b, int size)
    {
        var copy = body.ShouldNotBeNull().DeepClone();
        var steps = b.Pointer.Replace("[0]", ".0").Split('.');
        JsonNode parent = copy;
        for (var i = 0; i < steps.Length - 1; i++) parent = Step(parent, steps[i]);
        var last = steps[^1];
        JsonNode? value = b.IsList
            ? new JsonArray([.. Enumerable.Range(0, size).Select(_ => ((JsonArray)Step(parent, last))[0]!.DeepClone())])
            : Text(b.ItemSchema, size);
        if (parent is JsonArray array) array[int.Parse(last)] = value;
        else parent[last] = value;
        return copy;
    }

    private static JsonNode Step(JsonNode node, string step) => node is JsonArray array ? array[int.Parse(step)]! : node[step]!;
}
