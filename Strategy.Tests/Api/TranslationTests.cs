using System.Net;
using System.Text.Json;

namespace Strategy.Tests.Api;

/// <summary>
/// Plan and commitment texts in the members' languages: written as events with their actor, read back in the language
/// asked for (lang or Accept-Language) where translated, English otherwise, each item saying which.
/// </summary>
public sealed class TranslationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string KhmerClimate = "អាកាសធាតុ";
    private const string KhmerClimateGoal = "គោលដៅអាកាសធាតុ";
    private const string KhmerAdaptation = "ផែនការបន្សាំ";
    private const string KhmerPlansAdopted = "ផែនការដែលបានអនុម័ត";

    private async Task<string> Plan()
    {
        var code = "TR-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        (await api.Secretariat().PostJson("/api/plans", TestPlan.Document(code))).StatusCode.ShouldBe(HttpStatusCode.Created);
        return code;
    }

    private async Task<Guid> Commitment(string plan, string country = "KH")
    {
        var made = await api.Secretariat().PostJson($"/api/plans/{plan}/commitments", TestPlan.Commitment(country));
        made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
        return (await made.Json()).GetProperty("id").GetGuid();
    }

    private static object KhmerTexts => new
    {
        goals = new Dictionary<string, object> { ["G1"] = new { title = KhmerClimate, description = KhmerClimateGoal } },
        outcomes = new Dictionary<string, object> { ["G1.O1"] = new { title = KhmerAdaptation } },
        indicators = new Dictionary<string, object> { ["G1.O1.I1"] = new { title = KhmerPlansAdopted } },
    };

    /// <summary>A read whose answer depends on the reader's language, so caches are told it varies with Accept-Language.</summary>
    private async Task<JsonElement> Get(string url, string? acceptLanguage = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (acceptLanguage is not null) request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        var response = await api.Reviewer().SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        response.Headers.Vary.ShouldContain("Accept-Language");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static JsonElement Goal(JsonElement plan, string code) => plan.GetProperty("goals").EnumerateArray().Single(g => g.GetProperty("code").GetString() == code);

    [Fact]
    public async Task A_plan_translation_by_the_secretariat_is_read_in_that_language_and_the_rest_stays_English_saying_so()
    {
        var plan = await Plan();
        var written = await api.Secretariat().PutJson($"/api/plans/{plan}/translations/km", KhmerTexts);
        written.StatusCode.ShouldBe(HttpStatusCode.OK, await written.Content.ReadAsStringAsync());
        Goal(await written.Json(), "G1").GetProperty("title").GetString().ShouldBe(KhmerClimate);

        foreach (var (query, header) in new[] { ("?lang=km", (string?)null), ("", "km-KH,en;q=0.5") })
        {
            var read = await Get($"/api/plans/{plan}{query}", header);
            var g1 = Goal(read, "G1");
            g1.GetProperty("title").GetString().ShouldBe(KhmerClimate);
            g1.GetProperty("description").GetString().ShouldBe(KhmerClimateGoal);
            g1.GetProperty("lang").GetString().ShouldBe("km");
            var outcomes = g1.GetProperty("outcomes").EnumerateArray().ToDictionary(o => o.GetProperty("code").GetString()!);
            outcomes["G1.O1"].GetProperty("title").GetString().ShouldBe(KhmerAdaptation);
            outcomes["G1.O1"].GetProperty("lang").GetString().ShouldBe("km");
            var indicator = outcomes["G1.O1"].GetProperty("indicators").EnumerateArray().Single();
            indicator.GetProperty("title").GetString().ShouldBe(KhmerPlansAdopted);
            indicator.GetProperty("lang").GetString().ShouldBe("km");
            // Not translated: the English text, marked as English.
            outcomes["G1.O2"].GetProperty("title").GetString().ShouldBe("Cleaner air");
            outcomes["G1.O2"].GetProperty("lang").GetString().ShouldBe("en");
            Goal(read, "G2").GetProperty("title").GetString().ShouldBe("Water");
            Goal(read, "G2").GetProperty("lang").GetString().ShouldBe("en");
        }

        // English readers, and readers of a language nobody translated into, get the source texts.
        foreach (var query in new[] { "", "?lang=en", "?lang=lo", "?lang=fr" })
        {
            var g1 = Goal(await Get($"/api/plans/{plan}{query}"), "G1");
            g1.GetProperty("title").GetString().ShouldBe("Climate");
            g1.GetProperty("lang").GetString().ShouldBe("en");
        }
    }

    [Fact]
    public async Task A_plan_translation_replaces_the_languages_earlier_one_and_the_audit_log_shows_both_with_the_actor()
    {
        var plan = await Plan();
        (await api.Secretariat().PutJson($"/api/plans/{plan}/translations/km", KhmerTexts)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var replaced = await api.As("admin", sub: "admin-1", name: "Admin One").PutJson($"/api/plans/{plan}/translations/km",
            new { goals = new Dictionary<string, object> { ["G2"] = new { title = "ទឹក" } } });
        replaced.StatusCode.ShouldBe(HttpStatusCode.OK, await replaced.Content.ReadAsStringAsync());

        var read = await Get($"/api/plans/{plan}?lang=km");
        Goal(read, "G2").GetProperty("title").GetString().ShouldBe("ទឹក");
        // Left out of the new translation: English again.
        Goal(read, "G1").GetProperty("title").GetString().ShouldBe("Climate");
        Goal(read, "G1").GetProperty("lang").GetString().ShouldBe("en");

        await AuditSupport.WaitForDaemon(api);
        var entries = (await AuditSupport.Walk(api.Reviewer(), $"plan={plan}&type=plan-translated", 100)).ToList();
        entries.Count.ShouldBe(2);
        entries[0].GetProperty("actor").GetProperty("id").GetString().ShouldBe("sec-1");
        entries[1].GetProperty("actor").GetProperty("id").GetString().ShouldBe("admin-1");
        var change = entries[1].GetProperty("changes").EnumerateArray().Single();
        change.GetProperty("field").GetString().ShouldBe("translations.km");
        change.GetProperty("before").GetProperty("goals").GetProperty("G1").GetProperty("title").GetString().ShouldBe(KhmerClimate);
        change.GetProperty("after").GetProperty("goals").GetProperty("G2").GetProperty("title").GetString().ShouldBe("ទឹក");

        // As of before the first translation, the plan reads in English.
        var before = entries[0].GetProperty("timestamp").GetDateTimeOffset().AddTicks(-10);
        Goal(await Get($"/api/plans/{plan}?lang=km&asOf={AuditSupport.Iso(before)}"), "G1").GetProperty("lang").GetString().ShouldBe("en");
    }

    [Fact]
    public async Task A_plan_translation_is_refused_for_unknown_codes_languages_and_roles_and_appends_nothing()
    {
        var plan = await Plan();
        var before = await api.EventCount();
        var url = $"/api/plans/{plan}/translations/km";
        await (await api.Secretariat().PutJson(url, new { goals = new Dictionary<string, object> { ["G9"] = new { title = "x" } } })).ShouldBeProblem(400, "goals.G9");
        await (await api.Secretariat().PutJson(url, new { outcomes = new Dictionary<string, object> { ["G1.O1"] = new { title = "x", description = "y" } } }))
            .ShouldBeProblem(400, "outcomes.G1.O1.description");
        await (await api.Secretariat().PutJson(url, new { indicators = new Dictionary<string, object> { ["G1.O1.I1"] = new { title = " " } } }))
            .ShouldBeProblem(400, "indicators.G1.O1.I1.title");
        await (await api.Secretariat().PutJson(url, new { goals = new Dictionary<string, object>() })).ShouldBeProblem(400, "body");
        await (await api.Secretariat().PutJson($"/api/plans/{plan}/translations/en", KhmerTexts)).ShouldBeProblem(400, "lang");
        await (await api.Secretariat().PutJson($"/api/plans/{plan}/translations/fr", KhmerTexts)).ShouldBeProblem(400, "lang");
        await (await api.FocalPoint("KH").PutJson(url, KhmerTexts)).ShouldBeProblem(403);
        await (await api.Reviewer().PutJson(url, KhmerTexts)).ShouldBeProblem(403);
        await (await api.Secretariat().PutJson("/api/plans/NO-SUCH-PLAN/translations/km", KhmerTexts)).ShouldBeProblem(404);
        (await api.EventCount()).ShouldBe(before);

        (await api.Secretariat().PutJson(url, KhmerTexts)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await api.Secretariat().PutJson(url, KhmerTexts)).ShouldBeProblem(409);
    }

    [Fact]
    public async Task A_focal_point_translates_its_own_countrys_commitment_and_the_history_shows_it_with_the_actor()
    {
        var plan = await Plan();
        var id = await Commitment(plan, "KH");
        var written = await api.FocalPoint("KH").PutJson($"/api/commitments/{id}/translations/km", new { title = "អនុម័តផែនការបន្សាំខេត្ត", description = "ខេត្តចំនួនបួន" });
        written.StatusCode.ShouldBe(HttpStatusCode.OK, await written.Content.ReadAsStringAsync());
        var answer = await written.Json();
        answer.GetProperty("title").GetString().ShouldBe("អនុម័តផែនការបន្សាំខេត្ត");
        answer.GetProperty("lang").GetString().ShouldBe("km");

        var km = await Get($"/api/commitments/{id}?lang=km");
        km.GetProperty("title").GetString().ShouldBe("អនុម័តផែនការបន្សាំខេត្ត");
        km.GetProperty("description").GetString().ShouldBe("ខេត្តចំនួនបួន");
        km.GetProperty("lang").GetString().ShouldBe("km");
        var english = await Get($"/api/commitments/{id}");
        english.GetProperty("title").GetString().ShouldBe("Adopt provincial adaptation plans");
        english.GetProperty("lang").GetString().ShouldBe("en");
        var thai = await Get($"/api/commitments/{id}", "th");
        thai.GetProperty("title").GetString().ShouldBe("Adopt provincial adaptation plans");
        thai.GetProperty("lang").GetString().ShouldBe("en");

        var listed = (await Get($"/api/plans/{plan}/commitments", "km")).EnumerateArray().Single();
        listed.GetProperty("title").GetString().ShouldBe("អនុម័តផែនការបន្សាំខេត្ត");
        listed.GetProperty("lang").GetString().ShouldBe("km");

        var history = (await (await api.Reviewer().GetAsync($"/api/commitments/{id}/history")).Json()).EnumerateArray().ToList();
        var translated = history.Single(h => h.GetProperty("type").GetString() == "commitment-translated");
        translated.GetProperty("actor").GetProperty("id").GetString().ShouldBe("fp-kh");
        translated.GetProperty("actor").GetProperty("country").GetString().ShouldBe("KH");
        translated.GetProperty("data").GetProperty("language").GetString().ShouldBe("km");
        translated.GetProperty("data").GetProperty("title").GetString().ShouldBe("អនុម័តផែនការបន្សាំខេត្ត");

        // A second translation records what it replaced; the audit log shows the title's old and new text.
        (await api.Secretariat().PutJson($"/api/commitments/{id}/translations/km", new { title = "អនុម័តផែនការ" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        await AuditSupport.WaitForDaemon(api);
        var audited = (await AuditSupport.Walk(api.Reviewer(), $"plan={plan}&type=commitment-translated", 100)).Last();
        var changes = audited.GetProperty("changes").EnumerateArray().ToDictionary(c => c.GetProperty("field").GetString()!);
        changes["title.km"].GetProperty("before").GetString().ShouldBe("អនុម័តផែនការបន្សាំខេត្ត");
        changes["title.km"].GetProperty("after").GetString().ShouldBe("អនុម័តផែនការ");
        changes["description.km"].GetProperty("before").GetString().ShouldBe("ខេត្តចំនួនបួន");
        changes["description.km"].GetProperty("after").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task A_focal_point_cannot_translate_another_countrys_commitment()
    {
        var plan = await Plan();
        var id = await Commitment(plan, "KH");
        var before = await api.EventCount();
        await (await api.FocalPoint("TH").PutJson($"/api/commitments/{id}/translations/th", new { title = "แผน" })).ShouldBeProblem(403);
        await (await api.Reviewer().PutJson($"/api/commitments/{id}/translations/km", new { title = "x" })).ShouldBeProblem(403);
        await (await api.FocalPoint("KH").PutJson($"/api/commitments/{id}/translations/km", new { description = "x" })).ShouldBeProblem(400, "title");
        await (await api.FocalPoint("KH").PutJson($"/api/commitments/{id}/translations/xx", new { title = "x" })).ShouldBeProblem(400, "lang");
        await (await api.FocalPoint("KH").PutJson($"/api/commitments/{Guid.CreateVersion7()}/translations/km", new { title = "x" })).ShouldBeProblem(404);
        (await api.EventCount()).ShouldBe(before);
    }
}
