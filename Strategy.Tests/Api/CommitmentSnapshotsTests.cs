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

    [Fact]
    public void A_view_without_a_member_the_summary_needs_is_refused_not_read_as_a_default()
    {
        var json = """{"id":"6f1c1f0e-5d5e-4f7c-9a51-0c8f2b1d2e3f","state":{"code":"KH-1"},"createdAt":"2026-01-01T00:00:00+00:00"}"""u8.ToArray();
        Should.Throw<InvalidDataException>(() => CommitmentSnapshots.Parse(json));
    }
}
