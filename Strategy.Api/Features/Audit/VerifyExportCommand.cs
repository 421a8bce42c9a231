using System.Security.Cryptography;
using System.Text.Json;
using Strategy.Infrastructure.Audit;

namespace Strategy.Api.Features.Audit;

/// <summary>
/// <c>verify-export --file audit.jsonl [--checkpoint checkpoint.json [--public-key key.pem]]</c>: recomputes the audit
/// chain from an unfiltered JSONL export alone (<see cref="AuditExportVerifier"/>), with no database and no configuration,
/// and prints one line. Exit code 0: valid; 1: invalid (the first bad line and why); 2: usage error.
/// </summary>
public static class VerifyExportCommand
{
    public const string Usage =
        "Usage: verify-export --file audit.jsonl [--checkpoint checkpoint.json [--public-key key.pem]]\n" +
        "  --file        an unfiltered JSONL export (GET /api/audit/export?format=jsonl)\n" +
        "  --checkpoint  a signed checkpoint (JSON: sequence, hash, signedAt, keyId, signature) the export must reach and match\n" +
        "  --public-key  the checkpoint key's public half, PEM (SubjectPublicKeyInfo): the checkpoint's signature must verify with it";

    // The checkpoint as the API serves it (camelCase); a member missing or null is an error, not a default.
    private static readonly JsonSerializerOptions CheckpointJson = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter output, TextWriter errors)
    {
        int Fail(string message)
        {
            errors.WriteLine(message);
            errors.WriteLine(Usage);
            return 2;
        }
        var options = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (args[i] is not ("--file" or "--checkpoint" or "--public-key") || i + 1 >= args.Length || options.ContainsKey(args[i]))
                return Fail($"Unexpected argument '{args[i]}'.");
            options[args[i]] = args[i + 1];
        }
        if (!options.TryGetValue("--file", out var file)) return Fail("Give the export with --file.");
        if (options.ContainsKey("--public-key") && !options.ContainsKey("--checkpoint")) return Fail("--public-key checks a checkpoint: give --checkpoint too.");
        if (!File.Exists(file)) return Fail($"No such file: {file}");

        AuditCheckpoint? checkpoint = null;
        if (options.TryGetValue("--checkpoint", out var checkpointFile))
        {
            try { checkpoint = JsonSerializer.Deserialize<AuditCheckpoint>(File.ReadAllText(checkpointFile), CheckpointJson); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException) { return Fail($"Cannot read the checkpoint {checkpointFile}: {e.Message}"); }
            if (checkpoint is null) return Fail($"The checkpoint {checkpointFile} is null.");
        }
        using var key = options.TryGetValue("--public-key", out var keyFile) ? ECDsa.Create() : null;
        if (key is not null)
        {
            try { key.ImportFromPem(File.ReadAllText(keyFile!)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException)
            {
                return Fail($"Cannot read the public key {keyFile}: {e.Message}");
            }
        }

        AuditExportVerification result;
        using (var stream = new FileStream(file, new FileStreamOptions { BufferSize = 0, Options = FileOptions.SequentialScan }))
            result = AuditExportVerifier.Verify(stream, checkpoint, key);
        output.WriteLine(Describe(result));
        return result.Valid ? 0 : 1;
    }

    public static string Describe(AuditExportVerification r)
    {
        if (r.Valid)
            return $"valid: {r.Lines} lines, {r.Chained} events chained up to event {r.LastSequence} (hash {r.HeadHash})" +
                (r.Pending > 0 ? $", {r.Pending} more at the end not chained yet when exported" : "") +
                $"; {r.Checkpoint ?? "no checkpoint given"}";
        var where = r.Line is { } line ? $"line {line}{(r.Sequence is { } s ? $" (event {s})" : "")}: " : "";
        return $"invalid: {where}{r.Problem}: {r.Reason}";
    }
}
