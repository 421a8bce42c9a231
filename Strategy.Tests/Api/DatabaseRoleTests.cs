using System.Net;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Strategy.Infrastructure.Evidence;
using Strategy.Infrastructure.Store;
using static Strategy.Tests.Api.AuditSupport;

namespace Strategy.Tests.Api;

/// <summary>
/// The least-privilege role of deploy/app-role.sql (applied by <see cref="DatabaseRoles.GrantAppRoleAsync"/>): stored
/// events cannot be changed through it, and the whole service (writes, reads, the async daemon) runs as it.
/// </summary>
public sealed class DatabaseRoleTests
{
    private static string AsRole(string connectionString, string role, string password) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Username = role, Password = password }.ToString();

    private static async Task DropRole(string role)
    {
        NpgsqlConnection.ClearAllPools();
        await Sql($"drop owned by \"{role}\"");
        await Sql($"drop role \"{role}\"");
    }

    private static async Task<PostgresException> Refused(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var refused = await Should.ThrowAsync<PostgresException>(() => command.ExecuteNonQueryAsync(), sql);
        return refused;
    }

    [Fact]
    public async Task The_app_role_reads_events_but_cannot_update_delete_or_truncate_them()
    {
        var owner = new ApiFactory();
        await owner.InitializeAsync();
        var role = "strategy_app_" + owner.Schema;
        var password = "pw-" + Guid.NewGuid().ToString("N");
        try
        {
            await ChainHistory.Write(owner, "ROLE");
            await DatabaseRoles.GrantAppRoleAsync(owner.ConnectionString, owner.Schema, role, password);
            var count = await owner.EventCount();
            var some = (await StoredSequences(owner))[2];

            await using (var connection = new NpgsqlConnection(AsRole(owner.ConnectionString, role, password)))
            {
                await connection.OpenAsync();
                await using (var who = new NpgsqlCommand("select current_user", connection))
                    ((string)(await who.ExecuteScalarAsync())!).ShouldBe(role);
                await using (var read = new NpgsqlCommand($"select count(*) from {owner.Schema}.mt_events", connection))
                    ((long)(await read.ExecuteScalarAsync())!).ShouldBe(count);

                var events = $"{owner.Schema}.mt_events";
                (await Refused(connection, $"update {events} set data = jsonb_set(data, '{{title}}', '\"tampered\"') where seq_id = {some}"))
                    .SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
                (await Refused(connection, $"update {events} set user_name = 'someone-else'")).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
                (await Refused(connection, $"delete from {events} where seq_id = {some}")).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
                (await Refused(connection, $"delete from {events}")).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
                (await Refused(connection, $"truncate {events}")).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
                // Nor around the grants: not the table's owner, so no dropping it or its rows through the streams' cascade.
                (await Refused(connection, $"drop table {events}")).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
                (await Refused(connection, $"alter table {events} disable trigger all")).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
                (await Refused(connection, $"truncate {owner.Schema}.mt_streams cascade")).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
                (await Refused(connection, $"delete from {owner.Schema}.mt_streams")).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
                // Nor the evidence files, whose SHA-256 the events record.
                var files = $"{owner.Schema}.{EvidenceStore.TableName}";
                (await Refused(connection, $"update {files} set content = '\\x00'::bytea")).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
                (await Refused(connection, $"delete from {files}")).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
                (await Refused(connection, $"truncate {files}")).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
            }

            (await owner.EventCount()).ShouldBe(count);
            await ChainHistory.ShouldBeIntact(owner);
        }
        finally
        {
            await owner.DisposeAsync();
            await DropRole(role);
        }
    }

    [Fact]
    public async Task The_service_runs_as_the_app_role_writing_reading_and_chaining_events()
    {
        // The owner's host runs no daemon, so the app role's host (a second host on the schema) runs it.
        var owner = new OwnerWithoutDaemonFactory();
        await owner.InitializeAsync();
        var role = "strategy_app_" + owner.Schema;
        var password = "pw-" + Guid.NewGuid().ToString("N");
        SecondHostFactory? app = null;
        try
        {
            await ChainHistory.Write(owner, "ROLE");
            await DatabaseRoles.GrantAppRoleAsync(owner.ConnectionString, owner.Schema, role, password);

            app = new SecondHostFactory(owner.Schema, AsRole(owner.ConnectionString, role, password));
            await app.InitializeAsync();
            app.Services.GetRequiredService<StoreSettings>().ConnectionString.ShouldContain($"Username={role}");

            // Read what the owner's host wrote, then change it.
            var listed = await app.Reviewer().GetAsync("/api/plans/ROLE/commitments?country=KH");
            listed.StatusCode.ShouldBe(HttpStatusCode.OK, await listed.Content.ReadAsStringAsync());
            var kh = (await listed.Json()).EnumerateArray().ShouldHaveSingleItem().GetProperty("id").GetGuid();
            var fp = app.FocalPoint("KH");
            var changed = await fp.PostJson($"/api/commitments/{kh}/status", new { status = "on-hold", note = "Written as the app role" });
            changed.StatusCode.ShouldBe(HttpStatusCode.OK, await changed.Content.ReadAsStringAsync());

            // A new stream, and a write with an idempotency record committed in the same transaction.
            var made = await fp.PostJson("/api/plans/ROLE/commitments", TestPlan.Commitment("KH", "G2.O1", indicator: null, target: null), idempotencyKey: "role-" + Guid.NewGuid());
            made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
            var madeId = (await made.Json()).GetProperty("id").GetGuid();

            // Evidence: the role inserts a file's row, and the same bytes again insert nothing (no update needed).
            foreach (var name in new[] { "minutes.pdf", "minutes-copy.pdf" })
            {
                var uploaded = await fp.PostAsync($"/api/commitments/{kh}/evidence", EvidenceTests.Form(Domain.EvidenceTypeSpecs.Pdf(), name));
                uploaded.StatusCode.ShouldBe(HttpStatusCode.Created, await uploaded.Content.ReadAsStringAsync());
                (await (await app.Reviewer().GetAsync(uploaded.Headers.Location)).Content.ReadAsByteArrayAsync()).ShouldBe(Domain.EvidenceTypeSpecs.Pdf());
            }

            var read = await app.Reviewer().GetAsync($"/api/commitments/{kh}");
            read.StatusCode.ShouldBe(HttpStatusCode.OK);
            var body = await read.Json();
            body.GetProperty("status").GetString().ShouldBe("on-hold");
            body.GetProperty("lastUpdatedBy").GetProperty("id").GetString().ShouldBe("fp-kh");
            (await app.Reviewer().GetAsync($"/api/commitments/{madeId}")).StatusCode.ShouldBe(HttpStatusCode.OK);

            // The app role's host is the only one running the daemon: the chain over every event is its work.
            await app.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
            var verified = await ChainHistory.Verify(app);
            var text = verified.GetRawText();
            verified.GetProperty("valid").GetBoolean().ShouldBeTrue(text);
            verified.GetProperty("eventsChecked").GetInt64().ShouldBe(await owner.EventCount(), text);
            verified.GetProperty("eventsPending").GetInt64().ShouldBe(0, text);

            var log = await Walk(app.Reviewer(), $"plan=ROLE&country=KH&type=commitment-status-changed", 100);
            log.Select(e => e.GetProperty("note").GetString()).ShouldContain("Written as the app role");
        }
        finally
        {
            if (app is not null) await app.DisposeAsync();
            await owner.DisposeAsync();
            await DropRole(role);
        }
    }
}
