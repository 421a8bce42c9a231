using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Strategy.Infrastructure.Store;

namespace Strategy.Tests.Api;

/// <summary>
/// What the service keeps beside Marten's own schema: the audit log's indexes on Marten's tables.
/// </summary>
public sealed class StorageLayoutTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private async Task<List<string>> IndexNames()
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select indexname from pg_indexes where schemaname = @schema and indexname = any(@names) order by 1", connection);
        command.Parameters.AddWithValue("schema", api.Schema);
        command.Parameters.AddWithValue("names", AuditIndexes.All.Select(i => i.Name).ToArray());
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        return names;
    }

    [Fact]
    public async Task The_audit_indexes_are_created_at_start_up_and_survive_Marten_applying_its_schema_again()
    {
        var expected = AuditIndexes.All.Select(i => i.Name).Order().ToList();
        (await IndexNames()).ShouldBe(expected);

        // Marten drops indexes it does not know from the tables it migrates, unless told to ignore them.
        await api.Services.GetRequiredService<IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        (await IndexNames()).ShouldBe(expected);

        // `migrate` puts a missing one back.
        await using (var connection = new NpgsqlConnection(api.ConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop index {api.Schema}.{AuditIndexes.EventsByType.Name}", connection);
            await drop.ExecuteNonQueryAsync();
        }
        (await IndexNames()).ShouldBe([AuditIndexes.CommitmentStream.Name]);
        await StoreSetup.ApplySchemaAsync(api.Services.GetRequiredService<IDocumentStore>(), api.Services.GetRequiredService<StoreSettings>(), CancellationToken.None);
        (await IndexNames()).ShouldBe(expected);
    }
}
