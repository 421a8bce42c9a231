using System.Net;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Strategy.Infrastructure.Audit;
using Strategy.Infrastructure.Evidence;
using Strategy.Infrastructure.Store;
using static Strategy.Tests.Api.AuditSupport;

namespace Strategy.Tests.Api;

/// <summary>
/// The least-privilege role of deploy/app-role.sql (applied by <see cref="DatabaseRoles.GrantAppRoleAsync"/>): stored
/// events cannot be changed through it, nor events appended with a timestamp off the database's clock or a sequence number
/// of its choosing, and the whole service (writes, reads, the async daemon) runs as it.
/// </summary>
public sealed class DatabaseRoleTests
{
    private static string AsRole(string connectionString, string role, string password) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Username = role, Password = password }.ToString();

    /// <summary>An owner's host with some history written and the app role granted on its schema; dropped on dispose.</summary>
    private sealed class AppRoleDatabase(ApiFactory owner) : IAsyncDisposable
    {
        public ApiFactory Owner { get; } = owner;
        public string Role { get; } = "strategy_app_" + owner.Schema;
        public string AppConnectionString => AsRole(Owner.ConnectionString, Role, password);
        private readonly string password = "pw-" + Guid.NewGuid().ToString("N");

        public static async Task<AppRoleDatabase> Start(ApiFactory owner)
        {
            var database = new AppRoleDatabase(owner);
            try
            {
                await owner.InitializeAsync();
                await ChainHistory.Write(owner, "ROLE");
                await database.Grant();
                return database;
            }
            catch (Exception failure)
            {
                // Clean up what was made, but report why the start failed.
                try { await database.DisposeAsync(); }
                catch (Exception cleanup) { throw new AggregateException(failure, cleanup); }
                throw;
            }
        }

        public Task Grant() => DatabaseRoles.GrantAppRoleAsync(Owner.ConnectionString, Owner.Schema, Role, password);

        public async Task<NpgsqlConnection> OpenAsAppRole()
        {
            var connection = new NpgsqlConnection(AppConnectionString);
            await connection.OpenAsync();
            return connection;
        }

        public async ValueTask DisposeAsync()
        {
            await Owner.DisposeAsync();
            NpgsqlConnection.ClearAllPools();
            // The role may not exist yet if the start failed.
            await Sql($"do $$ begin if exists (select from pg_roles where rolname = '{Role}') then " +
                      $"drop owned by \"{Role}\"; drop role \"{Role}\"; end if; end $$");
        }
    }

    private static async Task<PostgresException> Refused(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var refused = await Should.ThrowAsync<PostgresException>(() => command.ExecuteNonQueryAsync(), sql);
        return refused;
    }

    /// <summary>Runs an insert of one row that must succeed, then rolls it back.</summary>
    private static async Task InsertsOneRow(NpgsqlConnection connection, string sql)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        (await command.ExecuteNonQueryAsync()).ShouldBe(1, sql);
        await transaction.RollbackAsync();
    }

    /// <summary>
    /// An insert of a copy of stored event <paramref name="copied"/> as someone else (another user and headers), on its
    /// stream beyond its last version, with the given sequence and timestamp expressions.
    /// </summary>
    private static string Forged(string schema, long copied, string sequence, string timestamp) =>
        $"insert into {schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name) " +
        $"select {sequence}, gen_random_uuid(), stream_id, version + 1000, data, type, {timestamp}, tenant_id, mt_dotnet_type, " +
        $"'{{\"actor-name\": \"Someone Else\"}}'::jsonb, 'fp-kh' from {schema}.mt_events where seq_id = {copied}";

    [Fact]
    public async Task The_app_role_reads_events_but_cannot_update_delete_or_truncate_them()
    {
        await using var database = await AppRoleDatabase.Start(new ApiFactory());
        var owner = database.Owner;
        var role = database.Role;
        var count = await owner.EventCount();
        var some = (await StoredSequences(owner))[2];

        await using (var connection = await database.OpenAsAppRole())
        {
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

    [Fact]
    public async Task The_app_role_cannot_append_an_event_dated_outside_the_tolerance_of_the_database_clock()
    {
        await using var database = await AppRoleDatabase.Start(new ApiFactory());
        var schema = database.Owner.Schema;
        var count = await database.Owner.EventCount();
        var copied = (await StoredSequences(database.Owner))[2];
        var next = $"nextval('{schema}.mt_events_sequence')";
        var tolerance = (int)AuditClock.Tolerance.TotalSeconds;

        await using (var connection = await database.OpenAsAppRole())
        {
            // A fresh sequence number each time: only the timestamp is wrong.
            foreach (var timestamp in new[]
                     {
                         "clock_timestamp() - interval '1 hour'", "clock_timestamp() + interval '1 hour'",
                         $"clock_timestamp() - interval '{tolerance + 1} seconds'", $"clock_timestamp() + interval '{tolerance + 1} seconds'",
                     })
            {
                var refused = await Refused(connection, Forged(schema, copied, next, timestamp));
                refused.SqlState.ShouldBe(DatabaseRoles.EventTimestampRefused, timestamp);
                refused.MessageText.ShouldContain($"more than {tolerance} s from the database clock");
            }

            // Within the tolerance (writers stamp events just before they append them) it is an ordinary append.
            await InsertsOneRow(connection, Forged(schema, copied, next, $"clock_timestamp() - interval '{tolerance - 1} seconds'"));
            await InsertsOneRow(connection, Forged(schema, copied, next, "clock_timestamp()"));

            // Nor around the guard: only the owner or a superuser may switch triggers off.
            (await Refused(connection, "set session_replication_role = replica")).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
            (await Refused(connection, $"alter table {schema}.mt_events disable trigger app_event_guard")).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
            (await Refused(connection, $"drop function {schema}.app_event_guard() cascade")).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);

            // Applying the role again (after each migration) leaves one guard, which still refuses.
            await database.Grant();
            (await SqlScalar<long>($"select count(*) from pg_trigger where tgrelid = '{schema}.mt_events'::regclass and not tgisinternal")).ShouldBe(1);
            (await Refused(connection, Forged(schema, copied, next, "clock_timestamp() - interval '1 hour'"))).SqlState.ShouldBe(DatabaseRoles.EventTimestampRefused);
        }
        (await database.Owner.EventCount()).ShouldBe(count);

        // The owner is not bound by it: bench/sql/history.sql writes backdated history with chosen sequences as the owner.
        await using (var asOwner = new NpgsqlConnection(database.Owner.ConnectionString))
        {
            await asOwner.OpenAsync();
            await InsertsOneRow(asOwner, Forged(schema, copied, "1000000", "clock_timestamp() - interval '1 year'"));
        }
    }

    [Fact]
    public async Task The_app_role_cannot_choose_an_events_sequence_number_nor_set_the_sequence()
    {
        await using var database = await AppRoleDatabase.Start(new ApiFactory());
        var schema = database.Owner.Schema;
        var sequence = $"{schema}.mt_events_sequence";
        var count = await database.Owner.EventCount();
        var stored = await StoredSequences(database.Owner);
        var copied = stored[2];

        await using (var connection = await database.OpenAsAppRole())
        {
            // A session that has drawn no number may not name one.
            var refused = await Refused(connection, Forged(schema, copied, $"{stored[^1] + 1}", "clock_timestamp()"));
            refused.SqlState.ShouldBe(DatabaseRoles.EventSequenceRefused);
            refused.MessageText.ShouldContain("is not the one this session just drew");

            // Having drawn one, it may use only that one: not one ahead (a writer's yet to come), not one behind (a gap the
            // chain has passed over, or a number taken).
            await using (var draw = new NpgsqlCommand($"select nextval('{sequence}')", connection))
            {
                var drawn = (long)(await draw.ExecuteScalarAsync())!;
                foreach (var chosen in new[] { drawn + 1, drawn + 1000, drawn - 1, 0 })
                    (await Refused(connection, Forged(schema, copied, $"{chosen}", "clock_timestamp()"))).SqlState.ShouldBe(DatabaseRoles.EventSequenceRefused, $"{chosen}");
                await InsertsOneRow(connection, Forged(schema, copied, $"{drawn}", "clock_timestamp()"));
            }

            // Nor move the sequence to make a number come round: setval needs UPDATE, ALTER SEQUENCE ownership.
            var last = await SqlScalar<long>($"select last_value from {sequence}");
            (await Refused(connection, $"select setval('{sequence}', 1)")).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
            (await Refused(connection, $"select setval('{sequence}', {last + 1000})")).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
            (await Refused(connection, $"alter sequence {sequence} restart with 1")).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
            (await SqlScalar<long>($"select last_value from {sequence}")).ShouldBe(last);
        }
        (await database.Owner.EventCount()).ShouldBe(count);
    }

    [Fact]
    public async Task The_app_role_leaves_the_report_contents_compression_to_migrate_instead_of_failing_to_start()
    {
        await using var database = await AppRoleDatabase.Start(new OwnerWithoutDaemonFactory());
        var table = $"{database.Owner.Schema}.{Strategy.Infrastructure.Reports.ReportContentStore.TableName}";
        var compression = $"select attcompression::text from pg_attribute where attrelid = '{table}'::regclass and attname = 'json'";
        await Sql($"alter table {table} alter column json set compression default");

        await Strategy.Infrastructure.Reports.ReportContentStore.EnsureCompressionAsync(database.AppConnectionString, database.Owner.Schema, CancellationToken.None);
        (await SqlScalar<string>(compression)).ShouldBe("");

        await Strategy.Infrastructure.Reports.ReportContentStore.EnsureCompressionAsync(database.Owner.ConnectionString, database.Owner.Schema, CancellationToken.None);
        (await SqlScalar<string>(compression)).ShouldBe("l");
    }

    [Fact]
    public async Task The_service_runs_as_the_app_role_writing_reading_and_chaining_events()
    {
        await using var database = await AppRoleDatabase.Start(new OwnerWithoutDaemonFactory());
        var owner = database.Owner;
        SecondHostFactory? app = null;
        try
        {
            app = new SecondHostFactory(owner.Schema, database.AppConnectionString);
            await app.InitializeAsync();
            app.Services.GetRequiredService<StoreSettings>().ConnectionString.ShouldContain($"Username={database.Role}");

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

            // A host whose clock has drifted past the tolerance: the guard refuses its events as it refuses a backdated
            // one (stood in for here by a guard that refuses every event). The write is a 503 to retry, not a 500.
            await using (var ownerConnection = new NpgsqlConnection(owner.ConnectionString))
            {
                await ownerConnection.OpenAsync();
                await using var skewed = new NpgsqlCommand(
                    $"create or replace function \"{owner.Schema}\".app_event_guard() returns trigger language plpgsql as " +
                    $"$$ begin raise exception 'event refused: clock' using errcode = '{DatabaseRoles.EventTimestampRefused}'; end $$", ownerConnection);
                await skewed.ExecuteNonQueryAsync();
            }
            var before = await owner.EventCount();
            var refused = await fp.PostJson($"/api/commitments/{kh}/status", new { status = "in-progress" });
            await refused.ShouldBeProblem(503);
            refused.Headers.RetryAfter.ShouldNotBeNull();
            (await owner.EventCount()).ShouldBe(before);
            await database.Grant();
            (await fp.PostJson($"/api/commitments/{kh}/status", new { status = "in-progress" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        finally
        {
            if (app is not null) await app.DisposeAsync();
        }
    }
}
