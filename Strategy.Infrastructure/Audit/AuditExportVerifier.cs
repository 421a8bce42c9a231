using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace Strategy.Infrastructure.Audit;

/// <param name="Lines">Lines read (all of them when valid).</param>
/// <param name="Chained">Events checked against their links; <paramref name="Pending"/> more, at the end, were not chained yet when exported.</param>
/// <param name="LastSequence">The last chained event's sequence; <paramref name="HeadHash"/> the chain's hash after it.</param>
/// <param name="Checkpoint">What the checkpoint check found, when one was given.</param>
/// <param name="Line">The first bad line (1-based) and its event's <paramref name="Sequence"/>, when the problem is on a line.</param>
/// <param name="Problem">One of the <see cref="AuditExportVerifier"/> problems; null when valid.</param>
public sealed record AuditExportVerification(bool Valid, long Lines, long Chained, long Pending, long LastSequence, string HeadHash,
    string? Checkpoint, long? Line, long? Sequence, string? Problem, string? Reason);

/// <summary>
/// Recomputes the hash chain from a JSONL export alone (no database): every line's canonical fields must hash, after the
/// link before it, to its link; that link must be the previous line's; what the line shows (data, actor, type, time,
/// ids, note, reason, changes) must be what was hashed; and the chain's hash after the checkpoint's event must be the
/// one the checkpoint signed. Only an unfiltered export (all events from the first) can be checked: a filter leaves
/// events out, and the link before the first missing one no longer follows.
/// </summary>
/// <remarks>
/// Not covered by the chain, so not checked: the stream's kind, plan, commitment code and country, which the export
/// takes from the current views.
/// </remarks>
public static class AuditExportVerifier
{
    public const string AlteredEvent = "altered event";
    public const string BrokenLink = "broken link";
    public const string CheckpointMismatch = "checkpoint mismatch";
    public const string BadSignature = "bad signature";
    public const string UnreadableLine = "unreadable line";

    private sealed class Bad(string problem, string reason) : Exception(reason)
    {
        public string Problem { get; } = problem;
    }

