using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Npgsql;

namespace Strategy.Infrastructure.Audit;

/// <summary>The chain hash after one event: h(n) = SHA-256(h(n-1) || canonical(event n)).</summary>
public sealed class AuditLink
{
    /// <summary>The event's sequence number.</summary>
    public long Id { get; set; }
    public string Hash { get; set; } = "";
}

/// <summary>The end of the chain so far: the last event chained and the hash after it.</summary>
public sealed class AuditChainHead
{
    public const string SingletonId = "audit-chain";
    public string Id { get; set; } = SingletonId;
    public long Sequence { get; set; }
    public string Hash { get; set; } = AuditHash.Genesis;
    public long Events { get; set; }

    /// <summary>The canonical form the chain was computed in (<see cref="AuditHash.Form"/>); 0 for a head written before the field.</summary>
    public int Form { get; set; }
}

/// <summary>How far an event's timestamp may be from the database's clock when it is appended, and how far timestamps may go back as sequences go up (concurrent writers stamp their events before they take sequences).</summary>
public static class AuditClock
{
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(5);
}

/// <summary>
/// One event's fields after its sequence, each in the form it is hashed in: what the JSONL export carries per event, so
/// that the chain can be recomputed from the export alone (<see cref="AuditExportVerifier"/>).
/// </summary>
/// <param name="Timestamp">UTC, to the microsecond: 2025-03-31T10:00:00.123456Z.</param>
/// <param name="Data">The event's data in the JSON Canonicalization Scheme (<see cref="JsonCanonical"/>).</param>
/// <param name="Headers">The headers in the same form, or "" when the event has none.</param>
/// <param name="UserName">"" when none; so are the correlation and causation ids.</param>
public sealed record AuditCanonicalFields(string Id, string StreamId, long Version, string Type, string Timestamp, string Data,
    string UserName, string Headers, string CorrelationId, string CausationId);

/// <summary>
/// The canonical form of a stored event and the chain step. The form depends only on the stored values, not on how
/// PostgreSQL prints them: data and headers are written in RFC 8785's canonical JSON, computed here from whatever
/// JSON text is read, so the export's verifier (outside the server) and the daemon that builds the chain (inside) compute
/// the same bytes, and a change to any stored field, even one no .NET type reads, shows.
/// </summary>
public static class AuditHash
{
    public static readonly string Genesis = new('0', 64);

    /// <summary>
    /// The version of the canonical form, kept in the chain's head. 2: data and headers in RFC 8785. Before it (0, a head
    /// without the field) they were hashed as PostgreSQL prints jsonb; `migrate` re-derives such a chain (<see cref="AuditChainUpgrade"/>).
    /// </summary>
    public const int Form = 2;

    public static string Sql(string schema, string where) =>
        $"select e.seq_id, e.id, e.stream_id, e.version, e.type, e.timestamp, e.data::text, coalesce(e.user_name, ''), " +
        $"coalesce(e.headers::text, ''), coalesce(e.correlation_id, ''), coalesce(e.causation_id, '') " +
        $"from {schema}.mt_events e where {where} order by e.seq_id";

    /// <summary>Reads columns 0-10 of <see cref="Sql"/> (at <paramref name="offset"/>) into the canonical string.</summary>
    public static string Canonical(NpgsqlDataReader r, int offset = 0) =>
        Canonical(r.GetInt64(offset), Fields(r.GetGuid(offset + 1), r.GetGuid(offset + 2), r.GetInt64(offset + 3), r.GetString(offset + 4),
            r.GetFieldValue<DateTime>(offset + 5), r.GetString(offset + 6), r.GetString(offset + 7), r.GetString(offset + 8),
            r.GetString(offset + 9), r.GetString(offset + 10)));

    /// <summary>An event's stored values in their hashed form; <paramref name="data"/> and <paramref name="headers"/> are JSON texts, printed any way.</summary>
    public static AuditCanonicalFields Fields(Guid id, Guid streamId, long version, string type, DateTime timestamp, string data,
        string? userName, string? headers, string? correlationId, string? causationId) =>
        new(id.ToString("D"), streamId.ToString("D"), version, type, Timestamp(timestamp), JsonCanonical.Canonicalize(data), userName ?? "",
            string.IsNullOrEmpty(headers) ? "" : JsonCanonical.Canonicalize(headers), correlationId ?? "", causationId ?? "");

