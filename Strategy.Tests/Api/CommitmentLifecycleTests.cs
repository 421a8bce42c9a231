using System.Net;
using System.Text.Json;

namespace Strategy.Tests.Api;

public sealed class CommitmentLifecycleTests(ApiFactory api) : IClassFixture<ApiFactory>, IAsyncLifetime
{
    private readonly string Plan = "LIFE-" + Guid.NewGuid().ToString("N")[..8];

    public async Task InitializeAsync()
    {
        var created = await api.Secretariat().PostJson("/api/plans", TestPlan.Document(Plan));
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<(Guid Id, long Version)> Make(HttpClient client, string country = "KH", string outcome = "G1.O1", string? indicator = "G1.O1.I1", double? target = 4)
    {
        var response = await client.PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment(country, outcome, indicator: indicator, target: target));
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var body = await response.Json();
        response.Headers.Location!.ToString().ShouldBe($"/api/commitments/{body.GetProperty("id").GetGuid()}");
        return (body.GetProperty("id").GetGuid(), response.ETag());
    }

    [Fact]
    public async Task Focal_point_runs_a_commitment_through_its_life_and_each_step_is_read_back_at_once()
    {
        var kh = api.FocalPoint("KH");
        var (id, v1) = await Make(kh);
        v1.ShouldBe(1);

        var started = await kh.PostJson($"/api/commitments/{id}/status", new { status = "in-progress", note = "Kick-off held" }, ifMatch: v1);
        started.StatusCode.ShouldBe(HttpStatusCode.OK, await started.Content.ReadAsStringAsync());
        started.ETag().ShouldBe(2);
        (await started.Json()).GetProperty("status").GetString().ShouldBe("in-progress");

        var reported = await kh.PostJson($"/api/commitments/{id}/progress", new { value = 2, asOf = "2025-06-30", note = "Two provinces" });
        reported.StatusCode.ShouldBe(HttpStatusCode.OK, await reported.Content.ReadAsStringAsync());
        var submitted = await reported.Json();
        // Submitted: it awaits the secretariat's review and does not count yet.
        submitted.GetProperty("progress").ValueKind.ShouldBe(JsonValueKind.Null);
        submitted.GetProperty("pending").GetProperty("count").GetInt32().ShouldBe(1);
        var valueId = (await (await kh.GetAsync($"/api/commitments/{id}/values")).Json())[0].GetProperty("id").GetGuid();
        var accepted = await api.Secretariat().PostJson($"/api/commitments/{id}/values/{valueId}/accept", new { note = "Checked against the minutes" });
        accepted.StatusCode.ShouldBe(HttpStatusCode.OK, await accepted.Content.ReadAsStringAsync());
        var afterProgress = await accepted.Json();
        // baseline 0 (count unit), target 4, value 2: p = (2 - 0) / (4 - 0)
        afterProgress.GetProperty("progress").GetDouble().ShouldBe(0.5);
        afterProgress.GetProperty("latestValue").GetProperty("value").GetDouble().ShouldBe(2);
        afterProgress.GetProperty("pending").GetProperty("count").GetInt32().ShouldBe(0);

        var revised = await kh.SendJson(HttpMethod.Patch, $"/api/commitments/{id}", new { target = 5.0, reason = "Budget increased" });
        revised.StatusCode.ShouldBe(HttpStatusCode.OK, await revised.Content.ReadAsStringAsync());
        (await revised.Json()).GetProperty("progress").GetDouble().ShouldBe(0.4);

        var withdrawn = await api.Secretariat().PostJson($"/api/commitments/{id}/withdraw", new { reason = "Superseded by KH-G1.O1-02" });
        withdrawn.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await withdrawn.Json()).GetProperty("withdrawn").GetBoolean().ShouldBeTrue();

        var blocked = await kh.PostJson($"/api/commitments/{id}/progress", new { value = 3, asOf = "2025-09-30" });
        await blocked.ShouldBeProblem(409);