    /// <param name="checkpoint">When given, the export must reach its event and hash to its hash there.</param>
    /// <param name="publicKey">When given (with a checkpoint), the checkpoint must be signed by it.</param>
    /// <param name="export">The JSONL export, UTF-8, one entry per line.</param>
    public static AuditExportVerification Verify(Stream export, AuditCheckpoint? checkpoint, ECDsa? publicKey)
    {
        string? signature = null;
        if (checkpoint is not null && publicKey is not null)
        {
            var keyId = AuditCheckpoints.KeyId(publicKey);
            if (!AuditCheckpoints.IsSignedBy(checkpoint, publicKey))
                return new AuditExportVerification(false, 0, 0, 0, 0, "", null, null, null, BadSignature, checkpoint.KeyId != keyId
                    ? $"the checkpoint names key {checkpoint.KeyId}, the public key given is {keyId}"
                    : "the checkpoint's signature does not verify with the public key given: its sequence, hash or time is not what was signed");
            signature = $"signature valid (key {keyId})";
        }

        long lines = 0, chained = 0, pending = 0, last = 0, lastChained = 0;
        long? firstPending = null, checkpointLine = null;
        var head = AuditHash.Genesis;
        var lineReader = new Utf8Lines(export);
        var checks = Array.Empty<LineCheck>();
        while (lineReader.Next() is { Count: > 0 } batch)
        {
            if (checks.Length < batch.Count) checks = new LineCheck[batch.Count];
            // What each line says on its own (most of the work, SHA-256 included) is checked in parallel; how the lines
            // follow one another, in order.
            Parallel.For(0, batch.Count, i => checks[i] = Check(batch[i]));
            for (var i = 0; i < batch.Count; i++)
            {
                lines++;
                var line = checks[i];
                try
                {
                    if (line.Unreadable is { } unreadable) throw unreadable;
                    var sequence = line.Sequence;
                    if (sequence <= last)
                        throw new Bad(BrokenLink, $"its sequence does not follow the previous line's ({last}): lines were reordered or repeated");
                    if (checkpoint is not null && checkpointLine is null && sequence > checkpoint.Sequence)
                        throw new Bad(CheckpointMismatch, $"the checkpoint is at event {checkpoint.Sequence}, which the export does not have (the line before is event {last})");
                    if (line.Problem is { } problem) throw problem;
                    if (line.Hash is null)
                    {
                        if (sequence == checkpoint?.Sequence) throw new Bad(CheckpointMismatch, "the checkpoint's event was not chained yet when the log was exported");
                        firstPending ??= lines;
                        pending++;
                    }
                    else
                    {
                        if (firstPending is { } p) throw new Bad(BrokenLink, $"it is chained, but line {p} before it is not");
                        if (!line.HashesToItsLink)
                            throw new Bad(AlteredEvent, "its canonical fields do not hash to its link: the event is not the one that was chained");
                        if (line.Previous != head)
                            throw new Bad(BrokenLink, chained == 0
                                ? "the chain does not start here: the export does not begin with the log's first event (a filtered export, or lines removed)"
                                : "its link does not follow the previous line's: an event between them is missing (a filtered export, or a line removed)");
                        head = line.Hash;
                        chained++;
                        lastChained = sequence;
                        if (sequence == checkpoint?.Sequence)
                        {
                            if (line.Hash != checkpoint.Hash) throw new Bad(CheckpointMismatch, $"the chain's hash after this event is {line.Hash}, the checkpoint's {checkpoint.Hash}");
                            checkpointLine = lines;
                        }
                    }
                    last = sequence;
                }
                catch (Bad bad)
                {
                    return new AuditExportVerification(false, lines, chained, pending, lastChained, head, null, lines,
                        line.Unreadable is null ? line.Sequence : null, bad.Problem, bad.Message);
                }
            }
        }

        string? found = null;
        if (checkpoint is not null)
        {
            if (checkpointLine is null)
                return new AuditExportVerification(false, lines, chained, pending, lastChained, head, null, null, null, CheckpointMismatch,
                    $"the export ends at event {last}, before the checkpoint's event {checkpoint.Sequence}");
            found = $"checkpoint at event {checkpoint.Sequence} (line {checkpointLine}) matches, {signature ?? "signature not checked (no public key given)"}";
        }
        return new AuditExportVerification(true, lines, chained, pending, lastChained, head, found, null, null, null, null);
    }

    /// <summary>What one line says on its own: a line it cannot be read as (<see cref="Unreadable"/>, then no sequence), or its sequence, links and any other problem.</summary>
    private sealed record LineCheck(long Sequence, string? Hash, string? Previous, bool HashesToItsLink, Bad? Unreadable = null, Bad? Problem = null);

