using Npgsql;
using Strategy.Infrastructure.Audit;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Values;

namespace Strategy.Infrastructure.Store;

/// <summary>What is waiting: values awaiting review (all, and those of rounds whose deadline has passed), events the audit chain has not yet chained, and mail not yet sent.</summary>
/// <param name="ChainLag">Sequence numbers between the last event and the chain's head: the events behind it, counting any sequence gaps left by rolled-back appends.</param>
/// <param name="MailWaiting">Outbox mails the SMTP server has not taken yet (new, or waiting to be retried).</param>
public sealed record Backlog(long PendingReviews, long PendingReviewsPastDeadline, long ChainLag, long MailWaiting);

/// <summary>
/// The backlog the operations metrics report, read in one round trip of index-backed counts (the review queue's
/// partial index, the events' primary key), so a metrics collection every few seconds costs the database little. The
/// values past their round's deadline are counted round by round, for the rounds past theirs, through the index of
/// values awaiting review by round, and only those have their plan looked up (by the commitment's primary key) to
/// match their own plan's round; a subquery per round, because as a join PostgreSQL looked up the plan of every value
/// awaiting review to build the join's key (1.4 s, against 10-21 ms so, with 204,000 of them at the end of a
/// benchmark run at L).
/// </summary>
public sealed class WorkBacklog(StoreSettings settings)
{
    private readonly string sql = Sql(settings.Schema);

    private static string Sql(string s) =>
        $"""
        select
          (select count(*) from {s}.mt_doc_valueview d where {ValueReads.AwaitingReview}),
          (select coalesce(sum((select count(*) from {s}.mt_doc_valueview d
                                where {ValueReads.AwaitingReview} and d.round = r.data->'state'->>'code'
                                  and (select c.{CommitmentColumns.PlanCode} from {s}.mt_doc_commitmentview c where c.id = d.commitment_id) = r.stateplan)), 0)
           from {s}.mt_doc_roundview r where (r.data->'state'->>'deadline')::date < @today),
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
