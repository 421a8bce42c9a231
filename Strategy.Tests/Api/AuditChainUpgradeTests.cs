using Npgsql;
using Strategy.Infrastructure.Audit;
using static Strategy.Tests.Api.AuditSupport;

namespace Strategy.Tests.Api;

/// <summary>
/// A database whose chain an earlier version computed (form 0: data and headers hashed as PostgreSQL prints jsonb) is
/// brought to the current form by `migrate` (<see cref="AuditChainUpgrade"/>): the old chain is verified in its own form,
/// then dropped and derived again by the daemon; a broken old chain is left alone unless the operator asks.
/// </summary>
public sealed class AuditChainUpgradeTests
{
    /// <summary>
    /// Form 0 computed in SQL, independently of the service's code: sequence, ids, version, type, the timestamp in UTC to
    /// the microsecond, data, user, headers, correlation and causation ids as PostgreSQL prints them, joined by U+001F.
    /// </summary>
    private static string FormZeroChain(string s) => $"""
        with recursive ev as (
            select seq_id, row_number() over (order by seq_id) as n,
                   concat_ws(chr(31), seq_id::text, id::text, stream_id::text, version::text, type,
                             to_char(timestamp at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), data::text, coalesce(user_name, ''),
                             coalesce(headers::text, ''), coalesce(correlation_id, ''), coalesce(causation_id, '')) as c
            from {s}.mt_events),
        chain as (
            select n, seq_id, sha256(decode(repeat('0', 64), 'hex') || convert_to(c, 'UTF8')) as h from ev where n = 1
            union all
            select ev.n, ev.seq_id, sha256(chain.h || convert_to(ev.c, 'UTF8')) from chain join ev on ev.n = chain.n + 1)
        """;

    /// <summary>A store whose whole log an earlier version chained: the links, the head (without its form) and the daemon's progress.</summary>
    private static async Task<(AuditSupport.OwnedFactory Owner, List<long> Stored)> ChainedByAnEarlierVersion()
    {
        var own = await StartOwnFactory<OwnerWithoutDaemonFactory>();
        var api = own.Api;
        await ChainHistory.Write(api, "UPGRADE");
        // The owner's host runs no daemon: a second host chains the log, as the earlier version did, and stops.
        var s = api.Schema;
        await using (var chainer = new SecondHostFactory(s, ApiFactory.OwnerConnectionString))
        {
            await chainer.InitializeAsync();
            await WaitForDaemon(chainer);
        }
        var stored = await StoredSequences(api);
        (await Scalar<long>($"select last_seq_id from {s}.mt_event_progression where name = @name", ("name", AuditChainUpgrade.ShardName))).ShouldBe(stored[^1]);
        var currentFirst = await Scalar<string>($"select data->>'hash' from {s}.mt_doc_auditlink where id = @n", ("n", stored[0]));

        (await Sql(FormZeroChain(s) +
            $"update {s}.mt_doc_auditlink l set data = jsonb_build_object('id', l.id, 'hash', encode(chain.h, 'hex')) from chain where chain.seq_id = l.id"))
            .ShouldBe(stored.Count);
        (await Sql($"update {s}.mt_doc_auditchainhead set data = (data - 'form') || " +
            $"jsonb_build_object('hash', (select data->>'hash' from {s}.mt_doc_auditlink order by id desc limit 1))")).ShouldBe(1);
        (await Scalar<string>($"select data->>'hash' from {s}.mt_doc_auditlink where id = @n", ("n", stored[0]))).ShouldNotBe(currentFirst, "the two forms differ");
        return (own, stored);
    }

    [Fact]
    public async Task An_intact_chain_of_the_earlier_form_is_verified_in_that_form_then_derived_again_in_the_current_one()
    {
        var (own, stored) = await ChainedByAnEarlierVersion();
        await using var _ = own;
        var api = own.Api;
        var s = api.Schema;

        // Until migrate runs, verify says so instead of naming the first event as altered.
        var before = await ChainHistory.Verify(api);
        before.GetProperty("valid").GetBoolean().ShouldBeFalse(before.GetRawText());
        before.GetProperty("reason").GetString().ShouldNotBeNull().ShouldContain("migrate");
        before.GetProperty("firstBrokenSequence").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);

        var outcome = await AuditChainUpgrade.RunAsync(api.ConnectionString, s, rederiveBroken: false, CancellationToken.None);
        outcome.Refused.ShouldBeFalse(outcome.Message);
        outcome.Message.ShouldNotBeNull().ShouldContain($"verified in that form ({stored.Count} events");
        (await Scalar<long>($"select count(*) from {s}.mt_doc_auditlink")).ShouldBe(0);
        (await Scalar<long>($"select count(*) from {s}.mt_doc_auditchainhead")).ShouldBe(0);
        (await Scalar<long>($"select count(*) from {s}.mt_event_progression where name = @name", ("name", AuditChainUpgrade.ShardName))).ShouldBe(0);

        // The daemon derives the chain again, in the current form, and it verifies.
        await using var daemon = new SecondHostFactory(s, ApiFactory.OwnerConnectionString);
        await daemon.InitializeAsync();
        await ChainHistory.ShouldBeIntact(daemon);
        (await Scalar<int>($"select (data->>'form')::int from {s}.mt_doc_auditchainhead")).ShouldBe(AuditHash.Form);

        // A second run finds the current form and does nothing.
        var again = await AuditChainUpgrade.RunAsync(api.ConnectionString, s, rederiveBroken: false, CancellationToken.None);
        again.Refused.ShouldBeFalse();
        again.Message.ShouldBeNull();
        (await Scalar<long>($"select count(*) from {s}.mt_doc_auditlink")).ShouldBe(stored.Count);
    }

    [Fact]
    public async Task A_broken_chain_of_the_earlier_form_is_left_alone_unless_the_operator_asks_to_derive_it_again()
    {
        var (own, stored) = await ChainedByAnEarlierVersion();
        await using var _ = own;
        var api = own.Api;
        var s = api.Schema;
        var n = stored[stored.Count / 2];
        (await Sql($"update {s}.mt_events set data = jsonb_set(data, '{{title}}', '\"tampered\"') where seq_id = @n", ("n", n))).ShouldBe(1);

        // Deriving the chain again would make the altered log verify: refused, with the event named.
        var refused = await AuditChainUpgrade.RunAsync(api.ConnectionString, s, rederiveBroken: false, CancellationToken.None);
        refused.Refused.ShouldBeTrue();
        refused.Message.ShouldNotBeNull().ShouldContain($"broken at event {n}");
        refused.Message.ShouldContain(AuditChainUpgrade.RederiveBrokenFlag);
        (await Scalar<long>($"select count(*) from {s}.mt_doc_auditlink")).ShouldBe(stored.Count);
        (await Scalar<long>($"select count(*) from {s}.mt_doc_auditchainhead")).ShouldBe(1);

        var forced = await AuditChainUpgrade.RunAsync(api.ConnectionString, s, rederiveBroken: true, CancellationToken.None);
        forced.Refused.ShouldBeFalse();
        forced.Message.ShouldNotBeNull().ShouldContain($"broken at event {n}");
        await using var daemon = new SecondHostFactory(s, ApiFactory.OwnerConnectionString);
        await daemon.InitializeAsync();
        await ChainHistory.ShouldBeIntact(daemon);
    }

    private static async Task<T> Scalar<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ApiFactory.OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
