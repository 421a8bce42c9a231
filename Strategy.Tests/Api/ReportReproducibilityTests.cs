using System.Net;
using System.Text.Json;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Strategy.Infrastructure.Audit;

namespace Strategy.Tests.Api;

/// <summary>
/// A report is a function of its request and the events it saw: the same request over the same events gives the
/// same contentHash (and eventSequence and chainHash); one more change gives another; asOf an instant before that
/// change gives the earlier hash again. The chainHash is the audit chain's hash after the report's eventSequence.
/// </summary>
public sealed class ReportReproducibilityTests(FixedClockFactory api) : IClassFixture<FixedClockFactory>
{
    private sealed record Run(Guid Id, string Hash, long Sequence, string Chain, DateTimeOffset CompletedAt, string Json);

    private async Task<Run> Generate(HttpClient client, object body)
    {
        var (id, status, _) = await ReportFixture.Generate(client, body);
        var json = await (await client.GetAsync($"/api/reports/{id}/content")).Content.ReadAsStringAsync();
        return new Run(id, status.S("contentHash")!, status.P("eventSequence").GetInt64(), status.S("chainHash")!,
            status.P("completedAt").GetDateTimeOffset(), json);
    }

    private async Task<JsonElement> Commitment(Guid id) => await (await api.Reviewer().GetAsync($"/api/commitments/{id}")).Json();

