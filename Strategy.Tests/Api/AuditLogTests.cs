using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsvHelper;
using Marten;
using Marten.Services;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Strategy.Domain.Commitments;
using Strategy.Infrastructure.Audit;
using static Strategy.Tests.Api.AuditSupport;

namespace Strategy.Tests.Api;

/// <summary>GET /api/audit and its exports, read against a store whose whole history the story wrote (see <see cref="AuditStory"/>).</summary>
public sealed class AuditLogTests(AuditStory story) : IClassFixture<AuditStory>
{
    private const string P = AuditStory.P;
    private const string Q = AuditStory.Q;

    private async Task<List<JsonElement>> Everything() => (await Page(story.Reviewer(), "", 0, 1000)).Items;

    [Fact]
    public async Task Every_event_is_listed_once_in_sequence_order_with_its_stream_actor_and_correlation()
    {
        var items = await Everything();
        items.Select(Sequence).ShouldBe(story.Events.Select(e => e.Sequence));
        foreach (var (entry, expected) in items.Zip(story.Events)) ShouldShow(entry, expected);
    }

    [Fact]
    public async Task A_revision_shows_the_before_and_after_value_of_each_changed_term_and_nothing_else()
    {
        var revised = story.Single(story.Kh, "commitment-revised");
        revised.ActorId.ShouldBe("sec-1");
        var entry = (await Everything()).Single(e => Sequence(e) == revised.Sequence);

        entry.GetProperty("reason").GetString().ShouldBe("Scope widened");
        var changes = entry.GetProperty("changes").EnumerateArray().ToDictionary(c => c.GetProperty("field").GetString()!);
        changes.Keys.Order().ShouldBe(["target", "title"]);
        changes["title"].GetProperty("before").GetString().ShouldBe(story.KhTitle);
        changes["title"].GetProperty("after").GetString().ShouldBe(story.KhRevisedTitle);
        changes["target"].GetProperty("before").GetDouble().ShouldBe(4);
        changes["target"].GetProperty("after").GetDouble().ShouldBe(5);
        // The event itself, as stored.
        entry.GetProperty("data").GetProperty("after").GetProperty("target").GetDouble().ShouldBe(5);
        entry.GetProperty("data").GetProperty("before").GetProperty("title").GetString().ShouldBe(story.KhTitle);
        entry.GetProperty("data").GetProperty("commitmentId").GetGuid().ShouldBe(story.Kh);
    }

    [Fact]
    public async Task Changes_show_before_and_after_and_a_commitment_made_no_changes()
    {
        var items = (await Everything()).ToDictionary(Sequence);

        var onHold = items[story.Events.Single(e => e.StreamId == story.Th && e.ActorId == "sec-1" && e.Type == "commitment-status-changed").Sequence];
        onHold.GetProperty("note").GetString().ShouldBe("Awaiting funds");
        var change = onHold.GetProperty("changes").EnumerateArray().ShouldHaveSingleItem();
        change.GetProperty("field").GetString().ShouldBe("status");
        change.GetProperty("before").GetString().ShouldBe("not-started");
        change.GetProperty("after").GetString().ShouldBe("on-hold");

        var resumed = items[story.Events.Single(e => e.StreamId == story.Th && e.ActorId == "adm-1").Sequence];
        resumed.GetProperty("actor").GetProperty("role").GetString().ShouldBe("admin");
        var resumedChange = resumed.GetProperty("changes").EnumerateArray().ShouldHaveSingleItem();
        resumedChange.GetProperty("before").GetString().ShouldBe("on-hold");
        resumedChange.GetProperty("after").GetString().ShouldBe("in-progress");

        var aligned = items[story.Events.Single(e => e.Type == "outcome-sdg-targets-aligned").Sequence];
        aligned.GetProperty("reason").GetString().ShouldBe("Narrowed to urban air");
        var sdg = aligned.GetProperty("changes").EnumerateArray().ShouldHaveSingleItem();
        sdg.GetProperty("field").GetString().ShouldBe("sdgTargets");
        sdg.GetProperty("before").EnumerateArray().Select(t => t.GetString()).ShouldBe(["11.6", "3.9"]);
        sdg.GetProperty("after").EnumerateArray().Select(t => t.GetString()).ShouldBe(["11.6"]);

        var withdrawn = items[story.Single(story.Th, "commitment-withdrawn").Sequence];
        withdrawn.GetProperty("reason").GetString().ShouldBe("Merged into a regional programme");
        var withdrawal = withdrawn.GetProperty("changes").EnumerateArray().ShouldHaveSingleItem();
        withdrawal.GetProperty("field").GetString().ShouldBe("withdrawn");
        withdrawal.GetProperty("before").GetBoolean().ShouldBeFalse();
        withdrawal.GetProperty("after").GetBoolean().ShouldBeTrue();

        var progress = items[story.Single(story.Kh, "value-submitted").Sequence];
        progress.GetProperty("note").GetString().ShouldBe("Two provinces");
        progress.GetProperty("data").GetProperty("value").GetDouble().ShouldBe(2);
        var submitted = progress.GetProperty("changes").EnumerateArray().ShouldHaveSingleItem();
        submitted.GetProperty("field").GetString().ShouldBe("value");
        submitted.GetProperty("after").GetDouble().ShouldBe(2);

        var made = items[story.Single(story.Kh, "commitment-made").Sequence];
        made.GetProperty("changes").GetArrayLength().ShouldBe(0);
    }

