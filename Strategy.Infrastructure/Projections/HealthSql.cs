using Strategy.Domain;
using Marten.Linq.MatchesSql;
using Strategy.Domain.Progress;
using Strategy.Infrastructure.Store;

namespace Strategy.Infrastructure.Projections;

/// <summary>
/// The health rule of <see cref="ProgressMath.HealthOf(Strategy.Domain.Commitments.CommitmentStatus, bool, DateOnly, DateOnly, double?, DateOnly, HealthThresholds)"/>
/// as SQL over the stored commitment view, so lists filter by health in the database. "Today" is the commitment
/// country's date (<see cref="MemberTime"/>), from the instant passed. Parameters, in order: now, onTrack, now, now,
/// atRisk, now, now (see <see cref="Parameters"/>). Domain and API tests hold the SQL and the C# rule in step.
/// </summary>
public static class HealthSql
{
    private const string S = CommitmentColumns.State;

    /// <summary>The commitment country's time zone, from the same table the C# rule reads.</summary>
    public static readonly string Zone =
        $"CASE {S}->>'country' " + string.Concat(MemberTime.Zones.Select(z => $"WHEN '{z.Key}' THEN '{z.Value}' ")) + "ELSE 'UTC' END";

    /// <summary>The commitment country's date at the instant given as the parameter.</summary>
    public static readonly string Today = $"(?::timestamptz AT TIME ZONE ({Zone}))::date";

    private static readonly string Expected =
        $"COALESCE(LEAST(1, GREATEST(0, ({Today} - ({S}->>'start')::date)::float8 / NULLIF(({S}->>'due')::date - ({S}->>'start')::date, 0))), " +
        $"CASE WHEN {Today} >= ({S}->>'due')::date THEN 1 ELSE 0 END)";

    public static readonly string Expression =
        $"CASE WHEN ({S}->>'withdrawn')::boolean OR {S}->>'status' = 'cancelled' THEN 'unknown' " +
        $"WHEN {S}->>'status' = 'completed' THEN 'done' " +
        $"WHEN ({S}->>'due')::date < {Today} THEN 'overdue' " +
        $"WHEN {S}->>'progress' IS NULL THEN 'unknown' " +
        $"WHEN ({S}->>'progress')::float8 >= ?::float8 * {Expected} THEN 'on-track' " +
        $"WHEN ({S}->>'progress')::float8 >= ?::float8 * {Expected} THEN 'at-risk' " +
        "ELSE 'off-track' END";

    /// <summary>The commitments of <paramref name="q"/> whose health at <paramref name="now"/> is <paramref name="health"/>.</summary>
    public static IQueryable<CommitmentView> WithHealth(this IQueryable<CommitmentView> q, Health health, DateTimeOffset now, HealthThresholds t) =>
        q.Where(x => x.MatchesSql($"({Expression}) = ?", Parameters(now, t, StoredJson.EnumNames.ConvertName(health.ToString()))));

    /// <summary>The parameters for <see cref="Expression"/> followed by the wanted health name.</summary>
    public static object[] Parameters(DateTimeOffset now, HealthThresholds t, string health)
    {
        var at = now.ToUniversalTime().ToString("O");
        return [at, t.OnTrack, at, at, t.AtRisk, at, at, health];
    }
}
