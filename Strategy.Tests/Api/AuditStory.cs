using System.Net;
using System.Text.Json;
using Npgsql;
using Strategy.Infrastructure.Store;

namespace Strategy.Tests.Api;

/// <summary>One event as the test expects the audit log to show it, worked out from what the story did.</summary>
public sealed record ExpectedEvent(long Sequence, string Kind, Guid StreamId, string Plan, string? Code, string? Country, long Version,
    string Type, string ActorId, string ActorName, string ActorRole, string? ActorCountry, DateTimeOffset Timestamp, string? CorrelationId);

/// <summary>
/// A store (schema of its own) holding a known history, written once for the test class: plan P with a KH and a TH
/// commitment taken through status changes, progress, a revision, an SDG re-alignment and a withdrawal by four
/// different actors, and a decoy plan Q with one KH commitment. <see cref="Events"/> lists every stored event in
/// sequence order, from the commitments' history and the plan streams' rows.
/// </summary>
public sealed class AuditStory : ApiFactory
{
    public const string P = "AUD-P";
    public const string Q = "AUD-Q";

    public Guid Kh { get; private set; }
    public Guid Th { get; private set; }
    public Guid QKh { get; private set; }
    public string KhCode { get; private set; } = "";
    public string KhTitle { get; } = "Adopt provincial adaptation plans";
    public string KhRevisedTitle { get; } = "Adopt provincial and district adaptation plans";
    public List<ExpectedEvent> Events { get; } = [];

    public HttpClient Admin() => As("admin", sub: "adm-1", name: "Admin One");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var sec = Secretariat();
        var fpKh = FocalPoint("KH");
        var fpTh = FocalPoint("TH");
        var admin = Admin();

        await Ok(sec.PostJson("/api/plans", TestPlan.Document(P)), HttpStatusCode.Created);
        (Kh, KhCode) = await Make(fpKh, P, TestPlan.Commitment("KH", "G1.O1", target: 4, title: KhTitle));
        (Th, _) = await Make(fpTh, P, TestPlan.Commitment("TH", "G2.O1", indicator: "G2.O1.I1", target: 80, title: "Publish water quality data"));
        await Ok(fpKh.PostJson($"/api/commitments/{Kh}/status", new { status = "in-progress", note = "Kick-off held" }));
        await Ok(sec.PostJson($"/api/commitments/{Th}/status", new { status = "on-hold", note = "Awaiting funds" }));
        await Ok(fpKh.PostJson($"/api/commitments/{Kh}/progress", new { value = 2, asOf = "2025-06-30", note = "Two provinces" }));
        await Ok(admin.PostJson($"/api/commitments/{Th}/status", new { status = "in-progress", note = "Funds arrived" }));
        await Ok(sec.SendJson(HttpMethod.Patch, $"/api/commitments/{Kh}", new { title = KhRevisedTitle, target = 5.0, reason = "Scope widened" }));
        await Ok(fpTh.PostJson($"/api/commitments/{Th}/progress", new { value = 60, asOf = "2025-09-30" }));
        await Ok(sec.SendJson(HttpMethod.Put, $"/api/plans/{P}/outcomes/G1.O2/sdg-targets", new { sdgTargets = new[] { "11.6" }, reason = "Narrowed to urban air" }));
        await Ok(sec.PostJson($"/api/commitments/{Th}/withdraw", new { reason = "Merged into a regional programme" }));

        await Ok(sec.PostJson("/api/plans", TestPlan.Document(Q)), HttpStatusCode.Created);
        (QKh, _) = await Make(fpKh, Q, TestPlan.Commitment("KH", "G2.O1", indicator: null, target: null, title: "Monitor the Tonle Sap"));
        await Ok(fpKh.PostJson($"/api/commitments/{QKh}/status", new { status = "completed", note = "Done" }));

        var reviewer = Reviewer();
        foreach (var (id, plan, country) in new[] { (Kh, P, "KH"), (Th, P, "TH"), (QKh, Q, "KH") })
        {
            var code = (await (await reviewer.GetAsync($"/api/commitments/{id}")).Json()).GetProperty("code").GetString()!;
            foreach (var h in (await (await reviewer.GetAsync($"/api/commitments/{id}/history")).Json()).EnumerateArray())
            {
                var actor = h.GetProperty("actor");
                Events.Add(new ExpectedEvent(h.GetProperty("sequence").GetInt64(), "commitment", id, plan, code, country,
                    h.GetProperty("version").GetInt64(), h.GetProperty("type").GetString()!, actor.GetProperty("id").GetString()!,
                    actor.GetProperty("name").GetString()!, actor.GetProperty("role").GetString()!, actor.GetProperty("country").GetString(),
                    h.GetProperty("timestamp").GetDateTimeOffset(), h.GetProperty("correlationId").GetString()));
            }
        }

        // The plan streams have no history endpoint: their rows, with the types the story's writes must have produced.
        string[] planTypes = ["plan-created", "goal-added", "outcome-added", "outcome-added", "goal-added", "outcome-added", "outcome-sdg-targets-aligned"];
        foreach (var plan in new[] { P, Q })
        {
            var id = StreamIds.ForPlan(plan);
            await using var connection = new NpgsqlConnection(OwnerConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"select seq_id, version, timestamp from {Schema}.mt_events where stream_id = @id order by version", connection);
            command.Parameters.AddWithValue("id", id);
            await using var reader = await command.ExecuteReaderAsync();
            var n = 0;
            while (await reader.ReadAsync())
            {
                Events.Add(new ExpectedEvent(reader.GetInt64(0), "plan", id, plan, null, null, reader.GetInt64(1), planTypes[n++],
                    "sec-1", "Secretariat Officer", "secretariat", null,
                    new DateTimeOffset(reader.GetFieldValue<DateTime>(2).ToUniversalTime(), TimeSpan.Zero), null));
            }
            n.ShouldBe(plan == P ? 7 : 6);
        }
        Events.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        // The log runs up to the daemon's high-water mark.
        await AuditSupport.WaitForDaemon(this);
        // The story accounts for every stored event.
        Events.Count.ShouldBe((int)await EventCount());
    }

    public ExpectedEvent Single(Guid stream, string type) => Events.Single(e => e.StreamId == stream && e.Type == type);

    private static async Task<JsonElement> Ok(Task<HttpResponseMessage> call, HttpStatusCode status = HttpStatusCode.OK)
    {
        var response = await call;
        response.StatusCode.ShouldBe(status, await response.Content.ReadAsStringAsync());
        return await response.Json();
    }

    private static async Task<(Guid, string)> Make(HttpClient client, string plan, object commitment)
    {
        var body = await Ok(client.PostJson($"/api/plans/{plan}/commitments", commitment), HttpStatusCode.Created);
        return (body.GetProperty("id").GetGuid(), body.GetProperty("code").GetString()!);
    }
}
