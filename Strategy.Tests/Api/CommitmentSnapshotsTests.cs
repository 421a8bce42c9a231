using System.Net;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Reports;
using Strategy.Infrastructure.Store;

namespace Strategy.Tests.Api;

/// <summary>
/// A current report reads the views' stored JSON with its own reader (CommitmentSnapshots) instead of the serializer:
/// what it reads must be what Marten loads, member for member, for every kind of view.
/// </summary>
public sealed class CommitmentSnapshotsTests(FixedClockFactory api) : IClassFixture<FixedClockFactory>
{
    [Fact]
    public async Task Reads_each_view_as_Marten_loads_it()
    {
        var seeded = await ReportFixture.Seed(api, "SNAP");
        // What the fixture does not have: a description, values awaiting review (two on one commitment), a revised term.
        var secretariat = api.Secretariat();
        var revised = await secretariat.SendJson(HttpMethod.Patch, $"/api/commitments/{seeded.Ids["C01"]}",
            new { description = "Quarterly \"figures\", ünïcode and a\nnew line", target = 120.5, reason = "Agreed at the annual meeting" });
        revised.StatusCode.ShouldBe(HttpStatusCode.OK, await revised.Content.ReadAsStringAsync());
        var vn = api.FocalPoint("VN");
        foreach (var (value, asOf) in new[] { (55.25, "2026-04-01"), (56.0, "2026-05-01") })
        {
            var submitted = await vn.PostJson($"/api/commitments/{seeded.Ids["C03"]}/progress", new { value, asOf });
            submitted.StatusCode.ShouldBe(HttpStatusCode.OK, await submitted.Content.ReadAsStringAsync());
        }

        var store = api.Services.GetRequiredService<IDocumentStore>();
        var settings = api.Services.GetRequiredService<StoreSettings>();
        await using var session = store.QuerySession();
        var views = (await session.Query<CommitmentView>().Where(v => v.State.PlanCode == seeded.Plan).ToListAsync()).ToDictionary(v => v.Id);
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync();
        var read = await CommitmentSnapshots.ReadAsync(connection, settings.Schema, seeded.Plan, CancellationToken.None);

        read.Count.ShouldBe(ReportFixture.Codes.Length);
        read.Select(r => r.State.Code).ShouldBe(ReportFixture.Codes.Order(StringComparer.Ordinal));
        views.Values.ShouldContain(v => v.State.Description != null && v.State.Pending.Count == 0);
        views.Values.ShouldContain(v => v.State.Pending.Count == 2);
        views.Values.ShouldContain(v => v.State.Latest == null);
        views.Values.ShouldContain(v => v.State.Withdrawn);
        var serializer = store.Options.Serializer();
        foreach (var snapshot in read)
        {
            var view = views[snapshot.State.Id];
            // Records compare lists by reference, so each side is compared as the store writes it.
            serializer.ToJson(snapshot.State).ShouldBe(serializer.ToJson(view.State));
            snapshot.CreatedAt.ShouldBe(view.CreatedAt);
            snapshot.LastUpdatedAt.ShouldBe(view.LastUpdatedAt);
            snapshot.LastUpdatedAt.Offset.ShouldBe(view.LastUpdatedAt.Offset);
            snapshot.LastUpdatedBy.ShouldBe(view.LastUpdatedBy.Id);
        }
    }