    public static TheoryData<string> FilterCases =>
    [
        "plan-P", "plan-Q", "plan-unknown", "country-KH", "country-TH", "country-VN", "actor-fp-kh", "actor-sec-1", "actor-adm-1",
        "actor-nobody", "type-status-changed", "type-plan-created", "type-revised", "from", "to", "from-to", "plan-country-actor-type",
        "plan-actor-window",
    ];

    /// <summary>A filter's query string and which of the story's events it must give, worked out from what the story did.</summary>
    private (string Query, Func<ExpectedEvent, bool> Matches) Filter(string name)
    {
        var thOnHold = story.Events.Single(e => e.StreamId == story.Th && e.ActorId == "sec-1" && e.Type == "commitment-status-changed").Timestamp;
        var khRevised = story.Single(story.Kh, "commitment-revised").Timestamp;
        var thWithdrawn = story.Single(story.Th, "commitment-withdrawn").Timestamp;
        return name switch
        {
            "plan-P" => ($"plan={P}", e => e.Plan == P),
            "plan-Q" => ($"plan={Q}", e => e.Plan == Q),
            "plan-unknown" => ("plan=NO-SUCH-PLAN", _ => false),
            "country-KH" => ("country=KH", e => e.Country == "KH"),
            "country-TH" => ("country=TH", e => e.Country == "TH"),
            "country-VN" => ("country=VN", _ => false),
            "actor-fp-kh" => ("actor=fp-kh", e => e.ActorId == "fp-kh"),
            "actor-sec-1" => ("actor=sec-1", e => e.ActorId == "sec-1"),
            "actor-adm-1" => ("actor=adm-1", e => e.ActorId == "adm-1"),
            "actor-nobody" => ("actor=nobody", _ => false),
            "type-status-changed" => ("type=commitment-status-changed", e => e.Type == "commitment-status-changed"),
            "type-plan-created" => ("type=plan-created", e => e.Type == "plan-created"),
            "type-revised" => ("type=commitment-revised", e => e.Type == "commitment-revised"),
            // from is inclusive and to exclusive, to the microsecond: the boundaries are events' own timestamps.
            "from" => ($"from={Iso(khRevised)}", e => e.Timestamp >= khRevised),
            "to" => ($"to={Iso(khRevised)}", e => e.Timestamp < khRevised),
            "from-to" => ($"from={Iso(thOnHold)}&to={Iso(thWithdrawn)}", e => e.Timestamp >= thOnHold && e.Timestamp < thWithdrawn),
            "plan-country-actor-type" => ($"plan={P}&country=KH&actor=fp-kh&type=commitment-status-changed",
                e => e.Plan == P && e.Country == "KH" && e.ActorId == "fp-kh" && e.Type == "commitment-status-changed"),
            "plan-actor-window" => ($"plan={P}&actor=sec-1&from={Iso(thOnHold)}&to={Iso(thWithdrawn)}",
                e => e.Plan == P && e.ActorId == "sec-1" && e.Timestamp >= thOnHold && e.Timestamp < thWithdrawn),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }

    [Theory]
    [MemberData(nameof(FilterCases))]
    public async Task A_filter_gives_exactly_the_matching_events_in_one_page_and_page_by_page(string name)
    {
        var (query, matches) = Filter(name);
        var expected = story.Events.Where(matches).Select(e => e.Sequence).ToList();
        if (!name.Contains("unknown") && !name.Contains("nobody") && name != "country-VN") expected.ShouldNotBeEmpty();
        expected.Count.ShouldBeLessThan(story.Events.Count, "the case must actually filter");

        var all = (await Everything()).ToDictionary(Sequence);
        var reviewer = story.Reviewer();
        var onePage = (await Page(reviewer, query, 0, 1000)).Items;
        onePage.Select(Sequence).ShouldBe(expected, query);
        // A filtered entry is the same entry the unfiltered log shows.
        foreach (var entry in onePage) JsonNode.DeepEquals(JsonNode.Parse(entry.GetRawText()), JsonNode.Parse(all[Sequence(entry)].GetRawText())).ShouldBeTrue();

        (await Walk(reviewer, query, limit: 2)).Select(Sequence).ShouldBe(expected, query);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public async Task Walking_the_cursor_gives_the_unfiltered_list_with_no_loss_and_no_repeat(int limit)
    {
        var everything = await Everything();
        var walked = await Walk(story.Reviewer(), "", limit);
        walked.Select(Sequence).ShouldBe(everything.Select(Sequence));
        foreach (var (a, b) in walked.Zip(everything)) a.GetRawText().ShouldBe(b.GetRawText());
    }

    [Fact]
    public async Task A_page_that_ends_exactly_at_the_last_event_is_followed_by_an_empty_last_page()
    {
        var count = story.Events.Count;
        var (first, next) = await Page(story.Reviewer(), "", 0, count);
        first.Count.ShouldBe(count);
        next.ShouldBe(story.Events[^1].Sequence);
        var (rest, end) = await Page(story.Reviewer(), "", next!.Value, count);
        rest.ShouldBeEmpty();
        end.ShouldBeNull();
    }

    [Fact]
    public async Task After_starts_strictly_after_the_given_sequence()
    {
        var middle = story.Events[story.Events.Count / 2].Sequence;
        var walked = await Walk(story.Reviewer(), "", 4, after: middle);
        walked.Select(Sequence).ShouldBe(story.Events.Where(e => e.Sequence > middle).Select(e => e.Sequence));
        // Sequences need not be contiguous: a cursor between two stored sequences works too.
        (await Walk(story.Reviewer(), $"plan={Q}", 1000, after: middle)).Select(Sequence)
            .ShouldBe(story.Events.Where(e => e.Plan == Q && e.Sequence > middle).Select(e => e.Sequence));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=-5", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("after=-1", "after")]
    [InlineData("after=abc", "after")]
    [InlineData("from=yesterday", "from")]
    [InlineData("country=Cambodia", "country")]
    [InlineData("type=CommitmentMade", "type")]
    public async Task Bad_paging_and_filter_parameters_are_a_400_naming_the_parameter(string query, string field)
    {
        var before = await story.EventCount();
        await (await story.Reviewer().GetAsync($"/api/audit?{query}")).ShouldBeProblem(400, field);
        (await story.EventCount()).ShouldBe(before);
    }

    [Fact]
    public async Task The_largest_page_is_1000()
    {
        var (items, next) = await Page(story.Reviewer(), "", 0, 1000);
        items.Count.ShouldBe(story.Events.Count);
        next.ShouldBeNull();
    }

    public static TheoryData<string> AuditUrls => ["/api/audit", "/api/audit/verify", "/api/audit/export?format=jsonl", "/api/audit/export?format=csv"];

    [Theory]
    [MemberData(nameof(AuditUrls))]
    public async Task Focal_points_get_a_403_problem_on_every_audit_endpoint(string url)
    {
        await (await story.FocalPoint("KH").GetAsync(url)).ShouldBeProblem(403);
        await (await story.FocalPoint("TH").GetAsync(url)).ShouldBeProblem(403);
    }

    [Theory]
    [MemberData(nameof(AuditUrls))]
    public async Task Reviewers_secretariat_and_admin_may_read_every_audit_endpoint(string url)
    {
        foreach (var client in new[] { story.Reviewer(), story.Secretariat(), story.Admin() })
        {
            var response = await client.GetAsync(url);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Anonymous_callers_get_a_401()
    {
        (await story.CreateClient().GetAsync("/api/audit")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await story.CreateClient().GetAsync("/api/audit/export?format=csv")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    public static TheoryData<string> ExportCases => ["none", "plan-P", "plan-Q", "country-KH", "actor-sec-1", "type-status-changed", "from-to", "plan-country-actor-type", "actor-nobody"];

    [Theory]
    [MemberData(nameof(ExportCases))]
    public async Task The_jsonl_export_holds_the_same_entries_as_the_paged_api(string name)
    {
        var query = name == "none" ? "" : Filter(name).Query;
        var paged = await Walk(story.Reviewer(), query, 3);
        if (name != "actor-nobody") paged.ShouldNotBeEmpty();

        var response = await story.Reviewer().GetAsync($"/api/audit/export?format=jsonl&{query}");
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/x-ndjson");
        response.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(paged.Count, text);
        foreach (var (line, entry) in lines.Zip(paged))
        {
            // The export adds the chain (checked below); everything else is the page's entry.
            var exported = JsonNode.Parse(line).ShouldBeOfType<JsonObject>();
            exported.Remove("chain").ShouldBeTrue(line);
            JsonNode.DeepEquals(exported, JsonNode.Parse(entry.GetRawText())).ShouldBeTrue($"{line}\n{entry.GetRawText()}");
        }
    }

    private async Task<List<JsonElement>> JsonLines(string query)
    {
        await WaitForDaemon(story);
        var response = await story.Reviewer().GetAsync($"/api/audit/export?format=jsonl&{query}");
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    private static AuditCanonicalFields Canonical(JsonElement chain)
    {
        var c = chain.GetProperty("canonical");
        string S(string name) => c.GetProperty(name).GetString().ShouldNotBeNull(name);
        return new AuditCanonicalFields(S("id"), S("streamId"), c.GetProperty("version").GetInt64(), S("type"), S("timestamp"), S("data"),
            S("userName"), S("headers"), S("correlationId"), S("causationId"));
    }

    [Fact]
    public async Task Each_jsonl_line_carries_what_the_chain_hashed_and_its_links_so_the_chain_recomputes_from_the_file_alone()
    {
        var lines = await JsonLines("");
        lines.Select(Sequence).ShouldBe(story.Events.Select(e => e.Sequence));
        var hash = AuditHash.Genesis;
        foreach (var line in lines)
        {
            var because = line.GetRawText();
            var chain = line.GetProperty("chain");
            var fields = Canonical(chain);
            // What the line shows is what was hashed.
            fields.StreamId.ShouldBe(line.GetProperty("stream").GetProperty("id").GetString(), because);
            fields.Version.ShouldBe(line.GetProperty("version").GetInt64(), because);
            fields.Type.Replace('_', '-').ShouldBe(line.GetProperty("type").GetString(), because);
            fields.Timestamp.ShouldBe(AuditHash.Timestamp(line.GetProperty("timestamp").GetDateTimeOffset().UtcDateTime), because);
            fields.UserName.ShouldBe(line.GetProperty("actor").GetProperty("id").GetString(), because);
            fields.CorrelationId.ShouldBe(line.GetProperty("correlationId").GetString() ?? "", because);
            fields.Data.ShouldBe(JsonCanonical.Canonicalize(line.GetProperty("data")), because);
            JsonDocument.Parse(fields.Headers).RootElement.GetProperty("actor-name").GetString()
                .ShouldBe(line.GetProperty("actor").GetProperty("name").GetString(), because);

            // h(n) = SHA-256(h(n-1) || canonical(n)), each link following the previous line's.
            chain.GetProperty("previous").GetString().ShouldBe(hash, because);
            hash = AuditHash.Next(hash, AuditHash.Canonical(Sequence(line), fields));
            chain.GetProperty("hash").GetString().ShouldBe(hash, because);
        }
        hash.ShouldBe((await ChainHistory.Verify(story)).GetProperty("headHash").GetString());
    }

    [Fact]
    public async Task In_a_filtered_export_each_event_still_hashes_to_its_link_after_the_link_before_it_in_the_whole_log()
    {
        var all = (await JsonLines("")).ToDictionary(Sequence, l => l.GetProperty("chain").GetProperty("hash").GetString());
        var lines = await JsonLines("country=KH");
        lines.Count.ShouldBeGreaterThan(3);
        lines.Count.ShouldBeLessThan(all.Count);
        foreach (var line in lines)
        {
            var chain = line.GetProperty("chain");
            var sequence = Sequence(line);
            var before = all.Keys.Where(s => s < sequence).DefaultIfEmpty(0).Max();
            chain.GetProperty("previous").GetString().ShouldBe(before == 0 ? AuditHash.Genesis : all[before]);
            chain.GetProperty("hash").GetString().ShouldBe(all[sequence]);
            AuditHash.Next(chain.GetProperty("previous").GetString()!, AuditHash.Canonical(sequence, Canonical(chain))).ShouldBe(all[sequence]);
        }
    }

    [Fact]
    public async Task An_event_not_chained_yet_is_exported_with_its_canonical_fields_and_null_links()
    {
        var lines = await JsonLines("");
        var last = lines[^1];
        // As if the daemon had not reached the last event: its link and the head go back one event.
        await Sql($"delete from {story.Schema}.mt_doc_auditlink where id = @n", ("n", Sequence(last)));
        try
        {
            var again = (await story.Reviewer().GetStringAsync("/api/audit/export?format=jsonl")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var chain = JsonDocument.Parse(again[^1]).RootElement.GetProperty("chain");
            chain.GetProperty("hash").ValueKind.ShouldBe(JsonValueKind.Null);
            chain.GetProperty("previous").ValueKind.ShouldBe(JsonValueKind.Null);
            Canonical(chain).ShouldBe(Canonical(last.GetProperty("chain")));
        }
        finally
        {
            await Sql($"insert into {story.Schema}.mt_doc_auditlink (id, data, mt_dotnet_type) values (@n, jsonb_build_object('id', @n, 'hash', @h), @t)",
                ("n", Sequence(last)), ("h", last.GetProperty("chain").GetProperty("hash").GetString()!), ("t", typeof(AuditLink).FullName!));
        }
    }

    [Fact]
    public async Task Jsonl_is_the_default_export_format()
    {
        var response = await story.Reviewer().GetAsync($"/api/audit/export?plan={Q}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/x-ndjson");
        (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("sequence").GetInt64())
            .ShouldBe(story.Events.Where(e => e.Plan == Q).Select(e => e.Sequence));
    }

    [Theory]
    [MemberData(nameof(ExportCases))]
    public async Task The_csv_export_holds_the_same_entries_as_the_paged_api(string name)
    {
        var query = name == "none" ? "" : Filter(name).Query;
        var paged = await Walk(story.Reviewer(), query, 1000);

        var response = await story.Reviewer().GetAsync($"/api/audit/export?format=csv&{query}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var bytes = await response.Content.ReadAsByteArrayAsync();

        using var csv = CsvReader.Create(new MemoryStream(bytes), new CsvReaderOptions { Separator = ',', HasHeader = true }, leaveOpen: false);
        csv.ReadHeader();
        var rows = 0;
        foreach (var entry in paged)
        {
            csv.Read().ShouldBeTrue($"the CSV ends after {rows} rows of {paged.Count}");
            rows++;
            var stream = entry.GetProperty("stream");
            var actor = entry.GetProperty("actor");
            csv.GetString("sequence").ShouldBe(Sequence(entry).ToString());
            csv.GetString("type").ShouldBe(entry.GetProperty("type").GetString());
            csv.GetString("version").ShouldBe(entry.GetProperty("version").GetInt64().ToString());
            DateTimeOffset.Parse(csv.GetString("timestamp")).ShouldBe(entry.GetProperty("timestamp").GetDateTimeOffset());
            csv.GetString("streamKind").ShouldBe(stream.GetProperty("kind").GetString());
            csv.GetString("streamId").ShouldBe(stream.GetProperty("id").GetGuid().ToString());
            csv.GetString("plan").ShouldBe(stream.GetProperty("plan").GetString() ?? "");
            csv.GetString("commitmentCode").ShouldBe(stream.GetProperty("code").GetString() ?? "");
            csv.GetString("country").ShouldBe(stream.GetProperty("country").GetString() ?? "");
            csv.GetString("actorId").ShouldBe(actor.GetProperty("id").GetString());
            csv.GetString("actorName").ShouldBe(actor.GetProperty("name").GetString() ?? "");
            csv.GetString("actorRole").ShouldBe(actor.GetProperty("role").GetString() ?? "");
            csv.GetString("actorCountry").ShouldBe(actor.GetProperty("country").GetString() ?? "");
            csv.GetString("correlationId").ShouldBe(entry.GetProperty("correlationId").GetString() ?? "");
            csv.GetString("note").ShouldBe(entry.GetProperty("note").GetString() ?? "");
            csv.GetString("reason").ShouldBe(entry.GetProperty("reason").GetString() ?? "");
            JsonNode.DeepEquals(JsonNode.Parse(csv.GetString("data")), JsonNode.Parse(entry.GetProperty("data").GetRawText()))
                .ShouldBeTrue(csv.GetString("data"));
            JsonNode.DeepEquals(JsonNode.Parse(csv.GetString("changes")), JsonNode.Parse(entry.GetProperty("changes").GetRawText()))
                .ShouldBeTrue(csv.GetString("changes"));
        }
        csv.Read().ShouldBeFalse($"the CSV has more rows than the {paged.Count} entries of the API");
    }

    [Fact]
    public async Task An_unknown_export_format_is_a_400()
    {
        await (await story.Reviewer().GetAsync("/api/audit/export?format=xml")).ShouldBeProblem(400, "format");
        await (await story.Reviewer().GetAsync("/api/audit/export?format=CSV")).ShouldBeProblem(400, "format");
    }

    private static void ShouldShow(JsonElement entry, ExpectedEvent expected)
    {
        var because = $"entry {expected.Sequence} ({expected.Type})";
        entry.GetProperty("sequence").GetInt64().ShouldBe(expected.Sequence);
        var stream = entry.GetProperty("stream");
        stream.GetProperty("kind").GetString().ShouldBe(expected.Kind, because);
        stream.GetProperty("id").GetGuid().ShouldBe(expected.StreamId, because);
        stream.GetProperty("plan").GetString().ShouldBe(expected.Plan, because);
        stream.GetProperty("code").GetString().ShouldBe(expected.Code, because);
        stream.GetProperty("country").GetString().ShouldBe(expected.Country, because);
        entry.GetProperty("version").GetInt64().ShouldBe(expected.Version, because);
        entry.GetProperty("type").GetString().ShouldBe(expected.Type, because);
        entry.GetProperty("timestamp").GetDateTimeOffset().ShouldBe(expected.Timestamp, because);
        var actor = entry.GetProperty("actor");
        actor.GetProperty("id").GetString().ShouldBe(expected.ActorId, because);
        actor.GetProperty("name").GetString().ShouldBe(expected.ActorName, because);
        actor.GetProperty("role").GetString().ShouldBe(expected.ActorRole, because);
        actor.GetProperty("country").GetString().ShouldBe(expected.ActorCountry, because);
        var correlation = entry.GetProperty("correlationId").GetString();
        correlation.ShouldNotBeNullOrEmpty(because);
        if (expected.CorrelationId is not null) correlation.ShouldBe(expected.CorrelationId, because);
        entry.GetProperty("data").ValueKind.ShouldBe(JsonValueKind.Object, because);
        if (expected.Kind == "commitment") entry.GetProperty("data").GetProperty("commitmentId").GetGuid().ShouldBe(expected.StreamId, because);
        else entry.GetProperty("data").GetProperty(expected.Type == "plan-created" ? "code" : "planCode").GetString().ShouldBe(expected.Plan, because);
    }
}

/// <summary>The cursor while others write: a page boundary in the middle of a burst, and a writer that commits late.</summary>
public sealed class AuditCursorUnderWritesTests(ApiFactory api) : IClassFixture<ApiFactory>, IAsyncLifetime
{
    private readonly string Plan = "CUR-" + Guid.NewGuid().ToString("N")[..8];

    public async Task InitializeAsync()
    {
        var created = await api.Secretariat().PostJson("/api/plans", TestPlan.Document(Plan));
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<Guid> Make(string country)
    {
        var response = await api.Secretariat().PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment(country));
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Json()).GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task A_page_boundary_in_the_middle_of_a_burst_of_writes_loses_and_repeats_nothing()
    {
        var ids = new List<Guid>();
        foreach (var country in new[] { "KH", "TH", "VN", "KH", "TH", "VN", "KH", "TH", "VN", "KH" }) ids.Add(await Make(country));
        var reviewer = api.Reviewer();
        await WaitForDaemon(api);
        var seen = await Walk(reviewer, "", 50);
        var cursor = Sequence(seen[^1]);

        // 30 progress reports at once, 3 to each of 10 commitments.
        var burst = Enumerable.Range(0, 30).Select(async i =>
        {
            var response = await api.Secretariat().PostJson($"/api/commitments/{ids[i % ids.Count]}/progress",
                new { value = i % 4, asOf = $"2025-{1 + i / 3:00}-15", note = $"report {i}" });
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }).ToList();

        // Once a third of the burst is in, read a page of 5: it is full of burst events, so its boundary falls inside
        // the burst while the other reports are still being written.
        await Task.WhenAll(burst.Take(10));
        await WaitForDaemon(api);
        var (page, next) = await Page(reviewer, "", cursor, 5);
        page.Count.ShouldBe(5);
        page.ShouldAllBe(e => e.GetProperty("type").GetString() == "value-submitted" || e.GetProperty("type").GetString() == "value-accepted");
        seen.AddRange(page);

        await Task.WhenAll(burst);
        await WaitForDaemon(api);
        seen.AddRange(await Walk(reviewer, "", 5, after: next!.Value));

        var stored = await StoredSequences(api);
        seen.Select(Sequence).ShouldBe(stored);
        // The secretariat's values are accepted on entry: submitted and accepted, 30 each.
        seen.Count(e => e.GetProperty("type").GetString() == "value-submitted").ShouldBe(30);
        seen.Count(e => e.GetProperty("type").GetString() == "value-accepted").ShouldBe(30);
    }

    [Fact]
    public async Task A_write_that_commits_after_a_later_one_is_not_skipped_by_the_cursor()
    {
        var early = await Make("KH");
        var late = await Make("TH");
        var reviewer = api.Reviewer();
        await WaitForDaemon(api);
        var cursor = Sequence((await Walk(reviewer, "", 1000))[^1]);

        // A writer appends to one commitment and holds its transaction open (a slow request), so its event has the
        // lower sequence; meanwhile another write to a second commitment commits with a higher one.
        var store = api.Services.GetRequiredService<IDocumentStore>();
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var slow = store.LightweightSession(SessionOptions.ForTransaction(transaction, false)))
        {
            slow.LastModifiedBy = "slow-writer";
            slow.Events.Append(early, new CommitmentStatusChanged(early, CommitmentStatus.NotStarted, CommitmentStatus.OnHold, "slow"));
            await slow.SaveChangesAsync();
        }
        // A focal point's value is one event (submitted); the secretariat's would be two.
        var fast = await api.FocalPoint("TH").PostJson($"/api/commitments/{late}/progress", new { value = 1, asOf = "2025-03-31", note = "fast" });
        fast.StatusCode.ShouldBe(HttpStatusCode.OK, await fast.Content.ReadAsStringAsync());

        // A reader pages through now, while the slow write is still open...
        var seen = await Walk(reviewer, "", 1, after: cursor);
        // ...and carries on from its cursor once the slow write has committed.
        await transaction.CommitAsync();
        await WaitForDaemon(api);
        var resumeAfter = seen.Count > 0 ? Sequence(seen[^1]) : cursor;
        seen.AddRange(await Walk(reviewer, "", 1, after: resumeAfter));

        var stored = await StoredSequences(api, after: cursor);
        stored.Count.ShouldBe(2);
        seen.Select(Sequence).ShouldBe(stored);
        seen.Select(e => e.GetProperty("data").GetProperty("note").GetString()).ShouldBe(["slow", "fast"]);
    }
}
