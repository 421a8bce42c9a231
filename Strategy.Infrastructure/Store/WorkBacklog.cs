using Npgsql;
using Strategy.Infrastructure.Audit;
using Strategy.Infrastructure.Projections;

namespace Strategy.Infrastructure.Store;

/// <summary>What is waiting: values awaiting review (all, and those of rounds whose deadline has passed), events the audit chain has not yet chained, and mail not yet sent.</summary>
/// <param name="ChainLag">Sequence numbers between the last event and the chain's head: the events behind it, counting any sequence gaps left by rolled-back appends.</param>
/// <param name="MailWaiting">Outbox mails the SMTP server has not taken yet (new, or waiting to be retried).</param>
public sealed record Backlog(long PendingReviews, long PendingReviewsPastDeadline, long ChainLag, long MailWaiting);

/// <summary>
/// The backlog the operations metrics report, read in one round trip of index-backed counts (the review queue's
/// partial index, the events' primary key), so a metrics collection every few seconds costs the database little. The
/// plan of a value past its round's deadline is looked up by the commitment's primary key for those values only: with
/// the commitment views joined as a table, PostgreSQL intersected each round's values with the submitted ones, round by
/// round (26,000 values a round at L), on every collection.
/// </summary>
public sealed class WorkBacklog(StoreSettings settings)
{
    private readonly string sql = Sql(settings.Schema);

    private static string Sql(string s) =>
        $"""
        select
          (select count(*) from {s}.mt_doc_valueview where data->>'state' = 'submitted'),
          (select count(*) from {s}.mt_doc_valueview v
             join {s}.mt_doc_roundview r on r.data->'state'->>'code' = v.round
           where v.data->>'state' = 'submitted' and (r.data->'state'->>'deadline')::date < @today
             and r.stateplan = (select c.{CommitmentColumns.PlanCode} from {s}.mt_doc_commitmentview c where c.id = v.commitment_id)),
          coalesce((select max(seq_id) from {s}.mt_events), 0)
            - coalesce((select (data->>'sequence')::bigint from {s}.mt_doc_auditchainhead where id = '{AuditChainHead.SingletonId}'), 0),
          {Notifications.OutboxMail.WaitingSql(s)}
        """;

    /// <param name="today">The secretariat's date, which round deadlines are in.</param>
    public async Task<Backlog> ReadAsync(DateOnly today, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 5 };
        command.Parameters.AddWithValue("today", today);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new Backlog(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }
}
