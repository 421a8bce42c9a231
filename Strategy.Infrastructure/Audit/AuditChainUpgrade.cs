using Npgsql;

namespace Strategy.Infrastructure.Audit;

/// <summary>
/// Brings a chain computed in an older canonical form to the current one (<see cref="AuditHash.Form"/>). Its links are
/// derived data, so they are dropped with the head and the daemon's progress, and the daemon derives them again from
/// the events. First the old chain is verified in its own form: dropping a broken chain would let an upgrade turn a log
/// altered before it into one that verifies, so that is refused unless asked for.
/// </summary>
/// <remarks>Run with the service stopped, as `migrate` is: a daemon still running would go on from the position it holds.</remarks>
public static class AuditChainUpgrade
{
    /// <param name="Message">What was found and done, for the operator; null when the chain was already in the current form.</param>
    public sealed record Outcome(bool Refused, string? Message);

    public const string RederiveBrokenFlag = "--rederive-broken-audit-chain";

    public static async Task<Outcome> RunAsync(string connectionString, string schema, bool rederiveBroken, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        int? form = null;
        await using (var head = new NpgsqlCommand(
            $"select coalesce((data->>'form')::int, 0) from {schema}.mt_doc_auditchainhead where id = @id and (data->>'sequence')::bigint > 0", connection))
        {
            head.Parameters.AddWithValue("id", AuditChainHead.SingletonId);
            if (await head.ExecuteScalarAsync(ct) is int f) form = f;
        }
        if (form is null || form == AuditHash.Form) return new Outcome(false, null);

        var old = await AuditVerifier.VerifyAsync(connectionString, schema, form.Value, ct);
        var found = old.Valid
            ? $"The audit chain in canonical form {form} verified in that form ({old.EventsChecked} events, head {old.HeadHash} after event {old.LastSequence})"
            : $"The audit chain in canonical form {form} is broken at event {old.FirstBrokenSequence}: {old.Reason}";
        if (!old.Valid && !rederiveBroken)
            return new Outcome(true, $"{found} It was left as it is: deriving it again would make the altered log verify. " +
                $"Once that is looked into, `migrate {RederiveBrokenFlag}` derives it again from the log as it is now.");

        await using (var transaction = await connection.BeginTransactionAsync(ct))
        {
            await using var reset = new NpgsqlCommand(
                $"delete from {schema}.mt_doc_auditlink; delete from {schema}.mt_doc_auditchainhead; " +
                $"delete from {schema}.mt_event_progression where name = @shard", connection, transaction);
            reset.Parameters.AddWithValue("shard", ShardName);
            await reset.ExecuteNonQueryAsync(ct);
            await transaction.CommitAsync(ct);
        }
        return new Outcome(false, $"{found}. It was dropped, and the daemon derives it again in form {AuditHash.Form} from the events.");
    }

    /// <summary>The daemon's progress row for <see cref="AuditChainProjection"/> (its name, all tenants).</summary>
    public const string ShardName = "AuditChain:All";

    /// <summary>
    /// Form 0, before <see cref="AuditHash.Form"/> 2: data and headers as PostgreSQL prints jsonb. Kept only to verify
    /// such a chain before it is derived again.
    /// </summary>
    internal static string LegacyCanonical(NpgsqlDataReader r, int offset) =>
        AuditHash.Canonical(r.GetInt64(offset), new AuditCanonicalFields(r.GetGuid(offset + 1).ToString("D"), r.GetGuid(offset + 2).ToString("D"),
            r.GetInt64(offset + 3), r.GetString(offset + 4), AuditHash.Timestamp(r.GetFieldValue<DateTime>(offset + 5)), r.GetString(offset + 6),
            r.GetString(offset + 7), r.GetString(offset + 8), r.GetString(offset + 9), r.GetString(offset + 10)));
}
