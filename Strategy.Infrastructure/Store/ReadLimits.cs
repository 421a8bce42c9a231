using Npgsql;

namespace Strategy.Infrastructure.Store;

/// <summary>
/// How long a read whose work grows with history may run in the database, and how many audit exports run at once
/// (<c>Limits</c> in configuration). A read stopped at its limit gets PostgreSQL's query_canceled (57014), which the
/// API answers 503 with Retry-After.
/// </summary>
/// <param name="AsOf">
/// <c>Limits:AsOfSeconds</c> (10): a commitment as of an instant is folded from every event of its stream up to then.
/// A stream of 200,001 events folded in 0.7-1.0 s on a shared 2-core machine (load average 5-7); realistic ones hold
/// hundreds (a value per round is two events).
/// </param>
/// <param name="Export">
/// <c>Limits:ExportSeconds</c> (300): the statement timeout of an audit export, which streams while its client reads.
/// The whole log of 200,053 events exported in 2-10 s to a fast client (305 MB of JSON Lines with the chain fields, 112 MB
/// of CSV; docs/reliability.md); a larger log or a slower client can narrow the export with from and to.
/// </param>
/// <param name="ExportConnections">
/// <c>Limits:ExportConnections</c> (4): exports running at once on a node, each on a connection of the exports' own
/// pool (<see cref="Audit.AuditExports"/>); one more gets 503 with Retry-After at once.
/// </param>
public sealed record ReadLimits(TimeSpan AsOf, TimeSpan Export, int ExportConnections)
{
    public static readonly ReadLimits Default = new(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(300), 4);

    /// <summary>
    /// How long after <see cref="Export"/> the API cuts an export off. PostgreSQL acts on a statement timeout only when
    /// it can send again: a client that reads nothing keeps the backend waiting to send (pg_stat_activity: ClientWrite)
    /// and its connection taken, however long ago the timeout passed.
    /// </summary>
    public static readonly TimeSpan ExportCutOffAfterTimeout = TimeSpan.FromSeconds(5);

    public TimeSpan ExportCutOff => Export + ExportCutOffAfterTimeout;

    /// <summary>Sets PostgreSQL's statement_timeout for the rest of the transaction the connection has begun.</summary>
    public static async Task SetStatementTimeoutAsync(NpgsqlConnection connection, TimeSpan limit, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select set_config('statement_timeout', @ms, true)", connection);
        command.Parameters.AddWithValue("ms", Milliseconds(limit));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A connection string whose sessions all run under <paramref name="limit"/> as statement_timeout.</summary>
    public static string WithStatementTimeout(NpgsqlConnectionStringBuilder builder, TimeSpan limit)
    {
        var option = $"-c statement_timeout={Milliseconds(limit)}";
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? option : $"{builder.Options} {option}";
        return builder.ConnectionString;
    }

    private static string Milliseconds(TimeSpan limit) => ((long)limit.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
