using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;
using Strategy.Infrastructure.Audit;

namespace Strategy.Infrastructure.Store;

/// <summary>
/// Applies deploy/app-role.sql (embedded): the service's least-privilege role, which cannot alter stored events nor append
/// one dated off the database's clock (by more than <see cref="AuditClock.Tolerance"/>) or at a sequence number it chose.
/// </summary>
public static partial class DatabaseRoles
{
    /// <summary>SQLSTATE of an event refused because its timestamp is further than <see cref="AuditClock.Tolerance"/> from the database's clock.</summary>
    public const string EventTimestampRefused = "SG001";

    /// <summary>SQLSTATE of an event refused because its sequence number is not the one its session just drew.</summary>
    public const string EventSequenceRefused = "SG002";

    [GeneratedRegex(@"\A[a-z_][a-z0-9_]{0,62}\z")]
    private static partial Regex Identifier();

    /// <summary>
    /// Creates or updates the role and its grants. The password is never put into the SQL: what is sent is its
    /// SCRAM-SHA-256 verifier (base64, '$' and ':' only), so no password can end the statement it is set in, and the
    /// server, its log and pg_stat_statements never see the password itself.
    /// </summary>
    public static async Task GrantAppRoleAsync(string ownerConnectionString, string schema, string role, string password, CancellationToken ct = default)
    {
        if (!Identifier().IsMatch(role)) throw new ArgumentException("Use a lower-case SQL identifier for the role.", nameof(role));
        if (!Identifier().IsMatch(schema)) throw new ArgumentException("Use a lower-case SQL identifier for the schema.", nameof(schema));
        // PostgreSQL normalizes non-ASCII passwords (SASLprep) before deriving the verifier; printable ASCII needs none,
        // so the verifier computed here is the one the server would compute.
        if (password.Length == 0 || password.Any(c => c < 0x20 || c > 0x7e))
            throw new ArgumentException("Use a password of printable ASCII characters.", nameof(password));
        using var reader = new StreamReader(ReferenceData.Resources.Open("app-role.sql"));
        var sql = (await reader.ReadToEndAsync(ct))
            .Replace("{{schema}}", schema)
            .Replace("{{role}}", role)
            .Replace("{{tolerance_seconds}}", AuditClock.Tolerance.TotalSeconds.ToString(CultureInfo.InvariantCulture))
            .Replace("{{password}}", ScramVerifier(password, RandomNumberGenerator.GetBytes(16)));
        await using var connection = new NpgsqlConnection(ownerConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private const int ScramIterations = 4096;

    /// <summary>RFC 5802 / 7677 as PostgreSQL stores it: SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey.</summary>
    public static string ScramVerifier(string password, byte[] salt)
    {
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, ScramIterations, HashAlgorithmName.SHA256, 32);
        var storedKey = SHA256.HashData(HMACSHA256.HashData(salted, "Client Key"u8));
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return $"SCRAM-SHA-256${ScramIterations}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}";
    }

    /// <summary>Whether <paramref name="verifier"/> (as pg_authid keeps it) was made from <paramref name="password"/>.</summary>
    public static bool VerifierMatches(string verifier, string password)
    {
        var parts = verifier.Split('$', ':');
        if (parts.Length != 5 || parts[0] != "SCRAM-SHA-256" || parts[1] != ScramIterations.ToString(System.Globalization.CultureInfo.InvariantCulture)) return false;
        return ScramVerifier(password, Convert.FromBase64String(parts[2])) == verifier;
    }
}
