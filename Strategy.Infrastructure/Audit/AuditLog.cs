using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using JasperFx.Events.Projections;
using Npgsql;
using NpgsqlTypes;
using Strategy.Domain.Commitments;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;

namespace Strategy.Infrastructure.Audit;

public sealed record AuditFilter(string? Plan, string? Country, string? Actor, string? Type, DateTimeOffset? From, DateTimeOffset? To);

public sealed record AuditActor(string Id, string? Name, string? Role, string? Country);

public sealed record AuditStream(string Kind, Guid Id, string? Plan, string? Code, string? Country);

public sealed record AuditChange(string Field, JsonElement? Before, JsonElement? After);

/// <summary>One event as the audit log shows it. <see cref="Data"/> is the event exactly as stored.</summary>
/// <param name="Chain">Only in the JSONL export: what the chain hashed and the links around the event.</param>
public sealed record AuditEntry(long Sequence, AuditStream Stream, long Version, string Type, DateTimeOffset Timestamp, AuditActor Actor,
    string? CorrelationId, string? CausationId, string? Note, string? Reason, IReadOnlyList<AuditChange> Changes, JsonElement Data,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] AuditEntryChain? Chain = null);

/// <summary>
/// An entry's place in the hash chain, so that the chain can be recomputed from an export alone
/// (<see cref="AuditExportVerifier"/>): h(n) = SHA-256(h(n-1) || canonical(event n)).
/// </summary>
/// <param name="Canonical">The event's fields as they are hashed; with the entry's sequence, the canonical form (<see cref="AuditHash.Canonical(long, AuditCanonicalFields)"/>).</param>
/// <param name="Previous">The chain's hash before this event, h(n-1) (64 zeros before the first event); null when the event is not chained yet.</param>
/// <param name="Hash">The chain's hash after this event, h(n), as stored; null when the event is not chained yet.</param>
public sealed record AuditEntryChain(AuditCanonicalFields Canonical, string? Previous, string? Hash);

/// <summary>
/// Reads the event log in sequence order with its filters applied in SQL, up to the async daemon's high-water mark.
/// A plan's events are its own stream's and those of its commitments' streams; a country's are those of its commitments.
/// </summary>
public static class AuditLog
{
    /// <param name="chain">Whether each entry carries its <see cref="AuditEntry.Chain"/> (the export does).</param>
    public static async IAsyncEnumerable<AuditEntry> ReadAsync(string connectionString, string schema, AuditFilter filter, long after, int? limit,
        [EnumeratorCancellation] CancellationToken ct, bool chain = false)
    {
        await using var connection = new NpgsqlConnection(ConnectionDefaults.WithCustomPlans(connectionString));
        await connection.OpenAsync(ct);
        await foreach (var entry in ReadAsync(connection, schema, filter, after, limit, ct, chain)) yield return entry;
    }

