using Marten;
using Mediator;
using Npgsql;
using Strategy.Api.Http;
using Strategy.Domain.Progress;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Features.Plans;

/// <param name="MeanProgress">Mean progress of the cell's commitments with an accepted value, each capped to 0-1, as the progress report counts it.</param>
public sealed record MatrixCell(string Country, string Goal, int Commitments, int WithValue, double? MeanProgress, IReadOnlyDictionary<Health, int> ByHealth);

public sealed record MatrixGoal(string Code, string Title);

/// <summary>A plan at a glance: per country and goal, how many commitments, their health and their mean progress.</summary>
public sealed record PlanMatrix(string Plan, string Title, IReadOnlyList<string> Countries, IReadOnlyList<MatrixGoal> Goals, IReadOnlyList<MatrixCell> Cells)
{
    public MatrixCell? Cell(string country, string goal) => Cells.FirstOrDefault(c => c.Country == country && c.Goal == goal);
}

public sealed record GetPlanMatrix(string Plan) : IQuery<PlanMatrix>;

/// <summary>
/// Counted in PostgreSQL, one row per country, goal and health (health by <see cref="HealthSql"/>, the list filter's own
/// expression, so a cell's count and the list it links to agree): the answer's size grows with the plan's structure,
/// not with its commitments.
/// </summary>
public sealed class GetPlanMatrixHandler(IQuerySession session, StoreSettings settings, TimeProvider clock, HealthThresholds thresholds)
    : IQueryHandler<GetPlanMatrix, PlanMatrix>
{
    public async ValueTask<PlanMatrix> Handle(GetPlanMatrix query, CancellationToken ct)
    {
        var view = await session.LoadAsync<PlanView>(StreamIds.ForPlan(query.Plan), ct) ?? throw RejectedException.NotFound($"No plan {query.Plan}.");
        const string state = CommitmentColumns.State;
        var sql = $"""
            select d.{CommitmentColumns.Country}, {state}->>'goal', ({HealthSql.Expression}) as health, count(*)::int,
                   count({state}->>'progress')::int, avg(least(1, greatest(0, ({state}->>'progress')::float8)))
            from {settings.Schema}.mt_doc_commitmentview d
            where d.{CommitmentColumns.PlanCode} = ? and {CommitmentColumns.NotWithdrawn}
            group by 1, 2, 3
            """;
        // HealthSql's parameters are written as ?, as Marten's MatchesSql takes them: numbered here in order for Npgsql.
        var parameters = HealthSql.Parameters(clock.GetUtcNow(), thresholds, "")[..^1].Append(view.Code).ToArray();
        var parts = sql.Split('?');
        sql = string.Concat(parts.Select((part, i) => i == 0 ? part : $"${i}{part}"));

        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p });
        var rows = new List<(string Country, string Goal, Health Health, int Count, int WithValue, double? Mean)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                rows.Add((reader.GetString(0), reader.GetString(1), HealthNamed(reader.GetString(2)), reader.GetInt32(3), reader.GetInt32(4),
                    reader.IsDBNull(5) ? null : reader.GetDouble(5)));

        var cells = rows.GroupBy(r => (r.Country, r.Goal)).Select(g =>
        {
            var withValue = g.Sum(r => r.WithValue);
            // The cell's mean from the per-health means, weighted by how many values each had.
            double? mean = withValue == 0 ? null : g.Where(r => r.Mean is not null).Sum(r => r.Mean!.Value * r.WithValue) / withValue;
            return new MatrixCell(g.Key.Country, g.Key.Goal, g.Sum(r => r.Count), withValue, mean, g.ToDictionary(r => r.Health, r => r.Count));
        }).ToList();
        return new PlanMatrix(view.Code, view.Plan.Title, [.. view.Plan.Countries.Select(c => c.Code)],
            [.. view.Plan.Goals.Select(g => new MatrixGoal(g.Code, g.Title))], cells);
    }

    private static Health HealthNamed(string kebab) => Enum.GetValues<Health>().First(h => Json.Kebab(h.ToString()) == kebab);
}

/// <summary>A plan's goals, outcomes and indicators, for choosing among them (the plan read also counts its commitments, which a choice does not need).</summary>
public sealed record GetPlanGoals(string Plan) : IQuery<IReadOnlyList<GoalDto>>;

public sealed class GetPlanGoalsHandler(IQuerySession session) : IQueryHandler<GetPlanGoals, IReadOnlyList<GoalDto>>
{
    public async ValueTask<IReadOnlyList<GoalDto>> Handle(GetPlanGoals query, CancellationToken ct)
    {
        var view = await session.LoadAsync<PlanView>(StreamIds.ForPlan(query.Plan), ct) ?? throw RejectedException.NotFound($"No plan {query.Plan}.");
        return PlanDto.GoalsOf(view.Plan);
    }
}
