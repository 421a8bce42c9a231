using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Strategy.Infrastructure.Audit;
using static Strategy.Tests.Api.AuditSupport;

namespace Strategy.Tests.Api;

/// <summary>
/// A published report can be checked: the hash after its last event is recomputed on request, its basis is signed as a
/// checkpoint with a key the database does not hold, a reviewer can re-derive it, and a rewrite of the log that keeps
/// the chain's own tables consistent (as the database's owner could) still breaks verification at the checkpoint.
/// </summary>
public sealed class AuditCheckpointTests
{
    [Fact]
    public async Task A_report_taken_while_an_earlier_event_is_still_committing_waits_for_it_so_its_chain_hash_and_checkpoint_hold()
    {
        await using var own = await StartOwnFactory();
        var api = own.Api;
        await ChainHistory.Write(api, "SLOW-A");
        await ChainHistory.Write(api, "SLOW-B");
        var slow = await ChainHistory.Make(api.Secretariat(), "SLOW-B", "VN");
        var later = await ChainHistory.Make(api.Secretariat(), "SLOW-A", "VN");

        // An event of another plan draws its sequence and stays uncommitted...
        var store = api.Services.GetRequiredService<Marten.IDocumentStore>();
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var session = store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(transaction, false)))
        {
            session.Events.Append(slow, new Strategy.Domain.Commitments.CommitmentStatusChanged(slow,
                Strategy.Domain.Commitments.CommitmentStatus.NotStarted, Strategy.Domain.Commitments.CommitmentStatus.InProgress, "slow to commit"));
            await session.SaveChangesAsync();
        }
        // ...while a later write of the report's plan commits with a higher one, and the report is asked for.
        (await api.Secretariat().PostJson($"/api/commitments/{later}/status", new { status = "in-progress" })).EnsureSuccessStatusCode();
        var requested = await ReportFixture.Request(api.Secretariat(), new { kind = "progress", plan = "SLOW-A" });
        await Task.Delay(TimeSpan.FromSeconds(1));
        await transaction.CommitAsync();

        var report = await ReportFixture.Succeeded(api.Reviewer(), requested);
        var sequence = report.GetProperty("eventSequence").GetInt64();
        (await StoredSequences(api)).Count(s => s < sequence).ShouldBeGreaterThan(0);
        await WaitForDaemon(api);
        var at = await (await api.Reviewer().GetAsync($"/api/audit/verify?upTo={sequence}")).Json();
        at.S("hash").ShouldBe(report.S("chainHash"), at.GetRawText());
        // The checkpoint signed for the report holds against the whole log.
        var verified = await ChainHistory.Verify(api);
        verified.GetProperty("valid").GetBoolean().ShouldBeTrue(verified.GetRawText());
        verified.GetProperty("checkpointsChecked").GetInt32().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task A_reviewer_re_derives_a_report_and_checks_its_chain_hash_and_signed_checkpoint()
    {
        await using var own = await StartOwnFactory();
        var api = own.Api;
        await ChainHistory.Write(api, "CKPT");
        await ChainHistory.ShouldBeIntact(api);
        var asOf = DateTimeOffset.UtcNow;
        // A write after the instant: the re-derived report must not see it.
        await ChainHistory.Make(api.Secretariat(), "CKPT", "VN");

        var published = await ReportFixture.Succeeded(api.Reviewer(),
            await ReportFixture.Request(api.Secretariat(), new { kind = "progress", plan = "CKPT", asOf = Iso(asOf) }));
        var rederived = await ReportFixture.Succeeded(api.Reviewer(),
            await ReportFixture.Request(api.Reviewer(), new { kind = "progress", plan = "CKPT", asOf = Iso(asOf) }));
        rederived.S("contentHash").ShouldBe(published.S("contentHash"));
        rederived.GetProperty("eventSequence").GetInt64().ShouldBe(published.GetProperty("eventSequence").GetInt64());
        rederived.S("chainHash").ShouldBe(published.S("chainHash"));

        // The hash after the report's last event, recomputed from the log, is the one the report carries.
        var sequence = published.GetProperty("eventSequence").GetInt64();
        await WaitForDaemon(api);
        var at = await (await api.Reviewer().GetAsync($"/api/audit/verify?upTo={sequence}")).Json();
        at.S("hash").ShouldBe(published.S("chainHash"), at.GetRawText());
        at.S("storedHash").ShouldBe(published.S("chainHash"), at.GetRawText());
        at.GetProperty("eventsHashed").GetInt64().ShouldBe((await StoredSequences(api)).Count(s => s <= sequence));

        // Its basis was signed; the signature verifies with the published key, fetched without signing in.
        var checkpoints = await (await api.Reviewer().GetAsync("/api/audit/checkpoints")).Json();
        var signed = checkpoints.EnumerateArray().First(c => c.TryGetProperty("reportId", out var r) && r.ValueKind == JsonValueKind.String && r.GetGuid() == published.GetProperty("id").GetGuid());
        signed.S("occasion").ShouldBe("report");
        signed.GetProperty("sequence").GetInt64().ShouldBe(sequence);
        signed.S("hash").ShouldBe(published.S("chainHash"));
        var keyResponse = await api.CreateClient().GetAsync("/api/audit/public-key");
        keyResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
        var key = await keyResponse.Json();
        key.S("algorithm").ShouldBe("ES256");
        using var publicKey = ECDsa.Create();
        publicKey.ImportFromPem(key.S("publicKeyPem")!);
        var checkpoint = new AuditCheckpoint(sequence, signed.S("hash")!, signed.GetProperty("signedAt").GetDateTimeOffset(), signed.S("keyId")!, signed.S("signature")!);
        checkpoint.KeyId.ShouldBe(key.S("keyId"));
        AuditCheckpoints.IsSignedBy(checkpoint, publicKey).ShouldBeTrue();
        AuditCheckpoints.IsSignedBy(checkpoint with { Hash = new string('0', 64) }, publicKey).ShouldBeFalse();
        AuditCheckpoints.IsSignedBy(checkpoint with { Sequence = sequence - 1 }, publicKey).ShouldBeFalse();

        var verified = await ChainHistory.Verify(api);
        verified.GetProperty("valid").GetBoolean().ShouldBeTrue(verified.GetRawText());
        verified.GetProperty("checkpointsChecked").GetInt32().ShouldBeGreaterThanOrEqualTo(2, verified.GetRawText());
    }

    [Fact]
    public async Task Rewriting_an_event_and_every_link_after_it_is_caught_by_the_signed_checkpoint()
    {
        await using var own = await StartOwnFactory();
        var api = own.Api;
        await ChainHistory.Write(api, "REWRITE");
        await ChainHistory.ShouldBeIntact(api);
        var checkpoint = await Sign(api);
        var stored = await StoredSequences(api);
        var altered = stored[stored.Count / 2];

        // As the owner: alter one event, then recompute and rewrite every link from it and the head, so the chain's
        // tables agree with the altered log and nothing but the checkpoint remembers the original.
        (await Sql($"update {api.Schema}.mt_events set data = jsonb_set(data, '{{title}}', '\"rewritten\"') where seq_id = @n", ("n", altered))).ShouldBe(1);
        await RechainFrom(api, altered);

        var result = await ChainHistory.Verify(api);
        var text = result.GetRawText();
        result.GetProperty("valid").GetBoolean().ShouldBeFalse(text);
        result.GetProperty("reason").GetString()!.ShouldContain("checkpoint", Case.Insensitive, text);
        result.GetProperty("firstBrokenSequence").GetInt64().ShouldBeGreaterThan(checkpoint.GetProperty("sequence").GetInt64() - 1, text);
        // The same rewrite without the checkpoint's memory passes: the chain's tables alone cannot tell.
        (await Sql($"delete from {api.Schema}.mt_doc_storedcheckpoint")).ShouldBeGreaterThan(0);
        (await ChainHistory.Verify(api)).GetProperty("valid").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task A_forged_checkpoint_is_reported_and_an_event_appended_with_a_past_timestamp_is_named()
    {
        await using var own = await StartOwnFactory();
        var api = own.Api;
        await ChainHistory.Write(api, "FORGE");
        await ChainHistory.ShouldBeIntact(api);
        var checkpoint = await Sign(api);

        // A checkpoint whose hash was changed after signing no longer verifies.
        (await Sql($"update {api.Schema}.mt_doc_storedcheckpoint set data = jsonb_set(data, '{{hash}}', '\"{new string('1', 64)}\"')")).ShouldBe(1);
        var forged = await ChainHistory.Verify(api);
        forged.GetProperty("valid").GetBoolean().ShouldBeFalse(forged.GetRawText());
        forged.GetProperty("firstBrokenSequence").GetInt64().ShouldBe(checkpoint.GetProperty("sequence").GetInt64());
        (await Sql($"delete from {api.Schema}.mt_doc_storedcheckpoint")).ShouldBe(1);

        // As the owner (whom the app role's guard does not bind): an event dated an hour back, appended after the
        // others. The daemon chains it like any other; its timestamp going back names it.
        var last = (await StoredSequences(api))[^1];
        (await Sql($"insert into {api.Schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, " +
                   "correlation_id, causation_id, headers, user_name, is_archived) " +
                   $"select nextval('{api.Schema}.mt_events_sequence'), gen_random_uuid(), stream_id, version + 1000, data, type, now() - interval '1 hour', tenant_id, mt_dotnet_type, " +
                   $"correlation_id, causation_id, headers, 'fp-kh', is_archived from {api.Schema}.mt_events where seq_id = @last",
            ("last", last))).ShouldBe(1);
        await WaitForDaemon(api);
        var backdated = (await StoredSequences(api))[^1];
        backdated.ShouldBeGreaterThan(last);
        var result = await ChainHistory.Verify(api);
        var text = result.GetRawText();
        result.GetProperty("valid").GetBoolean().ShouldBeFalse(text);
        result.GetProperty("firstBrokenSequence").GetInt64().ShouldBe(backdated, text);
        result.GetProperty("reason").GetString()!.ShouldContain("timestamp", Case.Insensitive, text);
    }

    [Fact]
    public async Task Moving_the_chain_head_back_does_not_hide_an_altered_event_from_the_checkpoint()
    {
        await using var own = await StartOwnFactory();
        var api = own.Api;
        await ChainHistory.Write(api, "REWIND");
        await ChainHistory.ShouldBeIntact(api);
        var checkpoint = await Sign(api);
        var altered = (await StoredSequences(api))[2];

        // The head moved back to the start (the app role may write the chain's tables), then an event altered: with no
        // link left to compare, only the checkpoint still knows the log.
        (await Sql($"update {api.Schema}.mt_doc_auditchainhead set data = jsonb_set(jsonb_set(data, '{{sequence}}', '0'), '{{hash}}', to_jsonb(@genesis::text))",
            ("genesis", AuditHash.Genesis))).ShouldBe(1);
        (await Sql($"update {api.Schema}.mt_events set data = jsonb_set(data, '{{title}}', '\"rewound\"') where seq_id = @n", ("n", altered))).ShouldBe(1);

        var result = await ChainHistory.Verify(api);
        var text = result.GetRawText();
        result.GetProperty("valid").GetBoolean().ShouldBeFalse(text);
        result.GetProperty("firstBrokenSequence").GetInt64().ShouldBeGreaterThan(checkpoint.GetProperty("sequence").GetInt64() - 1, text);
        result.GetProperty("reason").GetString()!.ShouldContain("checkpoint", Case.Insensitive, text);
    }

    [Fact]
    public async Task Callers_who_ask_while_a_scan_runs_share_it_instead_of_each_scanning_the_log()
    {
        await using var own = await StartOwnFactory();
        var api = own.Api;
        await ChainHistory.Write(api, "SHARE");
        await ChainHistory.ShouldBeIntact(api);
        var store = api.Services.GetRequiredService<AuditCheckpointStore>();
        var (started, joined) = (store.ScansStarted, store.ScansJoined);

        // The event table locked, so the first scan waits at its read while the other callers arrive.
        await using var connection = new NpgsqlConnection(ApiFactory.OwnerConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var lockEvents = new NpgsqlCommand($"lock table {api.Schema}.mt_events in access exclusive mode", connection, transaction))
            await lockEvents.ExecuteNonQueryAsync();
        var calls = Enumerable.Range(0, 8).Select(_ => api.Reviewer().GetAsync("/api/audit/verify")).ToList();
        var waited = Stopwatch.StartNew();
        while (store.ScansJoined - joined < 7 && waited.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(50);
        (store.ScansStarted - started).ShouldBe(1);
        (store.ScansJoined - joined).ShouldBe(7);
        await transaction.RollbackAsync();

        var bodies = new List<string>();
        foreach (var call in calls)
        {
            var response = await call;
            var body = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
            bodies.Add(body);
        }
        bodies.Distinct().ShouldHaveSingleItem();
        JsonDocument.Parse(bodies[0]).RootElement.GetProperty("valid").GetBoolean().ShouldBeTrue(bodies[0]);
        (store.ScansStarted - started).ShouldBe(1);
    }

    [Fact]
    public async Task Verify_from_last_checks_only_what_was_added_since_and_still_catches_a_rewritten_link_at_that_point()
    {
        await using var own = await StartOwnFactory();
        var api = own.Api;
        await ChainHistory.Write(api, "SINCE");
        await ChainHistory.ShouldBeIntact(api);
        var whole = await ChainHistory.Verify(api);
        var point = whole.GetProperty("lastSequence").GetInt64();

        // Three more events: from=last checks those, starting after the point the whole-log check reached.
        var id = await ChainHistory.Make(api.Secretariat(), "SINCE", "VN");
        (await api.Secretariat().PostJson($"/api/commitments/{id}/status", new { status = "in-progress" })).EnsureSuccessStatusCode();
        await WaitForDaemon(api);
        var added = (await StoredSequences(api)).Where(s => s > point).ToList();
        added.ShouldNotBeEmpty();
        var since = await (await api.Reviewer().GetAsync("/api/audit/verify?from=last")).Json();
        var text = since.GetRawText();
        since.GetProperty("valid").GetBoolean().ShouldBeTrue(text);
        since.GetProperty("verifiedFrom").GetInt64().ShouldBe(point, text);
        since.GetProperty("eventsChecked").GetInt64().ShouldBe(added.Count, text);
        since.GetProperty("headHash").GetString().ShouldBe((await ChainHistory.Verify(api)).GetProperty("headHash").GetString(), text);

        // The next one starts where that one ended; an altered event after it is named.
        var next = since.GetProperty("lastSequence").GetInt64();
        (await Sql($"update {api.Schema}.mt_doc_auditlink set data = jsonb_set(data, '{{hash}}', '\"{new string('0', 64)}\"') where id = @n", ("n", next))).ShouldBe(1);
        var rewritten = await (await api.Reviewer().GetAsync("/api/audit/verify?from=last")).Json();
        rewritten.GetProperty("valid").GetBoolean().ShouldBeFalse(rewritten.GetRawText());
        rewritten.GetProperty("firstBrokenSequence").GetInt64().ShouldBe(next, rewritten.GetRawText());
        await (await api.Reviewer().GetAsync("/api/audit/verify?from=first")).ShouldBeProblem(400);
    }

    [Fact]
    public async Task Verify_up_to_refuses_a_negative_sequence_and_says_when_the_hash_is_not_final_yet()
    {
        await using var own = await StartOwnFactory();
        var api = own.Api;
        await ChainHistory.Write(api, "UPTO");
        await (await api.Reviewer().GetAsync("/api/audit/verify?upTo=-1")).ShouldBeProblem(400);
        await (await api.Reviewer().GetAsync("/api/audit/verify?upTo=abc")).ShouldBeProblem(400);
        await (await api.Reviewer().GetAsync($"/api/audit/verify?upTo={long.MaxValue}")).ShouldBeProblem(404);
        await (await api.FocalPoint("KH").GetAsync("/api/audit/verify?upTo=1")).ShouldBeProblem(403);
        await (await api.FocalPoint("KH").GetAsync("/api/audit/checkpoints")).ShouldBeProblem(403);

        // The document says what the code reads, and that the public key needs no token.
        var paths = (await (await api.CreateClient().GetAsync("/openapi/v1.json")).Json()).GetProperty("paths");
        string[] Parameters(string path) => [.. paths.GetProperty(path).GetProperty("get").GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()!)];
        Parameters("/api/audit/verify").ShouldBe(["upTo", "from"], ignoreOrder: true);
        Parameters("/api/audit/checkpoints").ShouldBe(["limit"]);
        paths.GetProperty("/api/audit/public-key").GetProperty("get").GetProperty("security").GetArrayLength().ShouldBe(0);
    }

    /// <summary>The periodic job's work, run now: the head signed; returns the newest checkpoint as listed.</summary>
    private static async Task<JsonElement> Sign(ApiFactory api)
    {
        await WaitForDaemon(api);
        var checkpoints = api.Services.GetRequiredService<AuditCheckpointStore>();
        (await checkpoints.SignHeadAsync(CancellationToken.None)).ShouldNotBeNull();
        var listed = await (await api.Reviewer().GetAsync("/api/audit/checkpoints?limit=1")).Json();
        var newest = listed.EnumerateArray().ShouldHaveSingleItem();
        newest.S("occasion").ShouldBe("periodic");
        newest.GetProperty("sequence").GetInt64().ShouldBe((await StoredSequences(api))[^1]);
        return newest.Clone();
    }

    /// <summary>Recomputes the links from <paramref name="from"/> on, and the head, from the events as they are now.</summary>
    private static async Task RechainFrom(ApiFactory api, long from)
    {
        await using var connection = new NpgsqlConnection(ApiFactory.OwnerConnectionString);
        await connection.OpenAsync();
        var hash = AuditHash.Genesis;
        await using (var previous = new NpgsqlCommand($"select data->>'hash' from {api.Schema}.mt_doc_auditlink where id < @from order by id desc limit 1", connection))
        {
            previous.Parameters.AddWithValue("from", from);
            if (await previous.ExecuteScalarAsync() is string h) hash = h;
        }
        var links = new List<(long Id, string Hash)>();
        await using (var read = new NpgsqlCommand(AuditHash.Sql(api.Schema, "e.seq_id >= @from"), connection))
        {
            read.Parameters.AddWithValue("from", from);
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                hash = AuditHash.Next(hash, AuditHash.Canonical(reader));
                links.Add((reader.GetInt64(0), hash));
            }
        }
        foreach (var (id, linkHash) in links)
            (await Sql($"update {api.Schema}.mt_doc_auditlink set data = jsonb_set(data, '{{hash}}', to_jsonb(@hash::text)) where id = @id", ("id", id), ("hash", linkHash))).ShouldBe(1);
        (await Sql($"update {api.Schema}.mt_doc_auditchainhead set data = jsonb_set(data, '{{hash}}', to_jsonb(@hash::text))", ("hash", hash))).ShouldBe(1);
    }
}
