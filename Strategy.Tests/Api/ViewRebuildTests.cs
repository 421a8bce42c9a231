using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;

namespace Strategy.Tests.Api;

/// <summary>
/// The `rebuild` command's view rebuild reads the commitment events with its own query and folds them with the
/// projection's Apply: the views it writes must be exactly the ones the inline projection wrote as the events happened.
/// </summary>
public sealed class ViewRebuildTests(FixedClockFactory api) : IClassFixture<FixedClockFactory>
{
    private Task<List<(Guid Id, string Data)>> Views() => Documents("mt_doc_commitmentview");

    private async Task<List<(Guid Id, string Data)>> Documents(string table)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select id, data::text from {api.Schema}.{table} order by id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var views = new List<(Guid, string)>();
        while (await reader.ReadAsync()) views.Add((reader.GetGuid(0), reader.GetString(1)));
        return views;
    }

    private async Task<long> Scalar(string sql)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Rebuilt_views_write_models_and_values_equal_the_inline_ones_after_they_were_damaged()
    {
        // Status changes, values submitted, accepted and returned, a revision and a withdrawal, by focal points and the secretariat.
        await ReportFixture.Seed(api, "RBD");
        var inline = await Views();
        var states = await Documents("mt_doc_commitment");
        var values = await Documents("mt_doc_valueview");
        inline.Count.ShouldBeGreaterThan(5);
        states.Count.ShouldBe(inline.Count);
        values.Count.ShouldBeGreaterThan(5);

        // Damage every view, write model and value, and lose one of each.
        await Scalar($"with d as (update {api.Schema}.mt_doc_commitmentview set data = jsonb_set(data, '{{state,title}}', '\"damaged\"') returning 1) select count(*) from d");
        await Scalar($"with d as (update {api.Schema}.mt_doc_commitment set data = jsonb_set(data, '{{status}}', '\"cancelled\"') returning 1) select count(*) from d");
        await Scalar($"with d as (update {api.Schema}.mt_doc_valueview set data = jsonb_set(data, '{{state}}', '\"voided\"') returning 1) select count(*) from d");
        await Scalar($"with d as (delete from {api.Schema}.mt_doc_commitmentview where id = '{inline[0].Id}' returning 1) select count(*) from d");
        await Scalar($"with d as (delete from {api.Schema}.mt_doc_commitment where id = '{states[0].Id}' returning 1) select count(*) from d");
        await Scalar($"with d as (delete from {api.Schema}.mt_doc_valueview where id = '{values[0].Id}' returning 1) select count(*) from d");

        var result = await ViewRebuild.CommitmentViewsAsync(api.Services.GetRequiredService<IDocumentStore>(), api.Services.GetRequiredService<StoreSettings>(), CancellationToken.None);

        (await Views()).ShouldBe(inline);
        (await Documents("mt_doc_commitment")).ShouldBe(states);
        (await Documents("mt_doc_valueview")).ShouldBe(values);
        result.Documents.ShouldBe(inline.Count);
        result.Events.ShouldBe(await Scalar($"select count(*) from {api.Schema}.mt_events e join {api.Schema}.mt_streams s on s.id = e.stream_id where s.type = 'commitment'"));
    }
}
