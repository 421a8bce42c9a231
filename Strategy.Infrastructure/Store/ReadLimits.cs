using Npgsql;

namespace Strategy.Infrastructure.Store;

/// <summary>
/// How long a read whose work grows with history may run in the database (<c>Limits</c> in configuration). A read that
/// runs out gets PostgreSQL's query_canceled (57014), which the API answers 503 with Retry-After.
/// </summary>
/// <param name="AsOf">
/// <c>Limits:AsOfSeconds</c> (10): a commitment as of an instant is folded from every event of its stream up to then.
/// A stream of 200,001 events folded in 0.7-1.0 s on a shared 2-core machine (load average 5-7); realistic ones hold
/// hundreds (a value per round is two events).
/// </param>
public sealed record ReadLimits(TimeSpan AsOf)
{
    public static readonly ReadLimits Default = new(TimeSpan.FromSeconds(10));

    /// <summary>Sets PostgreSQL's statement_timeout for the rest of the transaction the connection has begun.</summary>
    public static async Task SetStatementTimeoutAsync(NpgsqlConnection connection, TimeSpan limit, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select set_config('statement_timeout', @ms, true)", connection);
        command.Parameters.AddWithValue("ms", ((long)limit.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await command.ExecuteNonQueryAsync(ct);
    }
}
