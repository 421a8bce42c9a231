using Npgsql;
using Strategy.Infrastructure.Store;

namespace Strategy.Tests.Api;

/// <summary>
/// The audit log's reads, whose plan depends on their values, run on connections where
/// PostgreSQL plans every execution with its values, even once Npgsql has prepared the statement.
/// </summary>
public sealed class CustomPlanConnectionTests
{
    private static async Task<string> Show(string connectionString, string setting)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"show {setting}", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Custom_plan_connections_never_use_a_generic_plan_and_keep_the_options_the_string_gave()
    {
        var plain = ConnectionDefaults.Apply(ApiFactory.OwnerConnectionString);
        (await Show(plain, "plan_cache_mode")).ShouldBe("auto");
        (await Show(ConnectionDefaults.WithCustomPlans(plain), "plan_cache_mode")).ShouldBe("force_custom_plan");

        var withOptions = new NpgsqlConnectionStringBuilder(plain) { Options = "-c statement_timeout=12345" }.ConnectionString;
        var custom = ConnectionDefaults.WithCustomPlans(withOptions);
        (await Show(custom, "plan_cache_mode")).ShouldBe("force_custom_plan");
        (await Show(custom, "statement_timeout")).ShouldBe("12345ms");
    }
}
