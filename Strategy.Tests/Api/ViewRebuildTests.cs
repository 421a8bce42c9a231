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
public sealed class ViewRebuildTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private async Task<List<(Guid Id, string Data)>> Views()
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select id, data::text from {api.Schema}.mt_doc_commitmentview order by id", connection);
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
    public async Task Rebuilt_views_equal_the_inline_ones_after_they_were_damaged()
    {
        // Status changes, progress, a revision and a withdrawal, by focal points and the secretariat.
        await ReportFixture.Seed(api, "RBD");
        var inline = await Views();
        inline.Count.ShouldBeGreaterThan(5);

        // Damage every view and lose one.
        await Scalar($"with d as (update {api.Schema}.mt_doc_commitmentview set data = jsonb_set(data, '{{state,title}}', '\"damaged\"') returning 1) select count(*) from d");
        await Scalar($"with d as (delete from {api.Schema}.mt_doc_commitmentview where id = '{inline[0].Id}' returning 1) select count(*) from d");

        var result = await ViewRebuild.CommitmentViewsAsync(api.Services.GetRequiredService<IDocumentStore>(), api.Services.GetRequiredService<StoreSettings>(), CancellationToken.None);

        var rebuilt = await Views();
        rebuilt.ShouldBe(inline);
        result.Documents.ShouldBe(inline.Count);
        result.Events.ShouldBe(await Scalar($"select count(*) from {api.Schema}.mt_events e join {api.Schema}.mt_streams s on s.id = e.stream_id where s.type = 'commitment_view'"));
    }

    [Fact]
    public async Task Value_histories_are_stored_as_pairs_and_views_stored_with_objects_read_the_same()
    {
        var f = await ReportFixture.Seed(api, "VHF");
        var reviewer = api.Reviewer();
        var measured = await Scalar($"select count(*) from {api.Schema}.mt_doc_commitmentview where jsonb_array_length(data->'state'->'values') >= 2");
        measured.ShouldBeGreaterThan(0);
        (await Scalar($"select count(*) from {api.Schema}.mt_doc_commitmentview v, jsonb_array_elements(v.data->'state'->'values') m where jsonb_typeof(m) <> 'array'")).ShouldBe(0);

        var stored = await Views();
        var before = new Dictionary<Guid, string>();
        foreach (var id in f.Ids.Values) before[id] = await (await reviewer.GetAsync($"/api/commitments/{id}")).Content.ReadAsStringAsync();

        // The form views were stored in before: {"asOf": ..., "value": ...}.
        (await Scalar($"with d as (update {api.Schema}.mt_doc_commitmentview set data = jsonb_set(data, '{{state,values}}', " +
            "(select coalesce(jsonb_agg(jsonb_build_object('asOf', m->0, 'value', m->1)), '[]'::jsonb) from jsonb_array_elements(data->'state'->'values') m)) " +
            "returning 1) select count(*) from d")).ShouldBe(f.Ids.Count);
        (await Scalar($"select count(*) from {api.Schema}.mt_doc_commitmentview v, jsonb_array_elements(v.data->'state'->'values') m where jsonb_typeof(m) = 'object'")).ShouldBeGreaterThan(measured);

        foreach (var id in f.Ids.Values) (await (await reviewer.GetAsync($"/api/commitments/{id}")).Content.ReadAsStringAsync()).ShouldBe(before[id]);

        // A rebuild writes them as pairs again (and leaves the views as the other tests of this class expect them).
        await ViewRebuild.CommitmentViewsAsync(api.Services.GetRequiredService<IDocumentStore>(), api.Services.GetRequiredService<StoreSettings>(), CancellationToken.None);
        (await Views()).ShouldBe(stored);
    }
}
