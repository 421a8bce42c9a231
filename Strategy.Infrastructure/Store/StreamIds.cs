using System.Security.Cryptography;
using System.Text;

namespace Strategy.Infrastructure.Store;

public static class StreamIds
{
    private static readonly byte[] PlanNamespace = Guid.Parse("6f1c3e0a-5d2b-4c8e-9a57-3b1f0e2d4c61").ToByteArray();
    private static readonly byte[] CorrespondenceNamespace = Guid.Parse("dea22a1b-b379-44f0-8f7b-68c8135a9e33").ToByteArray();
    private static readonly byte[] OverdueNamespace = Guid.Parse("c47a1e93-0d5b-4e8f-a2c6-19f3b7d50e84").ToByteArray();

    /// <summary>
    /// A plan's stream id is derived from its code (name-based UUID, RFC 9562 version 5), so plan codes are
    /// unique by construction: a second plan with the same code collides on the stream id.
    /// </summary>
    public static Guid ForPlan(string code) => NameBased(PlanNamespace, code);

    /// <summary>
    /// The stream of what is said and sent about a commitment (evidence files, comments), apart from the commitment's
    /// own stream so that an upload or a comment does not make stale the version a focal point holds for an edit.
    /// Derived from the commitment's id, so it needs no lookup and every node finds the same one.
    /// </summary>
    public static Guid ForCorrespondence(Guid commitmentId) => NameBased(CorrespondenceNamespace, commitmentId.ToString("D"));

    /// <summary>The plan's overdue register: what the daily check observed, apart from the commitments' own streams.</summary>
    public static Guid ForOverdueRegister(string planCode) => NameBased(OverdueNamespace, planCode);

    private static Guid NameBased(byte[] space, string name)
    {
        var hash = SHA1.HashData([.. space, .. Encoding.UTF8.GetBytes(name)]);
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
