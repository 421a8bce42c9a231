using Marten;
using Npgsql;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Strategy.Infrastructure.Reports;

/// <summary>A succeeded report's canonical JSON as the UTF-8 bytes that were hashed, and its kind.</summary>
public sealed record StoredReportContent(string Kind, byte[] Json);

/// <summary>
/// Report contents in a table of their own, as bytes. A Marten document kept the JSON as a string inside its own JSON:
/// writing it escaped the whole report through a pooled buffer six times its length (130 MB for the 11 MB progress
/// report at 20,000 commitments), which the shared array pool then kept for good; the bytes go to PostgreSQL as they
/// are. Written in the transaction that records the report's success.
/// </summary>
public sealed class ReportContentStore(StoreSettings settings)
{
    public const string TableName = "report_content";

    public static Table Table(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("id").AsPrimaryKey();
        table.AddColumn<string>("kind").NotNull();
        table.AddColumn("json", "bytea").NotNull();
        return table;
    }

    /// <summary>
    /// Has PostgreSQL compress the content with lz4 where the server has it, not with its default pglz: storing it is
    /// part of the report's run, and lz4 compresses megabytes of JSON in about half pglz's time (docs/benchmarks.md).
    /// Run by `migrate` and the start-up schema step, after Marten's tables exist; a column already set is left alone,
    /// and a role that may not alter the table leaves it to `migrate`.
    /// </summary>
    public static async Task EnsureCompressionAsync(string connectionString, string schema, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var check = new NpgsqlCommand(
            "select a.attcompression <> 'l' and exists (select 1 from pg_catalog.pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals)) " +
            "from pg_catalog.pg_attribute a where a.attrelid = to_regclass(@table) and a.attname = 'json'", connection);
        check.Parameters.AddWithValue("table", $"{schema}.{TableName}");
        if (await check.ExecuteScalarAsync(ct) is not true) return;
        await using var alter = new NpgsqlCommand($"alter table {schema}.{TableName} alter column json set compression lz4", connection);
        try
        {
            await alter.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            // A service role that does not own the table, started before `migrate` set it: contents are stored as before.
        }
    }

    /// <summary>Queues the content's row in the session, so it commits with the events the session saves.</summary>
    public void Store(IDocumentSession session, Guid id, string kind, JsonChunks json) =>
        session.QueueOperation(new StoreContent(settings.Schema, id, kind, json));

    /// <summary>
    /// The content's row as an operation of the session's batch. Not QueueSqlCommand: it sends a stream parameter as
    /// text; this one sends the chunks as bytea, streamed, without gathering them into one array.
    /// </summary>
    private sealed class StoreContent(string schema, Guid id, string kind, JsonChunks json)
        : Marten.Internal.Operations.IStorageOperation, Weasel.Storage.NoDataReturnedCall
    {
        // What Marten's own SQL operations (QueueSqlCommand) give. With a type of its own here (not a document Marten
        // knows), the report job's save never completed.
        public Type DocumentType => typeof(Marten.Storage.StorageFeatures);

        public Weasel.Core.OperationRole Role() => Weasel.Core.OperationRole.Other;

        public void ConfigureCommand(Weasel.Postgresql.ICommandBuilder builder, Weasel.Storage.IStorageSession session)
        {
            builder.Append($"insert into {schema}.{TableName} (id, kind, json) values (");
            builder.AppendParameter(id);
            builder.Append(", ");
            builder.AppendParameter(kind);
            builder.Append(", ");
            builder.AppendParameter(json.OpenRead(), NpgsqlTypes.NpgsqlDbType.Bytea);
            builder.Append(") on conflict (id) do update set kind = excluded.kind, json = excluded.json");
        }

        void Weasel.Storage.IStorageOperation.ConfigureCommand(Weasel.Core.ICommandBuilder builder, Weasel.Storage.IStorageSession session) =>
            ConfigureCommand((Weasel.Postgresql.ICommandBuilder)builder, session);

        public Task PostprocessAsync(System.Data.Common.DbDataReader reader, IList<Exception> exceptions, CancellationToken ct) => Task.CompletedTask;
    }

    public async Task<StoredReportContent?> LoadAsync(Guid id, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"select kind, json from {settings.Schema}.{TableName} where id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new StoredReportContent(reader.GetString(0), reader.GetFieldValue<byte[]>(1)) : null;
    }
}
