using Npgsql;

namespace Strategy.Infrastructure.Store;

/// <summary>
/// An index of ours on a table Marten owns (the event table, a document table). Marten 9 has no API for an extra
/// index on the event table, creates its schema objects in an order of its own (objects added to it come before the
/// tables), and drops indexes it does not know from the tables it migrates. So these are created after Marten's
/// schema, by `migrate` and by the start-up schema step (<see cref="EnsureAsync"/>), and each is registered with
/// Marten's IgnoreIndex (StoreSetup). An index is created when its name is missing: a changed definition takes a new name.
/// </summary>
public sealed record ExtraIndex(string Table, string Name, string Definition)
{
    /// <summary>
    /// Creates the missing ones. Checked first, not left to "if not exists": PostgreSQL checks that the caller owns the
    /// table before it looks for the index, and the service may start as a role that does not (deploy/app-role.sql).
    /// </summary>
    public static async Task EnsureAsync(string connectionString, string schema, IEnumerable<ExtraIndex> indexes, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        foreach (var index in indexes)
        {
            await using var exists = new NpgsqlCommand("select exists (select 1 from pg_catalog.pg_indexes where schemaname = @schema and indexname = @name)", connection);
            exists.Parameters.AddWithValue("schema", schema);
            exists.Parameters.AddWithValue("name", index.Name);
            if ((bool)(await exists.ExecuteScalarAsync(ct))!) continue;
            await using var create = new NpgsqlCommand($"create index if not exists {index.Name} on {schema}.{index.Table} {index.Definition}", connection);
            create.CommandTimeout = 0;   // building it over a long existing history may take a while
            await create.ExecuteNonQueryAsync(ct);
        }
    }
}
