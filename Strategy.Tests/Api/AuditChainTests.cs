using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using Marten.Services;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Strategy.Domain.Commitments;
using Strategy.Infrastructure.Audit;
using static Strategy.Tests.Api.AuditSupport;

namespace Strategy.Tests.Api;

/// <summary>Writes a small history to a store: a plan (6 events) and two commitments taken through a few changes.</summary>
internal static class ChainHistory
{
    public static async Task Write(ApiFactory api, string plan)
    {
        var sec = api.Secretariat();
        var fp = api.FocalPoint("KH");
        (await sec.PostJson("/api/plans", TestPlan.Document(plan))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var kh = await Make(fp, plan, "KH");
        var th = await Make(sec, plan, "TH");
        (await fp.PostJson($"/api/commitments/{kh}/status", new { status = "in-progress" })).EnsureSuccessStatusCode();
        (await fp.PostJson($"/api/commitments/{kh}/progress", new { value = 1, asOf = "2025-03-31" })).EnsureSuccessStatusCode();
        (await sec.SendJson(HttpMethod.Patch, $"/api/commitments/{th}", new { target = 6.0, reason = "Raised" })).EnsureSuccessStatusCode();
        (await sec.PostJson($"/api/commitments/{th}/status", new { status = "on-hold", note = "Paused" })).EnsureSuccessStatusCode();
    }

    public static async Task<Guid> Make(HttpClient client, string plan, string country)
    {
        var response = await client.PostJson($"/api/plans/{plan}/commitments", TestPlan.Commitment(country));
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Json()).GetProperty("id").GetGuid();
    }

    public static async Task<JsonElement> Verify(ApiFactory api)
    {
        var response = await api.Reviewer().GetAsync("/api/audit/verify");
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Verify after the daemon caught up: the whole log chained and every link matching.</summary>
    public static async Task ShouldBeIntact(ApiFactory api)
    {
        await WaitForDaemon(api);
        var stored = await StoredSequences(api);
        stored.ShouldNotBeEmpty();
        var result = await Verify(api);
        var text = result.GetRawText();
        result.GetProperty("valid").GetBoolean().ShouldBeTrue(text);
        result.GetProperty("eventsChecked").GetInt64().ShouldBe(await api.EventCount(), text);
        result.GetProperty("eventsChecked").GetInt64().ShouldBe(stored.Count, text);
        result.GetProperty("lastSequence").GetInt64().ShouldBe(stored[^1], text);
        result.GetProperty("firstBrokenSequence").ValueKind.ShouldBe(JsonValueKind.Null, text);
        result.GetProperty("eventsPending").GetInt64().ShouldBe(0, text);
    }
}

public sealed class AuditChainTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Verify_checks_every_event_and_keeps_up_as_the_log_grows()
    {
        var plan = "CH-" + Guid.NewGuid().ToString("N")[..8];
        await ChainHistory.Write(api, plan);
        await ChainHistory.ShouldBeIntact(api);
        var firstHead = (await ChainHistory.Verify(api)).GetProperty("headHash").GetString()!;
        firstHead.Length.ShouldBe(64);

        // More events: the daemon extends the chain and verify covers them too, ending at a new head.
        var id = await ChainHistory.Make(api.FocalPoint("VN"), plan, "VN");
        (await api.FocalPoint("VN").PostJson($"/api/commitments/{id}/status", new { status = "completed" })).EnsureSuccessStatusCode();
        await ChainHistory.ShouldBeIntact(api);
        (await ChainHistory.Verify(api)).GetProperty("headHash").GetString().ShouldNotBe(firstHead);
    }
}