    public static string Timestamp(DateTime timestamp) =>
        timestamp.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture);

    /// <summary>The hashed text: the sequence and the fields, in this order, joined by U+001F (unit separator).</summary>
    public static string Canonical(long sequence, AuditCanonicalFields f) =>
        string.Join('\u001f', sequence.ToString(CultureInfo.InvariantCulture), f.Id, f.StreamId, f.Version.ToString(CultureInfo.InvariantCulture),
            f.Type, f.Timestamp, f.Data, f.UserName, f.Headers, f.CorrelationId, f.CausationId);

    public static string Next(string previousHex, string canonical)
    {
        // Into one pooled buffer: the chain and the offline verifier call this once per event.
        var previousLength = previousHex.Length / 2;
        var input = ArrayPool<byte>.Shared.Rent(previousLength + Encoding.UTF8.GetMaxByteCount(canonical.Length));
        try
        {
            if (previousHex.Length % 2 != 0 || Convert.FromHexString(previousHex, input, out _, out _) != System.Buffers.OperationStatus.Done)
                throw new FormatException($"Not a hash in hex: {previousHex}");
            var length = previousLength + Encoding.UTF8.GetBytes(canonical, input.AsSpan(previousLength));
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(input.AsSpan(0, length), hash);
            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
        }
    }
}

/// <summary>
/// Async projection (run by Marten's daemon, in sequence order, behind the high-water mark so no earlier event can
/// still appear) that extends the hash chain by one link per event.
/// </summary>
/// <remarks>
/// A batch is chained in <see cref="EnrichEventsAsync"/>, while its canonical rows are read, and its links are
/// written with two set-based statements in the daemon's transaction, together with the head and the daemon's
/// progress. Storing one AuditLink document per event (a Marten upsert each) made catching up on a long log several
/// times slower.
/// </remarks>
public sealed partial class AuditChainProjection : EventProjection
{
    // The rows are what Marten itself stores for an AuditLink: the same columns, the same jsonb and the type name it
    // writes, so AuditVerifier, ReportInputsLoader and a LoadAsync<AuditLink> read them alike. mt_version and
    // mt_last_modified take the table's defaults, as for any new row.
    private static readonly string LinkType = typeof(AuditLink).FullName!;

    private readonly string connectionString;
    private readonly string schema;
    private readonly string deleteLinks;
    private readonly string insertLinks;
    private AuditChainHead? head;

    // The batch the daemon is applying, as chained by EnrichEventsAsync: its links and the head after them.
    private long[] linkIds = [];
    private string[] linkHashes = [];
    private AuditChainHead? batchHead;
    private long lastInBatch;

    public AuditChainProjection(string connectionString, string schema)
    {
        this.connectionString = connectionString;
        this.schema = schema;
        Name = "AuditChain";
        // Hashing is cheap; the cost is per round trip, so fewer, larger batches chain a long log faster.
        Options.BatchSize = 5000;
        // A plain insert after deleting the links the batch already has, rather than "on conflict do update", whose
        // speculative insertion of every row about doubled the statement's cost. Links beyond the head exist only
        // when the chain is built again (the projection was reset); the range condition makes the usual case, none,
        // a single index probe.
        deleteLinks = $"delete from {schema}.mt_doc_auditlink where id between ? and ? and id = any(?::bigint[])";
        insertLinks =
            $"insert into {schema}.mt_doc_auditlink (id, data, mt_dotnet_type) " +
            $"select l.id, jsonb_build_object('id', l.id, 'hash', l.hash), '{LinkType}' " +
            $"from unnest(?::bigint[], ?::text[]) as l(id, hash)";
    }

