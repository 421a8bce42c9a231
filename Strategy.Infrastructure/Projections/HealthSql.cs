using Strategy.Domain.Progress;

namespace Strategy.Infrastructure.Projections;

/// <summary>
/// The health rule of <see cref="ProgressMath.HealthOf(Strategy.Domain.Commitments.CommitmentStatus, bool, DateOnly, DateOnly, double?, DateOnly, HealthThresholds)"/>
/// as SQL over the stored commitment view, so lists filter by health in the database. Parameters, in order:
/// today, today, today, onTrack, atRisk. A domain test and an API test hold the two in step.
/// </summary>
public static class HealthSql
{
    private const string S = "d.data->'state'";
    private const string Expected =
        $"COALESCE(LEAST(1, GREATEST(0, (?::date - ({S}->>'planStart')::date)::float8 / NULLIF(({S}->>'due')::date - ({S}->>'planStart')::date, 0))), " +
        $"CASE WHEN ?::date >= ({S}->>'due')::date THEN 1 ELSE 0 END)";

    public const string Expression =
        $"CASE WHEN ({S}->>'withdrawn')::boolean OR {S}->>'status' = 'cancelled' THEN 'unknown' " +
        $"WHEN {S}->>'status' = 'completed' THEN 'done' " +
        $"WHEN ({S}->>'due')::date < ?::date THEN 'overdue' " +
        $"WHEN {S}->>'progress' IS NULL THEN 'unknown' " +
        $"WHEN ({S}->>'progress')::float8 >= ?::float8 * {Expected} THEN 'on-track' " +
        $"WHEN ({S}->>'progress')::float8 >= ?::float8 * {Expected} THEN 'at-risk' " +
        "ELSE 'off-track' END";

    /// <summary>The parameters for <see cref="Expression"/> followed by the wanted health name.</summary>
    public static object[] Parameters(DateOnly today, HealthThresholds t, string health)
    {
        var day = today.ToString("yyyy-MM-dd");
        return [day, t.OnTrack, day, day, t.AtRisk, day, day, health];
    }
}