    /// <summary>
    /// Views are copied into pooled buffers in batches and parsed batch by batch, with repeated texts shared: 1,200 copies
    /// of one view in a table of their own (the report's read takes the schema), with distinct codes given out of order,
    /// some of whose agencies are longer than the texts shared or escaped in the JSON, and some of whose descriptions
    /// are longer than a batch's buffer.
    /// </summary>
    [Fact]
    public async Task Views_read_in_many_batches_are_each_as_Marten_loads_them_in_code_order()
    {
        var seeded = await ReportFixture.Seed(api, "SNAPB");
        var settings = api.Services.GetRequiredService<StoreSettings>();
        var store = api.Services.GetRequiredService<IDocumentStore>();
        var schema = "snapshots_" + Guid.NewGuid().ToString("N")[..8];
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync();
        async Task Sql(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
        await Sql($"create schema {schema}; create table {schema}.mt_doc_commitmentview (like {settings.Schema}.mt_doc_commitmentview including all)");
        try
        {
            var longAgency = string.Concat(Enumerable.Repeat("Ministry of Natural Resources and Environment, ", 8));
            var longDescription = new string('d', 1_200_000);
            // Codes in reverse insertion order, so every batch needs sorting and the merge interleaves them.
            await Sql($$"""
                insert into {{schema}}.mt_doc_commitmentview (id, data, mt_version, {{CommitmentColumns.PlanCode}}, {{CommitmentColumns.Country}}, {{CommitmentColumns.Code}})
                select g.id, jsonb_set(jsonb_set(jsonb_set(jsonb_set(v.data, '{id}', to_jsonb(g.id::text)), '{state,id}', to_jsonb(g.id::text)),
                         '{state,code}', to_jsonb(g.code)),
                         '{state,leadAgency}', to_jsonb(case when g.n % 7 = 0 then '{{longAgency}}' || g.n when g.n % 5 = 0 then 'Agency "Ω" ' || (g.n % 3) else v.data->'state'->>'leadAgency' end)),
                       1, 'BATCH', v.{{CommitmentColumns.Country}}, g.code
                from (select data, {{CommitmentColumns.Country}} from {{settings.Schema}}.mt_doc_commitmentview where {{CommitmentColumns.PlanCode}} = '{{seeded.Plan}}' limit 1) v,
                     (select n, gen_random_uuid() as id, 'C-' || lpad((1200 - n)::text, 5, '0') as code from generate_series(1, 1200) n) g;
                update {{schema}}.mt_doc_commitmentview set data = jsonb_set(data, '{state,description}', to_jsonb('{{longDescription}}'::text))
                where {{CommitmentColumns.Code}} in ('C-00100', 'C-00500', 'C-00900')
                """);
            var stored = new Dictionary<string, string>();
            await using (var all = new NpgsqlCommand($"select {CommitmentColumns.Code}, data::text from {schema}.mt_doc_commitmentview", connection))
            await using (var reader = await all.ExecuteReaderAsync())
                while (await reader.ReadAsync()) stored[reader.GetString(0)] = reader.GetString(1);

            var read = await CommitmentSnapshots.ReadAsync(connection, schema, "BATCH", CancellationToken.None);

            read.Select(r => r.State.Code).ShouldBe(stored.Keys.Order(StringComparer.Ordinal));
            read.ShouldContain(r => r.State.LeadAgency.StartsWith(longAgency));
            read.ShouldContain(r => r.State.LeadAgency == "Agency \"Ω\" 1");
            read.Count(r => r.State.Description == longDescription).ShouldBe(3);
            var serializer = store.Options.Serializer();
            foreach (var snapshot in read)
            {
                var view = serializer.FromJson<CommitmentView>(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(stored[snapshot.State.Code])));
                serializer.ToJson(snapshot.State).ShouldBe(serializer.ToJson(view.State));
                snapshot.LastUpdatedAt.ShouldBe(view.LastUpdatedAt);
                snapshot.LastUpdatedBy.ShouldBe(view.LastUpdatedBy.Id);
            }
        }
        finally
        {
            await Sql($"drop schema {schema} cascade");
        }
    }

    [Fact]
    public void A_view_without_a_member_the_summary_needs_is_refused_not_read_as_a_default()
    {
        var json = """{"id":"6f1c1f0e-5d5e-4f7c-9a51-0c8f2b1d2e3f","state":{"code":"KH-1"},"createdAt":"2026-01-01T00:00:00+00:00"}"""u8.ToArray();
        Should.Throw<InvalidDataException>(() => CommitmentSnapshots.Parse(json));
    }
}