    public override async Task EnrichEventsAsync(IQuerySession querySession, IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        linkIds = [];
        linkHashes = [];
        batchHead = null;
        if (events.Count == 0) return;
        lastInBatch = events[^1].Sequence;
        // After a failed batch the in-memory head may be ahead of what was committed: trust the database then.
        if (head is null || head.Sequence >= events[0].Sequence)
            head = await querySession.LoadAsync<AuditChainHead>(AuditChainHead.SingletonId, ct) ?? new AuditChainHead { Form = AuditHash.Form };
        // Links of two forms in one chain would verify in neither: the older chain is verified and re-derived by `migrate`.
        if (head.Sequence > 0 && head.Form != AuditHash.Form)
            throw new InvalidOperationException($"The audit chain up to event {head.Sequence} is in canonical form {head.Form}, not {AuditHash.Form}: run `migrate`, which verifies it and re-derives it.");

        // Events at or below the head are chained already.
        var next = 0;
        while (next < events.Count && events[next].Sequence <= head.Sequence) next++;
        if (next == events.Count) return;

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        // One range scan of the primary key rather than "= any(array of every sequence)". The range may hold rows
        // the daemon did not hand over (its loader skips archived events and events whose stream row is gone): those
        // are passed over, as before. Every event it did hand over must be found, or the batch fails.
        await using var command = new NpgsqlCommand(AuditHash.Sql(schema, "e.seq_id between @first and @last"), connection);
        command.Parameters.AddWithValue("first", events[next].Sequence);
        command.Parameters.AddWithValue("last", lastInBatch);

        var ids = new long[events.Count - next];
        var hashes = new string[ids.Length];
        var count = 0;
        var hash = head.Hash;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var sequence = reader.GetInt64(0);
                if (sequence > events[next].Sequence) throw NotFound(events[next].Sequence);
                if (sequence < events[next].Sequence) continue;
                hash = AuditHash.Next(hash, AuditHash.Canonical(reader));
                ids[count] = sequence;
                hashes[count++] = hash;
                if (++next == events.Count) break;
            }
        }
        if (next < events.Count) throw NotFound(events[next].Sequence);

        linkIds = ids;
        linkHashes = hashes;
        batchHead = new AuditChainHead { Sequence = ids[^1], Hash = hash, Events = head.Events + count, Form = AuditHash.Form };
        // The in-memory head moves past the batch now. Should the batch not commit, the daemon retries it from an
        // event at or below this head, and the check above reloads the committed head.
        head = batchHead;
    }

    public override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken ct)
    {
        // EnrichEventsAsync chained the whole batch and moved the head past it: an event beyond the head was never
        // chained, and letting the daemon record it as done would leave a hole in the chain.
        if (head is null || e.Sequence > head.Sequence)
            throw new InvalidOperationException($"Event {e.Sequence} reached the audit chain without being chained.");
        // Written once, at the batch's last event, so the links, the head and the daemon's progress commit together.
        if (e.Sequence != lastInBatch || batchHead is null) return ValueTask.CompletedTask;
        operations.QueueSqlCommand(deleteLinks, linkIds[0], linkIds[^1], linkIds);
        operations.QueueSqlCommand(insertLinks, linkIds, linkHashes);
        operations.Store(batchHead);
        batchHead = null;
        return ValueTask.CompletedTask;
    }

    private static InvalidOperationException NotFound(long sequence) =>
        new($"Event {sequence} was not found in the event table while chaining.");
}

/// <param name="CheckpointsChecked">Signed checkpoints whose signature and hash the recomputed chain confirmed.</param>
/// <param name="VerifiedFrom">The sequence the check started after: 0 for the whole log, or the last verified point.</param>
public sealed record AuditVerification(bool Valid, long EventsChecked, long LastSequence, long? FirstBrokenSequence, string? Reason, long EventsPending, string HeadHash,
    int CheckpointsChecked = 0, long VerifiedFrom = 0);

/// <summary>The chain's hash after the last event at or before <see cref="Sequence"/>, recomputed from the events.</summary>
public sealed record AuditHashAt(long Sequence, string Hash, long EventsHashed, string? StoredHash);

/// <summary>Recomputes the chain from the stored events and compares each link; streams, so memory stays flat.</summary>
public static class AuditVerifier
{
    /// <param name="checkpoints">Signed chain heads to hold the recomputed chain to; each must verify with <paramref name="publicKey"/>.</param>
    /// <param name="from">
    /// A point verified before (a sequence and the hash after it): the chain is checked from there on, once its stored
    /// link is found unchanged, instead of from the first event.
    /// </param>
    public static Task<AuditVerification> VerifyAsync(string connectionString, string schema, CancellationToken ct,
        IReadOnlyList<AuditCheckpoint>? checkpoints = null, System.Security.Cryptography.ECDsa? publicKey = null, (long Sequence, string Hash)? from = null) =>
        VerifyAsync(connectionString, schema, AuditHash.Form, ct, checkpoints, publicKey, from);