    /// <summary>The same, on a connection the caller holds open (an export's, from its own pool).</summary>
    public static async IAsyncEnumerable<AuditEntry> ReadAsync(NpgsqlConnection connection, string schema, AuditFilter filter, long after, int? limit,
        [EnumeratorCancellation] CancellationToken ct, bool chain = false)
    {
        // Sequence numbers are taken before commit, so a transaction still open can hold a lower one than an event that
        // is already visible: a cursor past that event would skip it for good once it commits. The daemon's high-water
        // mark is the sequence below which nothing can still appear (it holds at a gap while an appender is alive),
        // so the log is read only up to it, like the hash chain.
        // The mark is read first and passed as a value: as a subquery inside the page's query it left PostgreSQL
        // guessing the range's size, and it planned a filtered page as a hash join and sort over the whole remaining
        // log (450 ms for a page at 1M events instead of 10-22 ms).
        var where = new List<string> { "e.seq_id > @after", "e.seq_id <= @upTo" };
        await using var command = new NpgsqlCommand { Connection = connection };
        command.Parameters.AddWithValue("after", after);
        command.Parameters.AddWithValue("upTo", await HighWaterMarkAsync(connection, schema, ct));
        if (filter.Plan is not null)
        {
            where.Add($"coalesce(c.{CommitmentColumns.PlanCode}, p.data->>'code') = @plan");
            command.Parameters.AddWithValue("plan", filter.Plan);
        }
        if (filter.Country is not null)
        {
            where.Add($"c.{CommitmentColumns.Country} = @country");
            command.Parameters.AddWithValue("country", filter.Country);
        }
        if (filter.Actor is not null)
        {
            where.Add("e.user_name = @actor");
            command.Parameters.AddWithValue("actor", filter.Actor);
        }
        if (filter.Type is not null)
        {
            where.Add("e.type = @type");
            command.Parameters.AddWithValue("type", filter.Type.Replace('-', '_'));
        }
        if (filter.From is { } from)
        {
            where.Add("e.timestamp >= @from");
            command.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = from.UtcDateTime });
        }
        if (filter.To is { } to)
        {
            where.Add("e.timestamp < @to");
            command.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = to.UtcDateTime });
        }

        var tables = $"{schema}.mt_events e " +
            $"left join {schema}.mt_doc_commitmentview c on c.id = e.stream_id " +
            $"left join {schema}.mt_doc_planview p on p.id = e.stream_id";
        var matching = string.Join(" and ", where);
        // A page first finds its sequences (from the indexes alone: ExtraIndex in StoreSetup), then reads only those
        // rows; an export reads every matching row anyway.
        if (limit is { } l) matching = $"e.seq_id in (select e.seq_id from {tables} where {matching} order by e.seq_id limit {l})";
        // The link before an event is the one with the highest sequence below it: in a filtered export that is not the
        // previous line's.
        var links = chain
            ? ", e.id, l.data->>'hash', case when l.id is not null then coalesce(" +
              $"(select b.data->>'hash' from {schema}.mt_doc_auditlink b where b.id < e.seq_id order by b.id desc limit 1), '{AuditHash.Genesis}') end " +
              $"from {tables} left join {schema}.mt_doc_auditlink l on l.id = e.seq_id"
            : $" from {tables}";
        command.CommandText =
            "select e.seq_id, e.stream_id, e.version, e.type, e.timestamp, e.data::text, coalesce(e.user_name, ''), e.headers::text, " +
            $"e.correlation_id, e.causation_id, c.{CommitmentColumns.PlanCode}, c.{CommitmentColumns.Code}, c.{CommitmentColumns.Country}, p.data->>'code'" +
            $"{links} where {matching} order by e.seq_id";

        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var entry = Read(reader);
            yield return chain ? entry with { Chain = Chain(reader) } : entry;
        }
    }

    private static AuditEntryChain Chain(NpgsqlDataReader r)
    {
        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        var fields = AuditHash.Fields(r.GetGuid(14), r.GetGuid(1), r.GetInt64(2), r.GetString(3), r.GetFieldValue<DateTime>(4), r.GetString(5),
            r.GetString(6), Text(7), Text(8), Text(9));
        return new AuditEntryChain(fields, Text(16), Text(15));
    }

    private static async Task<long> HighWaterMarkAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"select coalesce((select last_seq_id from {schema}.mt_event_progression where name = @name), 0)", connection);
        command.Parameters.AddWithValue("name", ShardState.HighWaterMark);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private static AuditEntry Read(NpgsqlDataReader r)
    {
        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        var type = r.GetString(3).Replace('_', '-');
        using var dataDoc = JsonDocument.Parse(r.GetString(5));
        var data = dataDoc.RootElement.Clone();
        var headers = Text(7) is { } h ? JsonDocument.Parse(h).RootElement : default;
        string? Header(string name) => headers.ValueKind == JsonValueKind.Object && headers.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        var commitmentCode = Text(11);
        var stream = commitmentCode is not null
            ? new AuditStream("commitment", r.GetGuid(1), Text(10), commitmentCode, Text(12))
            : Text(13) is { } planCode ? new AuditStream("plan", r.GetGuid(1), planCode, null, null)
            : new AuditStream("other", r.GetGuid(1), null, null, null);

        return new AuditEntry(r.GetInt64(0), stream, r.GetInt64(2), type, new DateTimeOffset(r.GetFieldValue<DateTime>(4).ToUniversalTime(), TimeSpan.Zero),
            new AuditActor(r.GetString(6), Header("actor-name"), Header("actor-role"), Header("actor-country")),
            Text(8), Text(9), String(data, "note"), String(data, "reason"), Changes(type, data), data);
    }

    /// <summary>
    /// What an event changed, as before and after values, by its stored type. Every commitment event type is listed
    /// (a test holds this to <see cref="CommitmentEvents.Types"/>), so a new one cannot pass without a decision here.
    /// </summary>
    /// <summary>The most changes one entry lists: a revision's terms, the largest change, have fewer members.</summary>
    public const int MaxChanges = 16;

    public static readonly IReadOnlyDictionary<string, Func<JsonElement, IReadOnlyList<AuditChange>>> ChangeReaders =
        new Dictionary<string, Func<JsonElement, IReadOnlyList<AuditChange>>>
        {
            ["commitment-made"] = _ => [],
            ["commitment-status-changed"] = d => [new AuditChange("status", d.GetProperty("from"), d.GetProperty("to"))],
            ["commitment-reopened"] = d => [new AuditChange("status", d.GetProperty("from"), d.GetProperty("to"))],
            ["commitment-revised"] = d =>
            {
                var before = d.GetProperty("before");
                return [.. d.GetProperty("after").EnumerateObject()
                    .Where(p => p.Value.ValueKind != JsonValueKind.Null)
                    .Select(p => new AuditChange(p.Name, before.TryGetProperty(p.Name, out var b) ? b : null, p.Value))];
            },
            ["commitment-translated"] = d =>
            {
                var language = d.GetProperty("language").GetString();
                var before = d.GetProperty("before");
                JsonElement? Old(string name) => before.ValueKind == JsonValueKind.Object && before.TryGetProperty(name, out var b) ? b : null;
                return [.. new[] { "title", "description" }
                    .Where(name => !JsonElement.DeepEquals(Old(name) ?? Json("null"), d.GetProperty(name)))
                    .Select(name => new AuditChange($"{name}.{language}", Old(name), d.GetProperty(name)))];
            },
            ["commitment-withdrawn"] = _ => [new AuditChange("withdrawn", Json("false"), Json("true"))],
            ["commitment-restored"] = _ => [new AuditChange("withdrawn", Json("true"), Json("false"))],
            ["value-submitted"] = d => [new AuditChange("value", null, d.GetProperty("value"))],
            ["value-accepted"] = _ => [new AuditChange("valueState", Json("\"submitted\""), Json("\"accepted\""))],
            ["value-returned"] = _ => [new AuditChange("valueState", Json("\"submitted\""), Json("\"returned\""))],
            ["value-retracted"] = d => [new AuditChange("valueState", d.GetProperty("from"), Json("\"retracted\""))],
            ["value-voided"] = d => [new AuditChange("valueState", d.GetProperty("from"), Json("\"voided\""))],
            ["plan-translated"] = d =>
            {
                var previous = d.GetProperty("previous");
                return [new AuditChange($"translations.{d.GetProperty("language").GetString()}", previous.ValueKind == JsonValueKind.Null ? null : previous,
                    Json(JsonSerializer.Serialize(new { goals = d.GetProperty("goals"), outcomes = d.GetProperty("outcomes"), indicators = d.GetProperty("indicators") })))];
            },
            ["outcome-sdg-targets-aligned"] = d => [new AuditChange("sdgTargets", d.GetProperty("previous"), d.GetProperty("sdgTargets"))],
        };

    private static IReadOnlyList<AuditChange> Changes(string type, JsonElement data) =>
        ChangeReaders.TryGetValue(type, out var read) ? read(data) : [];

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static string? String(JsonElement data, string name) =>
        data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
