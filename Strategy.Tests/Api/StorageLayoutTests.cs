using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Reports;
using Strategy.Infrastructure.Store;

namespace Strategy.Tests.Api;

/// <summary>
/// What the service keeps beside Marten's own schema: the audit log's indexes on Marten's tables, and report contents
/// as bytes in a table of their own (with the contents of older reports still served from their Marten documents).
/// </summary>
public sealed class StorageLayoutTests(FixedClockFactory api) : IClassFixture<FixedClockFactory>
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

    private async Task<string> ContentCompression()
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select attcompression::text from pg_attribute where attrelid = to_regclass(@table) and attname = 'json'", connection);
        command.Parameters.AddWithValue("table", $"{api.Schema}.{ReportContentStore.TableName}");
        return (string)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Report_contents_are_compressed_with_lz4_from_start_up_and_migrate_sets_it_again()
    {
        // The test server is built with lz4 (PostgreSQL 15, Debian), so the schema step must have chosen it.
        (await ContentCompression()).ShouldBe("l");

        await using (var connection = new NpgsqlConnection(api.ConnectionString))
        {
            await connection.OpenAsync();
            await using var reset = new NpgsqlCommand($"alter table {api.Schema}.{ReportContentStore.TableName} alter column json set compression default", connection);
            await reset.ExecuteNonQueryAsync();
        }
        (await ContentCompression()).ShouldBe("");
        await StoreSetup.ApplySchemaAsync(api.Services.GetRequiredService<IDocumentStore>(), api.Services.GetRequiredService<StoreSettings>(), CancellationToken.None);
        (await ContentCompression()).ShouldBe("l");
    }

    [Fact]
    public async Task A_report_content_is_stored_as_the_bytes_it_was_hashed_from_and_older_reports_are_served_from_their_documents()
    {
        var f = await ReportFixture.Seed(api);
        var secretariat = api.Secretariat();
        var id = await ReportFixture.Request(secretariat, new { kind = "progress", plan = f.Plan });
        var status = await ReportFixture.Succeeded(secretariat, id);
        var served = await (await secretariat.GetAsync($"/api/reports/{id}/content?format=json")).Content.ReadAsByteArrayAsync();
        var servedCsv = await (await secretariat.GetAsync($"/api/reports/{id}/content?format=csv")).Content.ReadAsStringAsync();
        servedCsv.ShouldNotBeEmpty();

        byte[] stored;
        await using (var connection = new NpgsqlConnection(api.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"select json from {api.Schema}.{ReportContentStore.TableName} where id = @id", connection);
            command.Parameters.AddWithValue("id", id);
            stored = (byte[])(await command.ExecuteScalarAsync())!;
        }
        stored.ShouldBe(served);
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stored)).ShouldBe(status.S("contentHash"));

        (await (await secretariat.GetAsync($"/api/reports/{id}/content?format=json")).Content.ReadAsByteArrayAsync()).ShouldBe(served);
        (await (await secretariat.GetAsync($"/api/reports/{id}/content?format=csv")).Content.ReadAsStringAsync()).ShouldBe(servedCsv);
    }
}