    /// <param name="form">The canonical form to recompute the links in: the current one, or the form of an older chain (<see cref="AuditChainUpgrade"/>).</param>
    internal static async Task<AuditVerification> VerifyAsync(string connectionString, string schema, int form, CancellationToken ct,
        IReadOnlyList<AuditCheckpoint>? checkpoints = null, System.Security.Cryptography.ECDsa? publicKey = null, (long Sequence, string Hash)? from = null)
    {
        var (start, startHash) = from ?? (0, AuditHash.Genesis);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);

        long headSequence = 0;
        var headForm = form;
        await using (var headCommand = new NpgsqlCommand(
            $"select (data->>'sequence')::bigint, coalesce((data->>'form')::int, 0) from {schema}.mt_doc_auditchainhead where id = @id", connection))
        {
            headCommand.Parameters.AddWithValue("id", AuditChainHead.SingletonId);
            await using var head = await headCommand.ExecuteReaderAsync(ct);
            if (await head.ReadAsync(ct)) (headSequence, headForm) = (head.GetInt64(0), head.GetInt32(1));
        }
        // Recomputed in another form, every link would differ, and the first event would be named as altered.
        if (headSequence > 0 && headForm != form)
            return new AuditVerification(false, 0, 0, null,
                $"The chain is in canonical form {headForm}, not {form}: run `migrate`, which verifies it in its own form and re-derives it.",
                await PendingAsync(connection, schema, 0, ct), "");
        Func<NpgsqlDataReader, int, string> canonical = form == AuditHash.Form ? AuditHash.Canonical : AuditChainUpgrade.LegacyCanonical;

        // Checkpoints are checked in sequence order as the recomputed chain passes them; a checkpoint whose signature
        // does not verify is itself a break (a forged or altered checkpoint).
        var pendingCheckpoints = new Queue<AuditCheckpoint>((checkpoints ?? []).Where(c => c.Sequence > start).OrderBy(c => c.Sequence));
        foreach (var c in pendingCheckpoints)
            if (publicKey is null || !AuditCheckpoints.IsSignedBy(c, publicKey))
                return Broken(c.Sequence, $"The checkpoint at {c.Sequence} signed at {c.SignedAt:O} does not verify with the checkpoint key.");
        // Events past the chain's head have no link yet, but a checkpoint beyond the head (a report's, signed before the
        // daemon got there, or one left behind by a head moved back) still holds the events up to it.
        var end = Math.Max(headSequence, pendingCheckpoints.Count == 0 ? 0 : pendingCheckpoints.Max(c => c.Sequence));
        if (start > 0)
        {
            await using var link = new NpgsqlCommand($"select data->>'hash' from {schema}.mt_doc_auditlink where id = @start", connection);
            link.Parameters.AddWithValue("start", start);
            if (await link.ExecuteScalarAsync(ct) as string != startHash)
                return Broken(start, "The chain's link at the last verified point is not the one verified there: the chain's tables were rewritten.");
        }

        // Every event and every link up to the head, merged by sequence: an event without a link was inserted,
        // a link without an event was deleted, and a link whose hash differs follows an altered event.
        var sql = $"select coalesce(e.seq_id, l.id), l.data->>'hash', e.seq_id is not null, " +
                  $"e.seq_id, e.id, e.stream_id, e.version, e.type, e.timestamp, e.data::text, coalesce(e.user_name, ''), " +
                  $"coalesce(e.headers::text, ''), coalesce(e.correlation_id, ''), coalesce(e.causation_id, '') " +
                  $"from (select * from {schema}.mt_events where seq_id > @start and seq_id <= @end) e " +
                  $"full outer join (select * from {schema}.mt_doc_auditlink where id > @start and id <= @head) l on l.id = e.seq_id " +
                  $"order by 1";
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("head", headSequence);
        command.Parameters.AddWithValue("end", end);
        command.Parameters.AddWithValue("start", start);