    [Fact]
    public async Task Same_request_same_hash_one_more_change_another_and_asOf_before_the_change_the_first_again()
    {
        var f = await ReportFixture.Seed(api);
        // A report as of an instant is evaluated on that instant's date, and the instants here are those of stored events,
        // which carry the real time: so the reports as of now must be evaluated by the real clock too, or the two would
        // differ by their dates. This test compares reports with each other and asserts no figure that depends on the date.
        api.Clock.RunReal();
        var secretariat = api.Secretariat();
        var progress = new { kind = "progress", plan = f.Plan };
        var sdg = new { kind = "sdg-alignment", plan = f.Plan };

        // Twice over the same events: byte-identical content, so the same hash, sequence and chain hash.
        var first = await Generate(secretariat, progress);
        var again = await Generate(secretariat, progress);
        again.Id.ShouldNotBe(first.Id);
        again.Json.ShouldBe(first.Json);
        (again.Hash, again.Sequence, again.Chain).ShouldBe((first.Hash, first.Sequence, first.Chain));
        var firstSdg = await Generate(secretariat, sdg);
        var againSdg = await Generate(api.As("admin", sub: "adm-2"), sdg); // who asks is not part of the content
        (againSdg.Hash, againSdg.Sequence, againSdg.Chain).ShouldBe((firstSdg.Hash, firstSdg.Sequence, firstSdg.Chain));
        firstSdg.Hash.ShouldNotBe(first.Hash);
        firstSdg.Sequence.ShouldBe(first.Sequence); // report runs are not events the reports count

        // The last fixture event (C07's withdrawal) and the instants around it, taken from the API.
        var lastFixtureEvent = (await Commitment(f.Ids["C07"])).P("lastUpdatedAt").GetDateTimeOffset();
        var c03Before = (await Commitment(f.Ids["C03"])).P("lastUpdatedAt").GetDateTimeOffset();
        lastFixtureEvent.ShouldBeLessThan(first.CompletedAt);

        // One more status change: another hash, a later sequence, another chain hash.
        (await secretariat.PostJson($"/api/commitments/{f.Ids["C03"]}/status", new { status = "in-progress" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var changedAt = (await Commitment(f.Ids["C03"])).P("lastUpdatedAt").GetDateTimeOffset();
        changedAt.ShouldBeGreaterThan(first.CompletedAt);
        c03Before.ShouldBeLessThan(changedAt);
        var second = await Generate(secretariat, progress);
        second.Hash.ShouldNotBe(first.Hash);
        second.Sequence.ShouldBeGreaterThan(first.Sequence);
        second.Chain.ShouldNotBe(first.Chain);
        var secondSdg = await Generate(secretariat, sdg);
        secondSdg.Sequence.ShouldBe(second.Sequence);
        secondSdg.Chain.ShouldBe(second.Chain);
        // (The SDG report shows no statuses: C03 stays off-track, so its content may well not change; its basis does.)
        secondSdg.Hash.ShouldNotBe(firstSdg.Hash);

        // As of an instant between the first report and the change: the first report again, byte for byte.
        var asOfFirst = await Generate(secretariat, new { kind = "progress", plan = f.Plan, asOf = first.CompletedAt });
        asOfFirst.Json.ShouldBe(first.Json);
        (asOfFirst.Hash, asOfFirst.Sequence, asOfFirst.Chain).ShouldBe((first.Hash, first.Sequence, first.Chain));
        // The same instant written with another offset is the same request.
        var asOfBangkok = await Generate(secretariat, new { kind = "progress", plan = f.Plan, asOf = first.CompletedAt.ToOffset(TimeSpan.FromHours(7)) });
        (asOfBangkok.Hash, asOfBangkok.Sequence, asOfBangkok.Chain).ShouldBe((first.Hash, first.Sequence, first.Chain));
        // ...and the run shows the instant it was asked for in UTC, whatever offset the request used.
        var bangkokRun = await (await secretariat.GetAsync($"/api/reports/{asOfBangkok.Id}")).Json();
        var shownAsOf = bangkokRun.P("asOf").GetDateTimeOffset();
        (shownAsOf, shownAsOf.Offset).ShouldBe((first.CompletedAt, TimeSpan.Zero));
        var asOfSdg = await Generate(secretariat, new { kind = "sdg-alignment", plan = f.Plan, asOf = first.CompletedAt });
        (asOfSdg.Hash, asOfSdg.Sequence, asOfSdg.Chain).ShouldBe((firstSdg.Hash, firstSdg.Sequence, firstSdg.Chain));
        // As of the very instant of the last fixture event: it is included, so still the first report.
        var atLast = await Generate(secretariat, new { kind = "progress", plan = f.Plan, asOf = lastFixtureEvent });
        (atLast.Hash, atLast.Sequence, atLast.Chain).ShouldBe((first.Hash, first.Sequence, first.Chain));
        // As of the moment of the change itself and after it: the second report's basis.
        var atChange = await Generate(secretariat, new { kind = "sdg-alignment", plan = f.Plan, asOf = changedAt });
        (atChange.Hash, atChange.Sequence, atChange.Chain).ShouldBe((secondSdg.Hash, secondSdg.Sequence, secondSdg.Chain));

        // One microsecond before the withdrawal, C07 is still in the plan: an earlier sequence and another hash.
        var beforeWithdrawal = await Generate(secretariat, new { kind = "sdg-alignment", plan = f.Plan, asOf = lastFixtureEvent.AddTicks(-10) });
        beforeWithdrawal.Sequence.ShouldBeLessThan(first.Sequence);
        beforeWithdrawal.Hash.ShouldNotBe(firstSdg.Hash);
        // (C07, KH's PM2.5 commitment, still counts: 3.9 and 11.6 then miss only VN.)
        var content = JsonDocument.Parse(beforeWithdrawal.Json).RootElement;
        content.A("gaps").Select(g => (g.S("target"), string.Join(",", g.A("missingCountries").Select(x => x.GetString()))))
            .ShouldBe([("3.9", "VN"), ("6.3", "TH"), ("11.6", "VN")]);
    }

    [Fact]
    public async Task The_chain_hash_is_the_audit_chain_after_the_report_sequence()
    {
        var f = await ReportFixture.Seed(api);
        var secretariat = api.Secretariat();
        var first = await Generate(secretariat, new { kind = "progress", plan = f.Plan });
        (await secretariat.PostJson($"/api/commitments/{f.Ids["C06"]}/status", new { status = "in-progress" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var second = await Generate(secretariat, new { kind = "sdg-alignment", plan = f.Plan });
        second.Sequence.ShouldBeGreaterThan(first.Sequence);

        // Recomputed from the genesis hash over the stored events, as GET /api/audit/verify does:
        // h(n) = SHA-256(h(n-1) || canonical(event n)).
        (await ChainFromGenesis(first.Sequence)).ShouldBe(first.Chain);
        (await ChainFromGenesis(second.Sequence)).ShouldBe(second.Chain);

        // And the links the audit projection stored once the daemon has chained the log, which verify checks.
        await api.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromMinutes(3));
        var verify = await (await api.Reviewer().GetAsync("/api/audit/verify")).Json();
        verify.P("valid").GetBoolean().ShouldBeTrue(verify.GetRawText());
        verify.P("lastSequence").GetInt64().ShouldBeGreaterThanOrEqualTo(second.Sequence);
        (await StoredLink(first.Sequence)).ShouldBe(first.Chain);
        (await StoredLink(second.Sequence)).ShouldBe(second.Chain);

        // A report made now, after the daemon has caught up, reads the stored link and agrees.
        var third = await Generate(secretariat, new { kind = "sdg-alignment", plan = f.Plan });
        (third.Hash, third.Sequence, third.Chain).ShouldBe((second.Hash, second.Sequence, second.Chain));
    }

    private async Task<string> ChainFromGenesis(long upTo)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(AuditHash.Sql(api.Schema, "e.seq_id <= @seq"), connection);
        command.Parameters.AddWithValue("seq", upTo);
        await using var reader = await command.ExecuteReaderAsync();
        var hash = AuditHash.Genesis;
        long last = 0;
        while (await reader.ReadAsync())
        {
            hash = AuditHash.Next(hash, AuditHash.Canonical(reader));
            last = reader.GetInt64(0);
        }
        last.ShouldBe(upTo);
        return hash;
    }

    private async Task<string?> StoredLink(long sequence)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select data->>'hash' from {api.Schema}.mt_doc_auditlink where id = @seq", connection);
        command.Parameters.AddWithValue("seq", sequence);
        return (string?)await command.ExecuteScalarAsync();
    }
}
