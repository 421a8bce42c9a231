using Npgsql;

namespace Strategy.Infrastructure.Store;

/// <summary>
/// What every connection the service opens (Marten, Hangfire, the health check, the audit and report reads) needs from
/// the connection string, applied once where the string is read, and only where the operator did not set it.
/// </summary>
public static class ConnectionDefaults
{
    /// <summary>
    /// Seconds to wait for a new connection. With Npgsql's default (15 s), every request that needs a connection waits
    /// 15 s when the server does not answer at all (its host down, a network partition); with 3 s it answers 503 within
    /// the 5 s the service promises. A live server accepts in milliseconds.
    /// </summary>
    /// <remarks>
    /// <c>Command Timeout</c> keeps Npgsql's 30 s: schema migrations and a verify or export over a long log legitimately
    /// run that long. A server that stops or crashes closes its sockets, so commands in flight fail at once; only a
    /// silent partition in the middle of a command waits for it.
    /// </remarks>
    public const int ConnectTimeoutSeconds = 3;

    /// <summary>
    /// How many of a connection's most used statements Npgsql prepares. Marten sends its statements as text, so without
    /// this PostgreSQL parsed and planned every one of them on every write: under the benchmark's write load at 1M
    /// events PostgreSQL took half of the two cores' CPU samples, with its parser and planner on top (perf record -a),
    /// and preparing them took the writes served from 801-946 to 1,260 requests/s (8 s of wrk on the kept L data).
    /// </summary>
    public const int MaxAutoPrepare = 100;

    public static string Apply(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // Keys holds the settings the string gives (under their canonical names), not the defaults.
        var given = builder.Keys.Cast<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!given.Contains(nameof(NpgsqlConnectionStringBuilder.Timeout))) builder.Timeout = ConnectTimeoutSeconds;
        if (!given.Contains("Max Auto Prepare")) builder.MaxAutoPrepare = MaxAutoPrepare;
        return builder.ConnectionString;
    }

    /// <summary>
    /// The connection string for the audit log's reads, whose best plan depends on their values (how much of the log lies
    /// past a page's cursor). Once Npgsql has prepared such a statement, PostgreSQL may switch it to a generic plan made
    /// without the values; for a filtered audit page that plan was the hash join over the whole remaining log (p99 205 ms
    /// instead of 52-59 ms in the benchmark at 1M events). These connections still skip parsing; each execution is
    /// planned with its own values. Not for the report folds: planned with their values they were slower (a current
    /// report at the benchmark's M size took 0.94 s instead of 0.55 s).
    /// </summary>
    public static string WithCustomPlans(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? OptionsFlag : $"{builder.Options} {OptionsFlag}";
        return builder.ConnectionString;
    }

    private const string OptionsFlag = "-c plan_cache_mode=force_custom_plan";
}