        var hash = startHash;
        long checkedCount = 0, last = start;
        long? broken = null;
        string? reason = null;
        var checkpointsChecked = 0;
        var headHash = startHash;
        DateTime? latest = null;
        // The hash after the events before `sequence` against the checkpoints taken there.
        string? PassCheckpoints(long sequence)
        {
            while (pendingCheckpoints.TryPeek(out var c) && c.Sequence < sequence)
            {
                pendingCheckpoints.Dequeue();
                if (c.Hash != hash) return $"The log up to {c.Sequence} no longer hashes to the checkpoint signed at {c.SignedAt:O}: it was rewritten after that.";
                checkpointsChecked++;
            }
            return null;
        }
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var sequence = reader.GetInt64(0);
                if (PassCheckpoints(sequence) is { } rewritten) { broken = sequence; reason = rewritten; break; }
                var stored = reader.IsDBNull(1) ? null : reader.GetString(1);
                var hasEvent = reader.GetBoolean(2);
                if (!hasEvent) { broken = sequence; reason = "An event in the chain is missing from the log."; break; }
                var chained = sequence <= headSequence;
                if (chained) checkedCount++;
                if (chained && stored is null) { broken = sequence; reason = "An event in the log was never chained (inserted afterwards)."; break; }
                hash = AuditHash.Next(hash, canonical(reader, 3));
                if (chained && hash != stored) { broken = sequence; reason = "The event differs from the one that was chained."; break; }
                // Writers stamp events before they take sequences, so concurrent ones interleave within the tolerance;
                // an event stamped further back than that was inserted with a timestamp from the past.
                var timestamp = reader.GetFieldValue<DateTime>(8);
                if (latest is { } l && timestamp < l - AuditClock.Tolerance)
                {
                    broken = sequence;
                    reason = $"The event's timestamp is more than {AuditClock.Tolerance.TotalSeconds:0} s before an earlier event's: it was appended with a timestamp from the past.";
                    break;
                }
                if (latest is null || timestamp > latest) latest = timestamp;
                if (chained) { last = sequence; headHash = hash; }
            }
        }
        if (broken is null && PassCheckpoints(long.MaxValue) is { } atEnd) { broken = end; reason = atEnd; }

        return new AuditVerification(broken is null, checkedCount, last, broken, reason, await PendingAsync(connection, schema, headSequence, ct),
            broken is null ? headHash : "", checkpointsChecked, start);

        AuditVerification Broken(long at, string why) => new(false, 0, 0, at, why, 0, "", 0);
    }

    /// <summary>
    /// The chain's hash after event <paramref name="upTo"/> (or the last event before it), recomputed from the events
    /// from the first one, with the stored link beside it; null when the log has no event at or after that sequence
    /// (so the hash is not yet final).
    /// </summary>
    public static async Task<AuditHashAt?> HashAtAsync(string connectionString, string schema, long upTo, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using (var exists = new NpgsqlCommand($"select exists (select 1 from {schema}.mt_events where seq_id >= @upTo)", connection))
        {
            exists.Parameters.AddWithValue("upTo", upTo);
            if (!(bool)(await exists.ExecuteScalarAsync(ct))!) return null;
        }
        var (hash, count, last) = await ExtendAsync(connection, schema, 0, AuditHash.Genesis, upTo, ct);
        await using var link = new NpgsqlCommand($"select data->>'hash' from {schema}.mt_doc_auditlink where id = @last", connection);
        link.Parameters.AddWithValue("last", last);
        var stored = count == 0 ? AuditHash.Genesis : await link.ExecuteScalarAsync(ct) as string;
        return new AuditHashAt(upTo, hash, count, stored);
    }

    /// <summary>
    /// The chain carried on from <paramref name="hash"/>, the hash after event <paramref name="after"/>, over the events
    /// after it up to <paramref name="upTo"/>: the hash after the last of them, how many there were, and the last one's
    /// sequence (<paramref name="after"/> when there were none).
    /// </summary>
    public static async Task<(string Hash, long Events, long Last)> ExtendAsync(NpgsqlConnection connection, string schema, long after, string hash, long upTo, CancellationToken ct)
    {
        long count = 0, last = after;
        await using var command = new NpgsqlCommand(AuditHash.Sql(schema, "e.seq_id > @after and e.seq_id <= @upTo"), connection);
        command.Parameters.AddWithValue("after", after);
        command.Parameters.AddWithValue("upTo", upTo);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            hash = AuditHash.Next(hash, AuditHash.Canonical(reader));
            last = reader.GetInt64(0);
            count++;
        }
        return (hash, count, last);
    }

    private static async Task<long> PendingAsync(NpgsqlConnection connection, string schema, long head, CancellationToken ct)
    {
        await using var pending = new NpgsqlCommand($"select count(*) from {schema}.mt_events where seq_id > @head", connection);
        pending.Parameters.AddWithValue("head", head);
        return (long)(await pending.ExecuteScalarAsync(ct))!;
    }
}
