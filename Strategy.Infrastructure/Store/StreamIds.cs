using System.Security.Cryptography;
using System.Text;

namespace Strategy.Infrastructure.Store;

public static class StreamIds
{
    private static readonly byte[] PlanNamespace = Guid.Parse("6f1c3e0a-5d2b-4c8e-9a57-3b1f0e2d4c61").ToByteArray();

    /// <summary>
    /// A plan's stream id is derived from its code (name-based UUID, RFC 9562 version 5), so plan codes are
    /// unique by construction: a second plan with the same code collides on the stream id.
    /// </summary>
    public static Guid ForPlan(string code)
    {
        var name = Encoding.UTF8.GetBytes(code);
        var hash = SHA1.HashData([.. PlanNamespace, .. name]);
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
