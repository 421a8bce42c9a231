using System.Data;
using System.Security.Cryptography;
using System.Text;
using Marten;
using Npgsql;
using Strategy.Domain.Commitments;
using Strategy.Infrastructure.Store;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Strategy.Infrastructure.Evidence;

/// <summary>
/// The result of recomputing every stored file's SHA-256: <see cref="Altered"/> names the files whose bytes no longer
/// hash to the SHA-256 they are stored under, <see cref="Missing"/> those an upload recorded that are no longer stored.
/// </summary>
public sealed record EvidenceCheck(bool Valid, int FilesChecked, IReadOnlyList<string> Altered, IReadOnlyList<string> Missing);

/// <summary>
/// Evidence file contents in a table of their own, once per SHA-256 (the same bytes uploaded twice are stored once),
/// written in the transaction that appends the upload's event. The event records the hash, so a stored file that
/// was changed afterwards no longer matches it: it is checked before each download and by <see cref="VerifyAllAsync"/>.
/// </summary>
public sealed class EvidenceStore(StoreSettings settings)
{
    public const string TableName = "evidence_file";

    /// <summary>The most altered or missing files a check names (each list); filesChecked still counts them all.</summary>
    public const int MaxListed = 1000;

    public static Table Table(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn("sha256", "text").AsPrimaryKey();
        table.AddColumn("content", "bytea").NotNull();
        table.AddColumn("size", "bigint");
        table.AddColumn("content_type", "text");
        return table;
    }

    /// <summary>
    /// Appends the upload to its commitment's correspondence stream and queues the file's row in the same session, so
    /// both commit together or not at all. Returns the stream's version after the append.
    /// </summary>
    public async Task<long> AppendAsync(IDocumentSession session, EvidenceUploaded uploaded, byte[] content, long? expectedVersion, CancellationToken ct)
    {
        var version = await Correspondence.AppendAsync(session, uploaded.CommitmentId, uploaded, expectedVersion, ct);
        // Marten types a byte[] parameter as bytea. Identical bytes uploaded again (another name, another commitment)
        // add an event and leave the stored row as it is.
        session.QueueSqlCommand(
            $"insert into {settings.Schema}.{TableName} (sha256, content, size, content_type) values (?, ?, ?, ?) on conflict (sha256) do nothing",
            uploaded.Sha256, content, uploaded.Size, uploaded.ContentType);
        return version;
    }

    /// <summary>The stored bytes of the file with this SHA-256, or null if there are none.</summary>
    public async Task<byte[]?> OpenAsync(string sha256, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"select content from {settings.Schema}.{TableName} where sha256 = @sha256", connection);
        command.Parameters.AddWithValue("sha256", sha256);
        return await command.ExecuteScalarAsync(ct) as byte[];
    }

    /// <summary>
    /// Recomputes the SHA-256 of every stored file, one row at a time and each streamed from the database (never all
    /// files, nor one whole file, in memory), and looks for recorded uploads whose file is gone.
    /// </summary>
    public async Task<EvidenceCheck> VerifyAllAsync(IQuerySession session, CancellationToken ct)
    {
        var stored = new HashSet<string>(StringComparer.Ordinal);
        var altered = new List<string>();
        await using (var connection = new NpgsqlConnection(settings.ConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand($"select sha256, content from {settings.Schema}.{TableName} order by sha256", connection);
            await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
            while (await reader.ReadAsync(ct))
            {
                var sha256 = reader.GetString(0);
                await using var content = await reader.GetStreamAsync(1, ct);
                if (Hex(await SHA256.HashDataAsync(content, ct)) != sha256) altered.Add(sha256);
                stored.Add(sha256);
            }
        }
        var recorded = await session.Query<EvidenceView>().Select(x => x.Sha256).Distinct().ToListAsync(ct);
        var missing = recorded.Where(s => !stored.Contains(s)).Order(StringComparer.Ordinal).ToList();
        return new EvidenceCheck(altered.Count == 0 && missing.Count == 0, stored.Count, altered[..Math.Min(altered.Count, MaxListed)],
            missing[..Math.Min(missing.Count, MaxListed)]);
    }

    /// <summary>A SHA-256 as the events record it: lower-case hex.</summary>
    public static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);
}
