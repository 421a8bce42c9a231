using Npgsql;
using Strategy.Infrastructure.Store;

namespace Strategy.Tests.Api;

/// <summary>
/// The app role's password never becomes SQL: it is sent as a SCRAM-SHA-256 verifier computed here, so a password
/// holding $$ or quotes cannot end the statement it is set in, and PostgreSQL never sees the password itself.
/// </summary>
public sealed class AppRolePasswordTests
{
    [Fact]
    public async Task A_password_with_dollar_quotes_and_apostrophes_is_stored_as_a_scram_verifier_of_that_password()
    {
        var owner = new ApiFactory();
        await owner.InitializeAsync();
        var role = "strategy_pw_" + owner.Schema;
        const string password = "a$$b'c\\d $$; drop schema public cascade; $$ '--";
        try
        {
            await DatabaseRoles.GrantAppRoleAsync(owner.ConnectionString, owner.Schema, role, password);

            await using var connection = new NpgsqlConnection(ApiFactory.OwnerConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("select rolpassword from pg_authid where rolname = @role", connection);
            command.Parameters.AddWithValue("role", role);
            var stored = (string)(await command.ExecuteScalarAsync())!;
            stored.ShouldStartWith("SCRAM-SHA-256$4096:");
            DatabaseRoles.VerifierMatches(stored, password).ShouldBeTrue();
            DatabaseRoles.VerifierMatches(stored, password + "x").ShouldBeFalse();
        }
        finally
        {
            await owner.DisposeAsync();
            await AuditSupport.Sql($"drop role if exists \"{role}\"");
        }
    }

    [Fact]
    public async Task The_verifier_is_the_one_PostgreSQL_itself_derives_from_the_password()
    {
        var role = "strategy_pw_pg_" + Guid.NewGuid().ToString("N")[..8];
        const string password = "Correct horse $$ battery 'staple'";
        await using var connection = new NpgsqlConnection(ApiFactory.OwnerConnectionString);
        await connection.OpenAsync();
        try
        {
            // PostgreSQL hashes a plain password itself, with a salt of its own choosing.
            var sql = $"set password_encryption = 'scram-sha-256'; create role \"{role}\" password '{password.Replace("'", "''")}'";
            await using (var create = new NpgsqlCommand(sql, connection)) await create.ExecuteNonQueryAsync();
            await using var read = new NpgsqlCommand("select rolpassword from pg_authid where rolname = @role", connection);
            read.Parameters.AddWithValue("role", role);
            var theirs = (string)(await read.ExecuteScalarAsync())!;

            DatabaseRoles.VerifierMatches(theirs, password).ShouldBeTrue(theirs);
        }
        finally
        {
            await using var drop = new NpgsqlCommand($"drop role if exists \"{role}\"", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task A_password_outside_printable_ascii_is_refused_before_anything_is_run()
    {
        await Should.ThrowAsync<ArgumentException>(() => DatabaseRoles.GrantAppRoleAsync(ApiFactory.OwnerConnectionString, "strategy", "strategy_pw_x", "pässwörd"));
        await Should.ThrowAsync<ArgumentException>(() => DatabaseRoles.GrantAppRoleAsync(ApiFactory.OwnerConnectionString, "strategy", "strategy_pw_x", "line\nbreak"));
    }
}
