using System.Text.RegularExpressions;
using Npgsql;

namespace Strategy.Infrastructure.Store;

/// <summary>Applies deploy/app-role.sql (embedded): the service's least-privilege role, which cannot alter stored events.</summary>
public static partial class DatabaseRoles
{
    [GeneratedRegex(@"\A[a-z_][a-z0-9_]{0,62}\z")]
    private static partial Regex Identifier();

    public static async Task GrantAppRoleAsync(string ownerConnectionString, string schema, string role, string password, CancellationToken ct = default)
    {
        if (!Identifier().IsMatch(role)) throw new ArgumentException("Use a lower-case SQL identifier for the role.", nameof(role));
        if (!Identifier().IsMatch(schema)) throw new ArgumentException("Use a lower-case SQL identifier for the schema.", nameof(schema));
        using var reader = new StreamReader(ReferenceData.Resources.Open("app-role.sql"));
        var sql = (await reader.ReadToEndAsync(ct))
            .Replace("{{schema}}", schema)
            .Replace("{{role}}", role)
            .Replace("{{password}}", password.Replace("'", "''"));
        await using var connection = new NpgsqlConnection(ownerConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
