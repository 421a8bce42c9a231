using Strategy.Infrastructure.Audit;

namespace Strategy.Api.Hosting;

/// <summary>
/// The key audit checkpoints are signed with, from configuration (<c>Audit:CheckpointKey</c>, a PEM private key) or a
/// mounted secret (<c>Audit:CheckpointKeyFile</c>, the path of one). It must not live in the database: the point of a
/// signed checkpoint is that whoever can rewrite the database cannot sign a new one.
/// </summary>
public static class CheckpointKeys
{
    /// <summary>
    /// The configured key; in Development and Testing without one, a key made for this process (its checkpoints verify
    /// until the process stops); elsewhere without one, none: checkpoints are not signed, and the start-up log says so.
    /// </summary>
    public static CheckpointKey? Load(IConfiguration config, IHostEnvironment environment)
    {
        var pem = config["Audit:CheckpointKey"];
        if (string.IsNullOrWhiteSpace(pem) && config["Audit:CheckpointKeyFile"] is { Length: > 0 } file)
        {
            if (!File.Exists(file)) throw new InvalidOperationException($"Audit:CheckpointKeyFile names {file}, which does not exist.");
            pem = File.ReadAllText(file);
        }
        if (!string.IsNullOrWhiteSpace(pem))
        {
            try { return CheckpointKey.FromPem(pem); }
            catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException)
            {
                throw new InvalidOperationException("Audit:CheckpointKey is not a PEM ECDSA P-256 private key.", e);
            }
        }
        return environment.IsDevelopment() || environment.IsEnvironment("Testing")
            ? new CheckpointKey(System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256))
            : null;
    }
}
