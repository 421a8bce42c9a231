using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace Strategy.Tests.Api;

/// <summary>
/// An idempotency record belongs to exactly one (caller, key) pair, covers the request's If-Match, and expires:
/// after Idempotency:RecordHours (24 by default) a key is free again.
/// </summary>
public sealed class IdempotencyKeyScopeTests(FixedClockFactory api) : IClassFixture<FixedClockFactory>, IAsyncLifetime
{
    private readonly string Plan = "IKS-" + Guid.NewGuid().ToString("N")[..8];
    private Guid commitment;

    public async Task InitializeAsync()
    {
        (await api.Secretariat().PostJson("/api/plans", TestPlan.Document(Plan))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var made = await api.Secretariat().PostJson($"/api/plans/{Plan}/commitments", TestPlan.Commitment("KH"));
        commitment = (await made.Json()).GetProperty("id").GetGuid();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static bool Replayed(HttpResponseMessage r) => r.Headers.TryGetValues("Idempotent-Replayed", out var v) && v.Single() == "true";

    [Fact]
    public async Task Subjects_and_keys_with_a_bar_in_them_never_share_a_record()
    {
        // "auth0|a" with key "b|k" and "auth0|a|b" with key "k" both read "auth0|a|b|k" when joined with a bar.
        var first = api.As("secretariat", sub: "auth0|a", name: "First Officer");
        var second = api.As("secretariat", sub: "auth0|a|b", name: "Second Officer");
        var mine = await first.PostJson($"/api/commitments/{commitment}/status", new { status = "in-progress", note = "first" }, idempotencyKey: "b|k");
        mine.StatusCode.ShouldBe(HttpStatusCode.OK, await mine.Content.ReadAsStringAsync());

        var theirs = await second.PostJson($"/api/commitments/{commitment}/status", new { status = "on-hold", note = "second" }, idempotencyKey: "k");

        theirs.StatusCode.ShouldBe(HttpStatusCode.OK, await theirs.Content.ReadAsStringAsync());
        Replayed(theirs).ShouldBeFalse();
        (await theirs.Json()).GetProperty("status").GetString().ShouldBe("on-hold");
    }

    [Fact]
    public async Task The_same_key_and_body_with_another_If_Match_is_another_request()
    {
        var kh = api.FocalPoint("KH");
        var read = await api.Reviewer().GetAsync($"/api/commitments/{commitment}");
        var version = read.ETag();
        var key = "ifm-" + Guid.NewGuid().ToString("N");
        var body = new { value = 1, asOf = "2026-03-31" };
        (await kh.PostJson($"/api/commitments/{commitment}/progress", body, ifMatch: version, idempotencyKey: key)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var before = await api.EventCount();

        await (await kh.PostJson($"/api/commitments/{commitment}/progress", body, ifMatch: version + 5, idempotencyKey: key)).ShouldBeProblem(422);

        (await api.EventCount()).ShouldBe(before);
        var again = await kh.PostJson($"/api/commitments/{commitment}/progress", body, ifMatch: version, idempotencyKey: key);
        Replayed(again).ShouldBeTrue();
    }

    [Fact]
    public async Task A_key_is_free_again_once_its_record_has_expired()
    {
        var kh = api.FocalPoint("KH");
        var key = "exp-" + Guid.NewGuid().ToString("N");
        var start = api.Clock.Now;
        try
        {
            (await kh.PostJson($"/api/commitments/{commitment}/progress", new { value = 1, asOf = "2026-04-30" }, idempotencyKey: key)).StatusCode.ShouldBe(HttpStatusCode.OK);
            api.Clock.Now = start.AddHours(23);
            await (await kh.PostJson($"/api/commitments/{commitment}/progress", new { value = 2, asOf = "2026-04-30" }, idempotencyKey: key)).ShouldBeProblem(422);

            api.Clock.Now = start.AddHours(25);
            var later = await kh.PostJson($"/api/commitments/{commitment}/progress", new { value = 2, asOf = "2026-04-30" }, idempotencyKey: key);

            later.StatusCode.ShouldBe(HttpStatusCode.OK, await later.Content.ReadAsStringAsync());
            Replayed(later).ShouldBeFalse();
            var retry = await kh.PostJson($"/api/commitments/{commitment}/progress", new { value = 2, asOf = "2026-04-30" }, idempotencyKey: key);
            Replayed(retry).ShouldBeTrue();
        }
        finally
        {
            api.Clock.Now = start;
        }
    }

    [Fact]
    public async Task The_daily_prune_deletes_expired_records_and_keeps_the_others()
    {
        var kh = api.FocalPoint("KH");
        var start = api.Clock.Now;
        try
        {
            var old = "old-" + Guid.NewGuid().ToString("N");
            (await kh.PostJson($"/api/commitments/{commitment}/status", new { status = "in-progress", note = old }, idempotencyKey: old)).StatusCode.ShouldBe(HttpStatusCode.OK);
            api.Clock.Now = start.AddHours(20);
            var young = "young-" + Guid.NewGuid().ToString("N");
            (await kh.PostJson($"/api/commitments/{commitment}/status", new { status = "on-hold", note = young }, idempotencyKey: young)).StatusCode.ShouldBe(HttpStatusCode.OK);

            api.Clock.Now = start.AddHours(25);
            await using (var scope = api.Services.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<Strategy.Api.Features.Reports.ScheduledJobs>().PruneIdempotencyRecords(CancellationToken.None);

            var ids = await Ids();
            ids.ShouldNotContain(Strategy.Infrastructure.Store.IdempotencyRecord.IdFor("fp-kh", old));
            ids.ShouldContain(Strategy.Infrastructure.Store.IdempotencyRecord.IdFor("fp-kh", young));
        }
        finally
        {
            api.Clock.Now = start;
        }
    }

    private async Task<List<string>> Ids()
    {
        await using var connection = new Npgsql.NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"select id from {api.Schema}.mt_doc_idempotencyrecord", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync()) ids.Add(reader.GetString(0));
        return ids;
    }
}
