using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Strategy.Infrastructure.Audit;

/// <summary>
/// A chain head signed with a key the database does not hold: whoever has the public key can check that the log up to
/// <see cref="Sequence"/> hashed to <see cref="Hash"/> when it was signed, so a later rewrite of the log, or of the
/// chain's own tables, even by the database's owner, no longer matches it.
/// </summary>
/// <param name="Signature">Base64 of the ECDSA P-256 / SHA-256 signature (IEEE P1363: r then s, 64 bytes) of <see cref="AuditCheckpoints.Payload"/>.</param>
public sealed record AuditCheckpoint(long Sequence, string Hash, DateTimeOffset SignedAt, string KeyId, string Signature);

public static class AuditCheckpoints
{
    /// <summary>The signed bytes: a fixed prefix (the format's version), the sequence, the hash and the instant, one per line.</summary>
    public static byte[] Payload(long sequence, string hash, DateTimeOffset signedAt) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"strategy-audit-checkpoint:v1\n{sequence}\n{hash}\n{signedAt.ToUniversalTime():yyyy-MM-ddTHH:mm:ss.ffffffZ}"));

    /// <summary>The key's id: the first 16 hex digits of the SHA-256 of its SubjectPublicKeyInfo (DER).</summary>
    public static string KeyId(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];

    public static AuditCheckpoint Sign(ECDsa key, long sequence, string hash, DateTimeOffset signedAt)
    {
        // Microseconds, as the payload writes them, so the record and what was signed agree.
        var at = new DateTimeOffset(signedAt.UtcTicks - signedAt.UtcTicks % 10, TimeSpan.Zero);
        var signature = key.SignData(Payload(sequence, hash, at), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return new AuditCheckpoint(sequence, hash, at, KeyId(key), Convert.ToBase64String(signature));
    }

    /// <summary>Whether <paramref name="checkpoint"/> was signed by <paramref name="publicKey"/> over its own sequence, hash and instant.</summary>
    public static bool IsSignedBy(AuditCheckpoint checkpoint, ECDsa publicKey)
    {
        if (checkpoint.KeyId != KeyId(publicKey)) return false;
        byte[] signature;
        try { signature = Convert.FromBase64String(checkpoint.Signature); }
        catch (FormatException) { return false; }
        return publicKey.VerifyData(Payload(checkpoint.Sequence, checkpoint.Hash, checkpoint.SignedAt), signature,
            HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}

/// <summary>A checkpoint as stored, with what it was taken for (the periodic job, or a report and which).</summary>
public sealed class StoredCheckpoint
{
    public Guid Id { get; set; }
    public long Sequence { get; set; }
    public string Hash { get; set; } = "";
    public DateTimeOffset SignedAt { get; set; }
    public string KeyId { get; set; } = "";
    public string Signature { get; set; } = "";
    /// <summary>"periodic" or "report".</summary>
    public string Occasion { get; set; } = "";
    public Guid? ReportId { get; set; }

    public AuditCheckpoint Checkpoint => new(Sequence, Hash, SignedAt, KeyId, Signature);
}

/// <summary>The private key checkpoints are signed with: held by the service's configuration, never by the database.</summary>
public sealed class CheckpointKey(ECDsa key)
{
    public ECDsa Key { get; } = key;
    public string Id { get; } = AuditCheckpoints.KeyId(key);
    public string PublicKeyPem => Key.ExportSubjectPublicKeyInfoPem();

    /// <summary>A PEM private key (PKCS#8 or SEC 1); it must be a P-256 key.</summary>
    public static CheckpointKey FromPem(string pem)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(pem);
        if (key.KeySize != 256) throw new InvalidOperationException("The checkpoint key must be an ECDSA P-256 key.");
        return new CheckpointKey(key);
    }
}