/// <summary>
/// The canonical form is computed from the stored values, so it can be recomputed outside the server: data and headers
/// are hashed in RFC 8785's canonical JSON, not as PostgreSQL prints jsonb ("a": 1, with spaces, in its own key order).
/// </summary>
public sealed class AuditCanonicalFormTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private sealed record Row(long Sequence, Guid Id, Guid StreamId, long Version, string Type, DateTime Timestamp, string Data, string UserName,
        string Headers, string CorrelationId, string CausationId, string Canonical);

    private async Task<List<Row>> Rows()
    {
        await ChainHistory.Write(api, "CANON-" + Guid.NewGuid().ToString("N")[..6]);
        await WaitForDaemon(api);
        await using var connection = new NpgsqlConnection(ApiFactory.OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(AuditHash.Sql(api.Schema, "true"), connection);
        await using var r = await command.ExecuteReaderAsync();
        var rows = new List<Row>();
        while (await r.ReadAsync())
            rows.Add(new Row(r.GetInt64(0), r.GetGuid(1), r.GetGuid(2), r.GetInt64(3), r.GetString(4), r.GetFieldValue<DateTime>(5), r.GetString(6),
                r.GetString(7), r.GetString(8), r.GetString(9), r.GetString(10), AuditHash.Canonical(r)));
        rows.Count.ShouldBeGreaterThan(6);
        return rows;
    }

    [Fact]
    public async Task Data_and_headers_are_hashed_in_canonical_JSON_not_as_PostgreSQL_prints_them()
    {
        foreach (var row in await Rows())
        {
            var parts = row.Canonical.Split('\u001f');
            parts.Length.ShouldBe(11);
            row.Data.ShouldContain("\": ", Case.Sensitive, "PostgreSQL prints jsonb with a space after each colon");
            parts[6].ShouldBe(JsonCanonical.Canonicalize(row.Data));
            parts[8].ShouldBe(JsonCanonical.Canonicalize(row.Headers));
            parts[5].ShouldBe(row.Timestamp.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task The_canonical_form_computed_from_plain_values_printed_by_NET_is_the_one_the_chain_hashed()
    {
        var rows = await Rows();
        var hash = AuditHash.Genesis;
        foreach (var row in rows)
        {
            // The same values, printed another way: indented, members in reverse order.
            string Reprint(string json) => json.Length == 0 ? "" : JsonSerializer.Serialize(Reverse(JsonNode.Parse(json)), new JsonSerializerOptions { WriteIndented = true });
            var fields = AuditHash.Fields(row.Id, row.StreamId, row.Version, row.Type, row.Timestamp, Reprint(row.Data), row.UserName,
                Reprint(row.Headers), row.CorrelationId, row.CausationId);
            AuditHash.Canonical(row.Sequence, fields).ShouldBe(row.Canonical);
            hash = AuditHash.Next(hash, AuditHash.Canonical(row.Sequence, fields));
        }
        hash.ShouldBe((await ChainHistory.Verify(api)).GetProperty("headHash").GetString());
    }

    private static JsonNode? Reverse(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => new JsonObject(o.Reverse().Select(p => KeyValuePair.Create(p.Key, Reverse(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Reverse)]),
        _ => node.DeepClone(),
    };
}

/// <summary>Each case alters the stored log as a superuser would, in a store of its own, and verify must name the event.</summary>
public sealed class AuditTamperingTests
{
    public static TheoryData<string> Cases => ["data-first", "data-middle", "data-last", "actor", "actor-headers", "timestamp", "stream-version", "deleted", "link"];

    /// <summary>
    /// Three events are altered, none next to another, the earliest of them at the start, the middle or the end of the
    /// log; the earliest is altered second, so it is neither the first nor the last change made. Verify must name the
    /// earliest: a verifier that named the last broken link, or the event changed first or last, would name another.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Verify_reports_the_first_altered_event(string tampering)
    {
        await using var own = await StartOwnFactory();
        var api = own.Api;
        await ChainHistory.Write(api, "TAMPER");
        await ChainHistory.ShouldBeIntact(api);

        var stored = await StoredSequences(api);
        stored.Count.ShouldBeGreaterThanOrEqualTo(9, "the history must leave room for three altered events apart from each other");
        var first = tampering switch
        {
            "data-first" => 0,
            "data-last" => stored.Count - 5,
            _ => stored.Count / 2 - 2,
        };
        long[] altered = [stored[first], stored[first + 2], stored[first + 4]];
        var events = $"{api.Schema}.mt_events";
        var sql = tampering switch
        {
            "data-first" or "data-middle" or "data-last" => $"update {events} set data = jsonb_set(data, '{{title}}', '\"tampered\"') where seq_id = @n",
            "actor" => $"update {events} set user_name = 'someone-else' where seq_id = @n",
            "actor-headers" => $"update {events} set headers = jsonb_set(headers, '{{actor-name}}', '\"Someone Else\"') where seq_id = @n",
            "timestamp" => $"update {events} set timestamp = timestamp - interval '1 day' where seq_id = @n",
            "stream-version" => $"update {events} set version = version + 1000 where seq_id = @n",
            "deleted" => $"delete from {events} where seq_id = @n",
            "link" => $"update {api.Schema}.mt_doc_auditlink set data = jsonb_set(data, '{{hash}}', '\"{new string('0', 64)}\"') where id = @n",
            _ => throw new ArgumentOutOfRangeException(nameof(tampering)),
        };
        foreach (var n in new[] { altered[1], altered[0], altered[2] })
            (await Sql(sql, ("n", n))).ShouldBe(1);

        var result = await ChainHistory.Verify(api);
        var text = result.GetRawText();
        result.GetProperty("valid").GetBoolean().ShouldBeFalse(text);
        result.GetProperty("firstBrokenSequence").GetInt64().ShouldBe(altered[0], text);
        result.GetProperty("lastSequence").GetInt64().ShouldBe(stored.Where(s => s < altered[0]).DefaultIfEmpty(0).Max(), text);
        result.GetProperty("reason").GetString().ShouldNotBeNullOrEmpty(text);
    }

    [Fact]
    public async Task An_event_slipped_into_a_gap_of_the_sequence_is_reported_as_never_chained()
    {
        await using var own = await StartOwnFactory();
        var api = own.Api;
        await ChainHistory.Write(api, "TAMPER");
        var id = await ChainHistory.Make(api.Secretariat(), "TAMPER", "VN");

        // A write that rolls back leaves its sequence number unused: a gap.
        var store = api.Services.GetRequiredService<IDocumentStore>();
        await using (var connection = new NpgsqlConnection(api.ConnectionString))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using var session = store.LightweightSession(SessionOptions.ForTransaction(transaction, false));
            session.Events.Append(id, new CommitmentStatusChanged(id, CommitmentStatus.InProgress, CommitmentStatus.OnHold, "rolled back"));
            await session.SaveChangesAsync();
            await transaction.RollbackAsync();
        }
        (await api.Secretariat().PostJson($"/api/commitments/{id}/status", new { status = "in-progress" })).EnsureSuccessStatusCode();
        await ChainHistory.ShouldBeIntact(api);

        var stored = await StoredSequences(api);
        var gap = Enumerable.Range(1, (int)stored[^1]).Select(i => (long)i).Except(stored).ShouldHaveSingleItem();
        var copied = stored[stored.Count / 2];
        (await Sql($"insert into {api.Schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, " +
                   "correlation_id, causation_id, headers, user_name, is_archived) " +
                   "select @gap, gen_random_uuid(), stream_id, version + 1000, data, type, timestamp, tenant_id, mt_dotnet_type, " +
                   $"correlation_id, causation_id, headers, user_name, is_archived from {api.Schema}.mt_events where seq_id = @copied",
            ("gap", gap), ("copied", copied))).ShouldBe(1);

        var result = await ChainHistory.Verify(api);
        result.GetProperty("valid").GetBoolean().ShouldBeFalse(result.GetRawText());
        result.GetProperty("firstBrokenSequence").GetInt64().ShouldBe(gap);
    }

    [Fact]
    public async Task An_altered_event_stays_reported_as_the_log_grows_and_putting_it_back_makes_the_chain_whole_again()
    {
        await using var own = await StartOwnFactory();
        var api = own.Api;
        await ChainHistory.Write(api, "TAMPER");
        await ChainHistory.ShouldBeIntact(api);
        var stored = await StoredSequences(api);
        var n = stored[stored.Count / 2];

        await Sql($"create table {api.Schema}.original as select seq_id, data from {api.Schema}.mt_events where seq_id = @n", ("n", n));
        await Sql($"update {api.Schema}.mt_events set data = jsonb_set(data, '{{title}}', '\"tampered\"') where seq_id = @n", ("n", n));

        // New events are chained after the altered one; verify still names it.
        (await api.Secretariat().PostJson("/api/plans", TestPlan.Document("TAMPER-2"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        await WaitForDaemon(api);
        var result = await ChainHistory.Verify(api);
        result.GetProperty("valid").GetBoolean().ShouldBeFalse();
        result.GetProperty("firstBrokenSequence").GetInt64().ShouldBe(n);

        await Sql($"update {api.Schema}.mt_events e set data = o.data from {api.Schema}.original o where e.seq_id = o.seq_id");
        await ChainHistory.ShouldBeIntact(api);
    }
}

/// <summary>A log longer than one daemon batch (5000 events), so the chain has to run on from one batch to the next.</summary>
public sealed class AuditChainBatchTests
{
    [Fact]
    public async Task A_log_of_several_batches_verifies_and_an_altered_event_in_a_later_batch_is_named()
    {
        await using var own = await StartOwnFactory();
        var api = own.Api;
        await ChainHistory.Write(api, "BATCHES");
        await ChainHistory.ShouldBeIntact(api);

        // 12,000 more events, copies of the last one on its stream, written with SQL as a bulk load would be (the chain
        // reads events as stored): three batches.
        var s = api.Schema;
        (await Sql($"insert into {s}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, " +
                   "headers, user_name, correlation_id, causation_id) " +
                   $"select nextval('{s}.mt_events_sequence'), gen_random_uuid(), e.stream_id, e.version + g, e.data, e.type, " +
                   "e.timestamp + g * interval '1 millisecond', e.tenant_id, e.mt_dotnet_type, e.headers, e.user_name, e.correlation_id, e.causation_id " +
                   $"from (select * from {s}.mt_events order by seq_id desc limit 1) e, generate_series(1, 12000) g")).ShouldBe(12000);
        await Sql($"update {s}.mt_streams t set version = (select max(version) from {s}.mt_events e where e.stream_id = t.id)");
        await ChainHistory.ShouldBeIntact(api);

        // The links are still the documents Marten stores: it loads one as an AuditLink.
        var stored = await StoredSequences(api);
        var n = stored[^100];
        await using (var session = api.Services.GetRequiredService<IDocumentStore>().QuerySession())
        {
            var link = await session.LoadAsync<Strategy.Infrastructure.Audit.AuditLink>(n);
            link.ShouldNotBeNull();
            link.Id.ShouldBe(n);
            link.Hash.ShouldMatch("^[0-9a-f]{64}$");
        }

        // An event altered in the last batch: everything before it still verifies, and verify names it.
        (await Sql($"update {s}.mt_events set data = jsonb_set(data, '{{note}}', '\"tampered\"') where seq_id = @n", ("n", n))).ShouldBe(1);
        var result = await ChainHistory.Verify(api);
        var text = result.GetRawText();
        result.GetProperty("valid").GetBoolean().ShouldBeFalse(text);
        result.GetProperty("firstBrokenSequence").GetInt64().ShouldBe(n, text);
        result.GetProperty("lastSequence").GetInt64().ShouldBe(stored[^101], text);
    }
}
