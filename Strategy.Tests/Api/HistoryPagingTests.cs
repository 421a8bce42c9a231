using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Strategy.Tests.Api;

/// <summary>
/// GET /api/commitments/{id}/history answers at most 1,000 events (limit, 1-1000) after the sequence after, oldest
/// first, as the same JSON array as before; while more follow, a Link header with rel="next" names the next page.
/// </summary>
public sealed partial class HistoryPagingTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [GeneratedRegex("""^<(?<url>[^>]+)>; rel="next"$""")]
    private static partial Regex NextLink();

    private async Task<Guid> Commitment()
    {
        var plan = "HP-" + Guid.NewGuid().ToString("N")[..8];
        var secretariat = api.Secretariat();
        (await secretariat.PostJson("/api/plans", TestPlan.Document(plan))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var made = await secretariat.PostJson($"/api/plans/{plan}/commitments", TestPlan.Commitment());
        made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
        return (await made.Json()).GetProperty("id").GetGuid();
    }

    /// <summary>The commitment's sequences as stored, read from the event table: the oracle for "every event, in order".</summary>
    private Task<List<long>> Stored(Guid id) => AuditSupport.StoredSequences(api, stream: id);

    /// <summary>One page: its events' sequences and the next page's URL, or null when the response has no Link.</summary>
    private async Task<(List<JsonElement> Items, string? Next)> Page(string url)
    {
        var response = await api.Reviewer().GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"{url}: {body}");
        var items = JsonDocument.Parse(body).RootElement.Clone().EnumerateArray().ToList();
        if (!response.Headers.TryGetValues("Link", out var links)) return (items, null);
        var link = NextLink().Match(links.ShouldHaveSingleItem());
        link.Success.ShouldBeTrue(string.Join(", ", links));
        return (items, link.Groups["url"].Value);
    }

    private static List<long> Sequences(IEnumerable<JsonElement> items) => [.. items.Select(e => e.GetProperty("sequence").GetInt64())];

    [Fact]
    public async Task A_long_history_comes_in_pages_of_at_most_1000_linked_by_rel_next()
    {
        var id = await Commitment();
        await AuditSupport.AppendStatusChanges(api, id, 1100);
        var stored = await Stored(id);
        stored.Count.ShouldBe(1101);

        var (first, next) = await Page($"/api/commitments/{id}/history");
        first.Count.ShouldBe(1000);
        Sequences(first).ShouldBe(stored[..1000]);
        next.ShouldBe($"/api/commitments/{id}/history?after={stored[999]}&limit=1000");
        // The entries keep their shape.
        first[0].GetProperty("type").GetString().ShouldBe("commitment-made");
        first[0].GetProperty("version").GetInt64().ShouldBe(1);
        first[0].GetProperty("actor").GetProperty("id").GetString().ShouldBe("sec-1");
        first[1].GetProperty("note").GetString().ShouldBe("change 0");
        first[1].GetProperty("data").GetProperty("to").GetString().ShouldBe("in-progress");

        var (second, last) = await Page(next.ShouldNotBeNull());
        Sequences(second).ShouldBe(stored[1000..]);
        last.ShouldBeNull();
        second[^1].GetProperty("note").GetString().ShouldBe("change 1099");
    }

    [Fact]
    public async Task Small_pages_walk_the_history_in_order_and_bad_cursors_get_400()
    {
        var id = await Commitment();
        var secretariat = api.Secretariat();
        (await secretariat.PostJson($"/api/commitments/{id}/status", new { status = "in-progress" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await secretariat.PostJson($"/api/commitments/{id}/progress", new { value = 1, asOf = "2025-03-31" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await secretariat.PostJson($"/api/commitments/{id}/status", new { status = "on-hold", note = "Paused" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var stored = await Stored(id);
        stored.Count.ShouldBe(5); // made, status, value submitted and accepted, status

        // Pages of two, following the links: every event once, in order, and no link after the last.
        var walked = new List<long>();
        string? url = $"/api/commitments/{id}/history?limit=2";
        for (var pages = 0; url is not null; pages++)
        {
            pages.ShouldBeLessThan(3);
            var (items, next) = await Page(url);
            items.Count.ShouldBeLessThanOrEqualTo(2);
            walked.AddRange(Sequences(items));
            url = next;
        }
        walked.ShouldBe(stored);

        // From the middle; past the end (the commitment exists: an empty page, no link).
        var (middle, more) = await Page($"/api/commitments/{id}/history?after={stored[1]}&limit=1");
        Sequences(middle).ShouldBe([stored[2]]);
        more.ShouldBe($"/api/commitments/{id}/history?after={stored[2]}&limit=1");
        var (none, after) = await Page($"/api/commitments/{id}/history?after={stored[^1]}");
        none.ShouldBeEmpty();
        after.ShouldBeNull();

        var reviewer = api.Reviewer();
        await (await reviewer.GetAsync($"/api/commitments/{Guid.NewGuid()}/history")).ShouldBeProblem(404);
        await (await reviewer.GetAsync($"/api/commitments/{Guid.NewGuid()}/history?after=5&limit=10")).ShouldBeProblem(404);
        foreach (var bad in new[] { "limit=0", "limit=1001", "limit=ten", "limit=-1" })
            await (await reviewer.GetAsync($"/api/commitments/{id}/history?{bad}")).ShouldBeProblem(400, "limit");
        foreach (var bad in new[] { "after=-1", "after=x", "after=1.5", "after=99999999999999999999" })
            await (await reviewer.GetAsync($"/api/commitments/{id}/history?{bad}")).ShouldBeProblem(400, "after");
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_the_cursor_and_the_Link_header()
    {
        var doc = await (await api.CreateClient().GetAsync("/openapi/v1.json")).Json();
        var operation = doc.GetProperty("paths").GetProperty("/api/commitments/{id}/history").GetProperty("get");
        var parameters = operation.GetProperty("parameters").EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query")
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("schema").GetProperty("type").GetString());
        parameters.ShouldBe(new Dictionary<string, string?> { ["after"] = "integer", ["limit"] = "integer" });
        var link = operation.GetProperty("responses").GetProperty("200").GetProperty("headers").GetProperty("Link");
        link.GetProperty("description").GetString().ShouldNotBeNull().ShouldContain("rel=\"next\"");
        operation.GetProperty("description").GetString().ShouldNotBeNull().ShouldContain("default 1000");
    }
}
