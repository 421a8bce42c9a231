using System.Globalization;
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
    public static AuditExportVerification Verify(TextReader export, AuditCheckpoint? checkpoint, ECDsa? publicKey)
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
        while (export.ReadLine() is { } text)
        {
            lines++;
            long? sequence = null;
            try
            {
                JsonDocument document;
                try { document = JsonDocument.Parse(text); }
                catch (JsonException) { throw new Bad(UnreadableLine, "not a JSON document"); }
                using (document)
                {
                    var entry = Object(document.RootElement, "the line");
                    sequence = Long(entry, "sequence");
                    if (sequence <= last)
                        throw new Bad(BrokenLink, $"its sequence does not follow the previous line's ({last}): lines were reordered or repeated");
                    if (checkpoint is not null && checkpointLine is null && sequence > checkpoint.Sequence)
                        throw new Bad(CheckpointMismatch, $"the checkpoint is at event {checkpoint.Sequence}, which the export does not have (the line before is event {last})");
                    var chain = entry.TryGetProperty("chain", out var c) ? Object(c, "chain")
                        : throw new Bad(UnreadableLine, "it has no chain member (an export from before the offline verifier, or a CSV turned into JSON)");
                    var fields = Fields(Object(Member(chain, "canonical"), "chain.canonical"));
                    ShouldShow(entry, fields);

                    var hash = Hash(chain, "hash");
                    if (hash is null)
                    {
                        if (sequence == checkpoint?.Sequence) throw new Bad(CheckpointMismatch, "the checkpoint's event was not chained yet when the log was exported");
                        firstPending ??= lines;
                        pending++;
                    }
                    else
                    {
                        if (firstPending is { } p) throw new Bad(BrokenLink, $"it is chained, but line {p} before it is not");
                        var previous = Hash(chain, "previous") ?? throw new Bad(UnreadableLine, "chain.previous is null on a chained event");
                        if (AuditHash.Next(previous, AuditHash.Canonical(sequence.Value, fields)) != hash)
                            throw new Bad(AlteredEvent, "its canonical fields do not hash to its link: the event is not the one that was chained");
                        if (previous != head)
                            throw new Bad(BrokenLink, chained == 0
                                ? "the chain does not start here: the export does not begin with the log's first event (a filtered export, or lines removed)"
                                : "its link does not follow the previous line's: an event between them is missing (a filtered export, or a line removed)");
                        head = hash;
                        chained++;
                        lastChained = sequence.Value;
                        if (sequence == checkpoint?.Sequence)
                        {
                            if (hash != checkpoint.Hash) throw new Bad(CheckpointMismatch, $"the chain's hash after this event is {hash}, the checkpoint's {checkpoint.Hash}");
                            checkpointLine = lines;
                        }
                    }
                    last = sequence.Value;
                }
            }
            catch (Bad bad)
            {
                return new AuditExportVerification(false, lines, chained, pending, lastChained, head, null, lines, sequence, bad.Problem, bad.Message);
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

    /// <summary>What the line shows must be what was hashed: otherwise a reader would trust a value the chain never saw.</summary>
    private static void ShouldShow(JsonElement entry, AuditCanonicalFields fields)
    {
        void Same(string what, string? shown, string? hashed)
        {
            if (shown != hashed) throw new Bad(AlteredEvent, $"its {what} is not what was hashed");
        }
        var stream = Object(Member(entry, "stream"), "stream");
        Same("stream id", String(stream, "id"), fields.StreamId);
        Same("version", Long(entry, "version").ToString(CultureInfo.InvariantCulture), fields.Version.ToString(CultureInfo.InvariantCulture));
        Same("type", String(entry, "type"), fields.Type.Replace('_', '-'));
        var timestamp = Member(entry, "timestamp");
        Same("timestamp", timestamp.ValueKind == JsonValueKind.String && timestamp.TryGetDateTimeOffset(out var t) ? AuditHash.Timestamp(t.UtcDateTime) : null,
            fields.Timestamp);
        Same("correlation id", String(entry, "correlationId") ?? "", fields.CorrelationId);
        Same("causation id", String(entry, "causationId") ?? "", fields.CausationId);

        var actor = Object(Member(entry, "actor"), "actor");
        Same("actor", String(actor, "id"), fields.UserName);
        using var headers = fields.Headers.Length > 0 ? Parse(fields.Headers, "chain.canonical.headers") : null;
        string? Header(string name) =>
            headers is not null && headers.RootElement.ValueKind == JsonValueKind.Object && headers.RootElement.TryGetProperty(name, out var v) &&
            v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        Same("actor's name", String(actor, "name"), Header("actor-name"));
        Same("actor's role", String(actor, "role"), Header("actor-role"));
        Same("actor's country", String(actor, "country"), Header("actor-country"));

        var data = Member(entry, "data");
        Same("data", Canonical(data, "data"), fields.Data);
        // Note, reason and changes are read from the data; the data now being the hashed one, they must read the same.
        string? FromData(string name) => data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        Same("note", String(entry, "note"), FromData("note"));
        Same("reason", String(entry, "reason"), FromData("reason"));
        var type = fields.Type.Replace('_', '-');
        IReadOnlyList<AuditChange> expected;
        try { expected = AuditLog.ChangeReaders.TryGetValue(type, out var read) ? read(data) : []; }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException) { throw new Bad(AlteredEvent, "its changes cannot be read from its data"); }
        var shown = Member(entry, "changes");
        if (shown.ValueKind != JsonValueKind.Array || shown.GetArrayLength() != expected.Count) throw new Bad(AlteredEvent, "its changes are not those of its data");
        foreach (var (change, want) in shown.EnumerateArray().Zip(expected))
        {
            var c = Object(change, "a change");
            Same("changes", String(c, "field"), want.Field);
            Same("changes", Canonical(Member(c, "before"), "a change"), want.Before is { } b ? JsonCanonical.Canonicalize(b) : "null");
            Same("changes", Canonical(Member(c, "after"), "a change"), want.After is { } a ? JsonCanonical.Canonicalize(a) : "null");
        }
    }

    private static AuditCanonicalFields Fields(JsonElement c) =>
        new(Required(c, "id"), Required(c, "streamId"), Long(c, "version"), Required(c, "type"), Required(c, "timestamp"), Required(c, "data"),
            Required(c, "userName"), Required(c, "headers"), Required(c, "correlationId"), Required(c, "causationId"));

    private static JsonElement Member(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) ? v : throw new Bad(UnreadableLine, $"it has no {name}");

    private static JsonElement Object(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.Object ? e : throw new Bad(UnreadableLine, $"{what} is not a JSON object");

    private static long Long(JsonElement o, string name) =>
        Member(o, name) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt64(out var n) ? n : throw new Bad(UnreadableLine, $"{name} is not an integer");

    private static string? String(JsonElement o, string name) =>
        Member(o, name) switch
        {
            { ValueKind: JsonValueKind.String } v => v.GetString(),
            { ValueKind: JsonValueKind.Null } => null,
            _ => throw new Bad(UnreadableLine, $"{name} is not a string"),
        };

    private static string Required(JsonElement o, string name) =>
        String(o, name) ?? throw new Bad(UnreadableLine, $"chain.canonical.{name} is null");

    /// <summary>A 64-digit lower-case hex hash, or null.</summary>
    private static string? Hash(JsonElement chain, string name) =>
        String(chain, name) is not { } h ? null
        : h.Length == 64 && h.All(char.IsAsciiHexDigitLower) ? h
        : throw new Bad(UnreadableLine, $"chain.{name} is not a SHA-256 in hex");

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
