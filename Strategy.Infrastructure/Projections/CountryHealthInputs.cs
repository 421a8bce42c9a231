using Npgsql;
using Strategy.Domain.Commitments;
using Strategy.Infrastructure.Store;

namespace Strategy.Infrastructure.Projections;

/// <summary>What a commitment's health is computed from, with its id and code.</summary>
public sealed record HealthInputs(Guid Id, string Code, CommitmentStatus Status, DateOnly Start, DateOnly Due, double? Progress);

/// <summary>
/// The health inputs of a member's commitments (not withdrawn) in a plan, read as plain columns from the stored views:
/// a country holds thousands, and Marten's projection of the same members builds a JSON object per row, which took
/// PostgreSQL four times as long (44-84 ms against 13-17 ms for 3,333 views, EXPLAIN ANALYZE; docs/benchmarks.md).
/// </summary>
public sealed class CountryHealthInputs(StoreSettings settings)
{
    private const string S = CommitmentColumns.State;

    private static readonly IReadOnlyDictionary<string, CommitmentStatus> Statuses = StoredJson.ByStoredName<CommitmentStatus>();

    public async Task<IReadOnlyList<HealthInputs>> ReadAsync(string plan, string country, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"select d.id, d.{CommitmentColumns.Code}, {S}->>'status', ({S}->>'start')::date, ({S}->>'due')::date, ({S}->>'progress')::float8 " +
            $"from {settings.Schema}.mt_doc_commitmentview d " +
            $"where d.{CommitmentColumns.PlanCode} = @plan and d.{CommitmentColumns.Country} = @country and {CommitmentColumns.NotWithdrawn}",
            connection);
        command.Parameters.AddWithValue("plan", plan);
        command.Parameters.AddWithValue("country", country);
        var rows = new List<HealthInputs>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rows.Add(new HealthInputs(reader.GetGuid(0), reader.GetString(1), Statuses[reader.GetString(2)],
                reader.GetFieldValue<DateOnly>(3), reader.GetFieldValue<DateOnly>(4), reader.IsDBNull(5) ? null : reader.GetDouble(5)));
        return rows;
    }
}