        var read = await api.Reviewer().GetAsync($"/api/commitments/{id}");
        read.ETag().ShouldBe(6);
    }

    [Fact]
    public async Task History_lists_each_event_with_the_actor_from_the_token()
    {
        var kh = api.FocalPoint("KH");
        var (id, _) = await Make(kh);
        (await kh.PostJson($"/api/commitments/{id}/status", new { status = "in-progress" })).EnsureSuccessStatusCode();
        (await api.Secretariat().PostJson($"/api/commitments/{id}/status", new { status = "on-hold", note = "Awaiting funds" })).EnsureSuccessStatusCode();

        var history = await (await api.Reviewer().GetAsync($"/api/commitments/{id}/history")).Json();
        history.GetArrayLength().ShouldBe(3);
        var entries = history.EnumerateArray().ToList();
        entries.Select(e => e.GetProperty("type").GetString()).ShouldBe(["commitment-made", "commitment-status-changed", "commitment-status-changed"]);
        entries.Select(e => e.GetProperty("version").GetInt64()).ShouldBe([1L, 2L, 3L]);

        var maker = entries[0].GetProperty("actor");
        maker.GetProperty("id").GetString().ShouldBe("fp-kh");
        maker.GetProperty("name").GetString().ShouldBe("Ministry of Environment KH");
        maker.GetProperty("role").GetString().ShouldBe("focal-point");
        maker.GetProperty("country").GetString().ShouldBe("KH");

        var hold = entries[2];
        hold.GetProperty("actor").GetProperty("id").GetString().ShouldBe("sec-1");
        hold.GetProperty("actor").GetProperty("role").GetString().ShouldBe("secretariat");
        hold.GetProperty("actor").GetProperty("country").ValueKind.ShouldBe(JsonValueKind.Null);
        hold.GetProperty("note").GetString().ShouldBe("Awaiting funds");
        hold.GetProperty("data").GetProperty("from").GetString().ShouldBe("in-progress");
        hold.GetProperty("data").GetProperty("to").GetString().ShouldBe("on-hold");
        hold.GetProperty("correlationId").GetString().ShouldNotBeNullOrEmpty();
        entries.Select(e => e.GetProperty("sequence").GetInt64()).ShouldBeInOrder(SortDirection.Ascending);
    }

    [Fact]
    public async Task Body_actor_fields_are_refused_and_never_recorded()
    {
        var kh = api.FocalPoint("KH");
        var (id, _) = await Make(kh);
        var before = await api.EventCount();
        var response = await kh.PostJson($"/api/commitments/{id}/status", "{\"status\":\"in-progress\",\"actor\":{\"id\":\"someone-else\"}}");
        await response.ShouldBeProblem(400, "actor");
        (await api.EventCount()).ShouldBe(before);
    }

    [Fact]
    public async Task Secretariat_reopens_a_completed_commitment_with_a_note_and_a_focal_point_cannot()
    {
        var kh = api.FocalPoint("KH");
        var (id, _) = await Make(kh);
        (await kh.PostJson($"/api/commitments/{id}/status", new { status = "completed" })).EnsureSuccessStatusCode();

        await (await kh.PostJson($"/api/commitments/{id}/status", new { status = "in-progress", note = "More to do" })).ShouldBeProblem(409);
        await (await api.Secretariat().PostJson($"/api/commitments/{id}/status", new { status = "in-progress" })).ShouldBeProblem(400, "note");

        var reopened = await api.Secretariat().PostJson($"/api/commitments/{id}/status", new { status = "in-progress", note = "Evidence was incomplete" });
        reopened.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await reopened.Json()).GetProperty("status").GetString().ShouldBe("in-progress");
        var history = await (await api.Reviewer().GetAsync($"/api/commitments/{id}/history")).Json();
        var last = history.EnumerateArray().Last();
        last.GetProperty("type").GetString().ShouldBe("commitment-reopened");
        last.GetProperty("reason").GetString().ShouldBe("Evidence was incomplete");
    }
}
