using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Strategy.Api.Features.Audit;
using Strategy.Infrastructure.Audit;
using static Strategy.Tests.Api.AuditSupport;

namespace Strategy.Tests.Api;

/// <summary>
/// `verify-export` on the story's JSONL export, read from files as an auditor would hold them: the export, a checkpoint
/// signed with a test key, and that key's public half.
/// </summary>
public sealed class VerifyExportTests(AuditStory story) : IClassFixture<AuditStory>, IDisposable
{
    private static readonly DateTimeOffset SignedAt = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly string dir = Directory.CreateTempSubdirectory("verify-export-").FullName;

    public void Dispose()
    {
        key.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    private async Task<List<string>> Export(string query = "")
    {
        await WaitForDaemon(story);
        var response = await story.Reviewer().GetAsync($"/api/audit/export?format=jsonl{query}");
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    private string Write(string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, string.Concat(lines.Select(l => l + "\n")));
        return path;
    }

    // Each file a name of its own: a test holds several checkpoints and keys at once.
    private int files;

    private string WriteCheckpoint(AuditCheckpoint checkpoint) =>
        Write($"checkpoint-{++files}.json", [JsonSerializer.Serialize(checkpoint, new JsonSerializerOptions(JsonSerializerDefaults.Web))]);

    private string WriteKey(ECDsa publicKey) => Write($"key-{++files}.pem", [publicKey.ExportSubjectPublicKeyInfoPem()]);

    private static (int Code, string Output, string Errors) Run(params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var code = VerifyExportCommand.Run(args, output, errors);
        return (code, output.ToString().TrimEnd('\n'), errors.ToString());
    }

    private static long Sequence(string line) => JsonDocument.Parse(line).RootElement.GetProperty("sequence").GetInt64();

    private static string Hash(string line) => JsonDocument.Parse(line).RootElement.GetProperty("chain").GetProperty("hash").GetString()!;

    /// <summary>The line with one member changed (path from the root), everything else as exported.</summary>
    private static string Change(string line, Action<JsonObject> change)
    {
        var entry = JsonNode.Parse(line).ShouldBeOfType<JsonObject>();
        change(entry);
        return entry.ToJsonString();
    }

    [Fact]
    public async Task An_untouched_export_is_valid_and_matches_a_checkpoint_signed_at_its_head()
    {
        var lines = await Export();
        lines.Count.ShouldBe(story.Events.Count);
        var head = (await ChainHistory.Verify(story)).GetProperty("headHash").GetString()!;
        Hash(lines[^1]).ShouldBe(head);
        var file = Write("audit.jsonl", lines);

        var plain = Run("--file", file);
        plain.Code.ShouldBe(0, plain.Output);
        plain.Output.ShouldBe($"valid: {lines.Count} lines, {lines.Count} events chained up to event {Sequence(lines[^1])} (hash {head}); no checkpoint given");

        var checkpoint = WriteCheckpoint(AuditCheckpoints.Sign(key, Sequence(lines[^1]), head, SignedAt));
        var signed = Run("--file", file, "--checkpoint", checkpoint, "--public-key", WriteKey(key));
        signed.Code.ShouldBe(0, signed.Output);
        signed.Output.ShouldEndWith($"; checkpoint at event {Sequence(lines[^1])} (line {lines.Count}) matches, signature valid (key {AuditCheckpoints.KeyId(key)})");

        // A checkpoint earlier in the log: the export goes on past it.
        var middle = lines[lines.Count / 2];
        var earlier = Run("--file", file, "--checkpoint", WriteCheckpoint(AuditCheckpoints.Sign(key, Sequence(middle), Hash(middle), SignedAt)),
            "--public-key", WriteKey(key));
        earlier.Code.ShouldBe(0, earlier.Output);
        earlier.Output.ShouldContain($"checkpoint at event {Sequence(middle)} (line {lines.Count / 2 + 1}) matches");

        var unsigned = Run("--file", file, "--checkpoint", checkpoint);
        unsigned.Code.ShouldBe(0, unsigned.Output);
        unsigned.Output.ShouldEndWith("matches, signature not checked (no public key given)");
    }

    [Fact]
    public async Task CRLF_line_ends_a_byte_order_mark_no_final_line_end_and_a_line_longer_than_the_read_buffer_are_read_as_written()
    {
        var lines = await Export();
        // JSON may start with white space: 5 MB of it makes the first line longer than the verifier's 4 MB buffer.
        lines[0] = new string(' ', 5 << 20) + lines[0];
        var path = Path.Combine(dir, "windows.jsonl");
        File.WriteAllText(path, string.Join("\r\n", lines), new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        var result = Run("--file", path);
        result.Code.ShouldBe(0, result.Output);
        result.Output.ShouldStartWith($"valid: {lines.Count} lines, {lines.Count} events chained");

        // An empty line is not an entry.
        var blank = Run("--file", Write("blank.jsonl", [lines[0].TrimStart(), "", lines[1]]));
        blank.Code.ShouldBe(1, blank.Output);
        blank.Output.ShouldBe("invalid: line 2: unreadable line: not a JSON document");
    }

    public static TheoryData<string> Tamperings => ["data", "data-and-canonical", "actor", "actor-name", "timestamp", "note", "changes"];

    [Theory]
    [MemberData(nameof(Tamperings))]
    public async Task A_tampered_copy_is_invalid_at_the_altered_line(string tampering)
    {
        var lines = await Export();
        // A line with a note and changes: a status change.
        var n = lines.FindIndex(l => JsonDocument.Parse(l).RootElement.GetProperty("type").GetString() == "commitment-status-changed");
        n.ShouldBeGreaterThan(0);
        lines[n] = Change(lines[n], entry =>
        {
            switch (tampering)
            {
                case "data": entry["data"]!["note"] = "tampered"; entry["note"] = "tampered"; break;
                case "data-and-canonical":
                    // Made consistent with what the chain hashed: the link no longer matches.
                    entry["data"]!["note"] = "tampered";
                    entry["note"] = "tampered";
                    entry["chain"]!["canonical"]!["data"] = JsonCanonical.Canonicalize(entry["data"]!.ToJsonString());
                    break;
                case "actor": entry["actor"]!["id"] = "someone-else"; break;
                case "actor-name": entry["actor"]!["name"] = "Someone Else"; break;
                case "timestamp": entry["timestamp"] = "2020-01-01T00:00:00+00:00"; break;
                case "note": entry["note"] = "tampered"; break;
                case "changes": entry["changes"]![0]!["after"] = "completed"; break;
                default: throw new ArgumentOutOfRangeException(nameof(tampering));
            }
        });
        var result = Run("--file", Write("tampered.jsonl", lines));
        result.Code.ShouldBe(1, result.Output);
        result.Output.ShouldStartWith($"invalid: line {n + 1} (event {Sequence(lines[n])}): altered event: ");
    }

    [Fact]
    public async Task A_removed_line_breaks_the_link_of_the_next_one_and_a_filtered_export_is_named_as_such()
    {
        var lines = await Export();
        var n = lines.Count / 2;
        var removed = lines.Where((_, i) => i != n).ToList();
        var result = Run("--file", Write("removed.jsonl", removed));
        result.Code.ShouldBe(1, result.Output);
        result.Output.ShouldStartWith($"invalid: line {n + 1} (event {Sequence(lines[n + 1])}): broken link: its link does not follow the previous line's");

        var filtered = await Export("&country=TH");
        var first = Run("--file", Write("th.jsonl", filtered));
        first.Code.ShouldBe(1, first.Output);
        first.Output.ShouldStartWith($"invalid: line 1 (event {Sequence(filtered[0])}): broken link: the chain does not start here");
        first.Output.ShouldContain("filtered");
    }

    [Fact]
    public async Task A_copy_rewritten_with_its_links_recomputed_verifies_on_its_own_but_not_against_a_checkpoint()
    {
        var lines = await Export();
        var checkpoint = WriteCheckpoint(AuditCheckpoints.Sign(key, Sequence(lines[^1]), Hash(lines[^1]), SignedAt));
        var n = lines.Count / 2;
        // A forger who changes one event and hashes the chain again from there on.
        var hash = JsonDocument.Parse(lines[n]).RootElement.GetProperty("chain").GetProperty("previous").GetString()!;
        for (var i = n; i < lines.Count; i++)
        {
            lines[i] = Change(lines[i], entry =>
            {
                var chain = entry["chain"]!;
                if (i == n)
                {
                    entry["data"]!["note"] = "rewritten";
                    entry["note"] = "rewritten";
                    chain["canonical"]!["data"] = JsonCanonical.Canonicalize(entry["data"]!.ToJsonString());
                }
                var fields = chain["canonical"].Deserialize<AuditCanonicalFields>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
                chain["previous"] = hash;
                hash = AuditHash.Next(hash, AuditHash.Canonical(entry["sequence"]!.GetValue<long>(), fields));
                chain["hash"] = hash;
            });
        }
        var file = Write("rewritten.jsonl", lines);

        Run("--file", file).Code.ShouldBe(0, "without a checkpoint nothing outside the file holds it");
        var result = Run("--file", file, "--checkpoint", checkpoint, "--public-key", WriteKey(key));
        result.Code.ShouldBe(1, result.Output);
        result.Output.ShouldStartWith($"invalid: line {lines.Count} (event {Sequence(lines[^1])}): checkpoint mismatch: the chain's hash after this event is {hash}");
    }

    [Fact]
    public async Task A_checkpoint_with_a_wrong_signature_hash_or_key_does_not_validate()
    {
        var lines = await Export();
        var file = Write("audit.jsonl", lines);
        var good = AuditCheckpoints.Sign(key, Sequence(lines[^1]), Hash(lines[^1]), SignedAt);
        var publicKey = WriteKey(key);

        var signature = Convert.FromBase64String(good.Signature);
        signature[10] ^= 1;
        var badSignature = Run("--file", file, "--checkpoint", WriteCheckpoint(good with { Signature = Convert.ToBase64String(signature) }), "--public-key", publicKey);
        badSignature.Code.ShouldBe(1, badSignature.Output);
        badSignature.Output.ShouldStartWith("invalid: bad signature: the checkpoint's signature does not verify");

        // The hash changed after signing: the signature no longer covers it.
        var otherHash = new string('1', 64);
        var changedHash = Run("--file", file, "--checkpoint", WriteCheckpoint(good with { Hash = otherHash }), "--public-key", publicKey);
        changedHash.Code.ShouldBe(1, changedHash.Output);
        changedHash.Output.ShouldStartWith("invalid: bad signature: ");

        var changedTime = Run("--file", file, "--checkpoint", WriteCheckpoint(good with { SignedAt = SignedAt.AddSeconds(1) }), "--public-key", publicKey);
        changedTime.Code.ShouldBe(1, changedTime.Output);
        changedTime.Output.ShouldStartWith("invalid: bad signature: ");

        // Signed properly, but over a hash the log never had.
        var wrongHash = Run("--file", file, "--checkpoint", WriteCheckpoint(AuditCheckpoints.Sign(key, good.Sequence, otherHash, SignedAt)), "--public-key", publicKey);
        wrongHash.Code.ShouldBe(1, wrongHash.Output);
        wrongHash.Output.ShouldStartWith($"invalid: line {lines.Count} (event {good.Sequence}): checkpoint mismatch: ");

        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var otherKey = Run("--file", file, "--checkpoint", WriteCheckpoint(good), "--public-key", WriteKey(other));
        otherKey.Code.ShouldBe(1, otherKey.Output);
        otherKey.Output.ShouldBe($"invalid: bad signature: the checkpoint names key {AuditCheckpoints.KeyId(key)}, the public key given is {AuditCheckpoints.KeyId(other)}");

        // A checkpoint beyond the export's end cannot be checked.
        var beyond = Run("--file", file, "--checkpoint", WriteCheckpoint(AuditCheckpoints.Sign(key, good.Sequence + 5, good.Hash, SignedAt)), "--public-key", publicKey);
        beyond.Code.ShouldBe(1, beyond.Output);
        beyond.Output.ShouldBe($"invalid: checkpoint mismatch: the export ends at event {good.Sequence}, before the checkpoint's event {good.Sequence + 5}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("--checkpoint c.json")]
    [InlineData("--file")]
    [InlineData("--file FILE --public-key key.pem")]
    [InlineData("--file FILE --file FILE")]
    [InlineData("--file FILE --verbose yes")]
    [InlineData("--file no-such-file.jsonl")]
    [InlineData("--file FILE --checkpoint NOT-JSON")]
    [InlineData("--file FILE --checkpoint INCOMPLETE")]
    [InlineData("--file FILE --checkpoint CHECKPOINT --public-key NOT-PEM")]
    public void Usage_errors_exit_2_with_the_usage(string arguments)
    {
        var file = Write("audit.jsonl", []);
        var replacements = new Dictionary<string, string>
        {
            ["FILE"] = file,
            ["NOT-JSON"] = Write("not.json", ["{"]),
            ["INCOMPLETE"] = Write("incomplete.json", ["""{"sequence": 1, "hash": "00"}"""]),
            ["CHECKPOINT"] = WriteCheckpoint(AuditCheckpoints.Sign(key, 1, AuditHash.Genesis, SignedAt)),
            ["NOT-PEM"] = Write("not.pem", ["not a key"]),
        };
        var args = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(a => replacements.GetValueOrDefault(a, a)).ToArray();
        var result = Run(args);
        result.Code.ShouldBe(2, result.Errors);
        result.Output.ShouldBeEmpty();
        result.Errors.ShouldContain("Usage: verify-export --file");
    }

    /// <summary>The published command, as an auditor runs it: its own process, no connection string, no settings.</summary>
    [Fact]
    public async Task The_command_runs_from_the_service_dll_with_no_database_and_no_configuration()
    {
        var lines = await Export();
        var file = Write("audit.jsonl", lines);
        var checkpoint = WriteCheckpoint(AuditCheckpoints.Sign(key, Sequence(lines[^1]), Hash(lines[^1]), SignedAt));
        var dll = Path.Combine(AppContext.BaseDirectory, "Strategy.Api.dll");
        File.Exists(dll).ShouldBeTrue(dll);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        foreach (var a in new[] { dll, "verify-export", "--file", file, "--checkpoint", checkpoint, "--public-key", WriteKey(key) }) start.ArgumentList.Add(a);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ConnectionStrings", StringComparison.OrdinalIgnoreCase) ||
                     k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        using var process = Process.Start(start).ShouldNotBeNull();
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, output + errors);
        output.ShouldStartWith($"valid: {lines.Count} lines");
        output.ShouldContain("matches, signature valid");
    }
}