    // This and the helpers it calls per line are compiled fully optimized from their first call: a run lasts seconds,
    // and they would otherwise spend much of it in the runtime's quick and instrumented tiers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static LineCheck Check(ReadOnlyMemory<byte> text)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(text); }
        catch (JsonException) { return new LineCheck(0, null, null, false, new Bad(UnreadableLine, "not a JSON document")); }
        using (document)
        {
            long sequence;
            try { sequence = Long(Object(document.RootElement, "the line"), "sequence"u8); }
            catch (Bad bad) { return new LineCheck(0, null, null, false, bad); }
            try
            {
                var entry = document.RootElement;
                var chain = entry.TryGetProperty("chain"u8, out var c) ? Object(c, "chain")
                    : throw new Bad(UnreadableLine, "it has no chain member (an export from before the offline verifier, or a CSV turned into JSON)");
                var fields = Fields(Object(Member(chain, "canonical"u8), "chain.canonical"));
                ShouldShow(entry, fields);
                var hash = Hash(chain, "hash"u8);
                if (hash is null) return new LineCheck(sequence, null, null, false);
                var previous = Hash(chain, "previous"u8) ?? throw new Bad(UnreadableLine, "chain.previous is null on a chained event");
                return new LineCheck(sequence, hash, previous, AuditHash.Next(previous, AuditHash.Canonical(sequence, fields)) == hash);
            }
            catch (Bad bad) { return new LineCheck(sequence, null, null, false, Problem: bad); }
        }
    }

    /// <summary>
    /// The file's lines as UTF-8 slices of one large buffer, a buffer at a time: JSON is parsed from UTF-8, so reading
    /// lines as strings would decode 300 MB to UTF-16 only for the parser to encode it back.
    /// </summary>
    private sealed class Utf8Lines(Stream stream)
    {
        private byte[] buffer = new byte[4 << 20];
        private int start, end;
        private bool done, first = true;
        private readonly List<ReadOnlyMemory<byte>> lines = [];

        /// <summary>The next lines (without their line ends), valid until the next call; none at the end.</summary>
        public List<ReadOnlyMemory<byte>> Next()
        {
            lines.Clear();
            // What the last buffer left after its last line end starts this one.
            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
            while (!done && end < buffer.Length)
            {
                var read = stream.Read(buffer, end, buffer.Length - end);
                if (read == 0) done = true;
                end += read;
            }
            if (first && end >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF) start = 3; // a byte order mark
            first = false;
            for (int newline; (newline = Array.IndexOf(buffer, (byte)'\n', start, end - start)) >= 0; start = newline + 1)
                lines.Add(Line(start, newline));
            if (done && start < end)
            {
                lines.Add(Line(start, end));
                start = end;
            }
            // A line longer than the buffer: a larger buffer for the next call.
            if (lines.Count == 0 && !done) Array.Resize(ref buffer, buffer.Length * 2);
            return lines.Count == 0 && !done ? Next() : lines;
        }

        private ReadOnlyMemory<byte> Line(int from, int to) =>
            buffer.AsMemory(from, (to > from && buffer[to - 1] == (byte)'\r' ? to - 1 : to) - from);
    }

    /// <summary>What the line shows must be what was hashed: otherwise a reader would trust a value the chain never saw.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ShouldShow(JsonElement entry, AuditCanonicalFields fields)
    {
        static Bad Altered(string what) => new(AlteredEvent, $"its {what} is not what was hashed");
        // Compared in place, without making a string of each member; a missing value (null) shows "" for ids.
        static void Same(JsonElement o, ReadOnlySpan<byte> name, string? hashed, string what, bool nullIsEmpty = false)
        {
            var same = Member(o, name) switch
            {
                { ValueKind: JsonValueKind.String } v => hashed is not null && v.ValueEquals(hashed),
                { ValueKind: JsonValueKind.Null } => hashed is null || (nullIsEmpty && hashed.Length == 0),
                _ => throw new Bad(UnreadableLine, $"{Name(name)} is not a string"),
            };
            if (!same) throw Altered(what);
        }
        Same(Object(Member(entry, "stream"u8), "stream"), "id"u8, fields.StreamId, "stream id");
        if (Long(entry, "version"u8) != fields.Version) throw Altered("version");
        var type = fields.Type.Replace('_', '-');
        Same(entry, "type"u8, type, "type");
        var timestamp = Member(entry, "timestamp"u8);
        if (!(timestamp.ValueKind == JsonValueKind.String && timestamp.TryGetDateTimeOffset(out var t) && AuditHash.Timestamp(t.UtcDateTime) == fields.Timestamp))
            throw Altered("timestamp");
        Same(entry, "correlationId"u8, fields.CorrelationId, "correlation id", nullIsEmpty: true);
        Same(entry, "causationId"u8, fields.CausationId, "causation id", nullIsEmpty: true);

        var actor = Object(Member(entry, "actor"u8), "actor");
        Same(actor, "id"u8, fields.UserName, "actor");
        var (name, role, country) = Actor(fields.Headers);
        Same(actor, "name"u8, name, "actor's name");
        Same(actor, "role"u8, role, "actor's role");
        Same(actor, "country"u8, country, "actor's country");

        var data = Member(entry, "data"u8);
        if (Canonical(data, "data") != fields.Data) throw Altered("data");
        // Note, reason and changes are read from the data; the data now being the hashed one, they must read the same.
        string? FromData(ReadOnlySpan<byte> name) => data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        Same(entry, "note"u8, FromData("note"u8), "note");
        Same(entry, "reason"u8, FromData("reason"u8), "reason");
        IReadOnlyList<AuditChange> expected;
        try { expected = AuditLog.ChangeReaders.TryGetValue(type, out var read) ? read(data) : []; }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException) { throw new Bad(AlteredEvent, "its changes cannot be read from its data"); }
        var shown = Member(entry, "changes"u8);
        if (shown.ValueKind != JsonValueKind.Array || shown.GetArrayLength() != expected.Count) throw Altered("changes");
        foreach (var (change, want) in shown.EnumerateArray().Zip(expected))
        {
            var c = Object(change, "a change");
            Same(c, "field"u8, want.Field, "changes");
            if (Canonical(Member(c, "before"u8), "a change") != (want.Before is { } b ? JsonCanonical.Canonicalize(b) : "null")) throw Altered("changes");
            if (Canonical(Member(c, "after"u8), "a change") != (want.After is { } a ? JsonCanonical.Canonicalize(a) : "null")) throw Altered("changes");
        }
    }

    /// <summary>The actor's name, role and country in the headers; one actor's headers come again and again, so the last ones are kept.</summary>
    private static (string? Name, string? Role, string? Country) Actor(string headers)
    {
        if (lastHeaders is { } last && last.Text == headers) return last.Actor;
        using var document = headers.Length > 0 ? Parse(headers, "chain.canonical.headers") : null;
        string? Header(ReadOnlySpan<byte> name) =>
            document is not null && document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var v) &&
            v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var actor = (Header("actor-name"u8), Header("actor-role"u8), Header("actor-country"u8));
        lastHeaders = (headers, actor);
        return actor;
    }

    [ThreadStatic] private static (string Text, (string?, string?, string?) Actor)? lastHeaders;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static AuditCanonicalFields Fields(JsonElement c) =>
        new(Required(c, "id"u8), Required(c, "streamId"u8), Long(c, "version"u8), Required(c, "type"u8), Required(c, "timestamp"u8), Required(c, "data"u8),
            Required(c, "userName"u8), Required(c, "headers"u8), Required(c, "correlationId"u8), Required(c, "causationId"u8));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static JsonElement Member(JsonElement o, ReadOnlySpan<byte> name) =>
        o.TryGetProperty(name, out var v) ? v : throw new Bad(UnreadableLine, $"it has no {Name(name)}");

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static JsonElement Object(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.Object ? e : throw new Bad(UnreadableLine, $"{what} is not a JSON object");

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long Long(JsonElement o, ReadOnlySpan<byte> name) =>
        Member(o, name) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt64(out var n) ? n : throw new Bad(UnreadableLine, $"{Name(name)} is not an integer");

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string? String(JsonElement o, ReadOnlySpan<byte> name) =>
        Member(o, name) switch
        {
            { ValueKind: JsonValueKind.String } v => v.GetString(),
            { ValueKind: JsonValueKind.Null } => null,
            _ => throw new Bad(UnreadableLine, $"{Name(name)} is not a string"),
        };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string Required(JsonElement o, ReadOnlySpan<byte> name) =>
        String(o, name) ?? throw new Bad(UnreadableLine, $"chain.canonical.{Name(name)} is null");

    // Member names are looked up as UTF-8, as the document holds them; a string is made only for a message.
    private static string Name(ReadOnlySpan<byte> name) => System.Text.Encoding.UTF8.GetString(name);

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdef");

    /// <summary>A 64-digit lower-case hex hash, or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string? Hash(JsonElement chain, ReadOnlySpan<byte> name) =>
        String(chain, name) is not { } h ? null
        : h.Length == 64 && !h.AsSpan().ContainsAnyExcept(HexDigits) ? h
        : throw new Bad(UnreadableLine, $"chain.{Name(name)} is not a SHA-256 in hex");

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string Canonical(JsonElement value, string what)
    {
        try { return JsonCanonical.Canonicalize(value); }
        catch (FormatException e) { throw new Bad(AlteredEvent, $"{what} has no canonical form ({e.Message})"); }
    }

    private static JsonDocument Parse(string json, string what)
    {
        try { return JsonDocument.Parse(json); }
        catch (JsonException) { throw new Bad(AlteredEvent, $"{what} is not JSON"); }
    }
}
