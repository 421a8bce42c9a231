using System.Runtime.CompilerServices;
using Marten;
using Npgsql;
using JasperFx.Events;
using Strategy.Domain.Commitments;
using Strategy.Infrastructure.Store;

namespace Strategy.Infrastructure.Projections;

/// <summary>A commitment event as stored, with the metadata the views keep.</summary>
public sealed record CommitmentLogEntry(long Sequence, Guid StreamId, long Version, DateTimeOffset Timestamp, ActorRef Actor, ICommitmentEvent Data);

/// <summary>
/// Streams commitment events straight from the event table, in sequence order, for the folds that read a large part of
/// the log at once (as-of reports, rebuilding the views). Marten's raw event query does the same but resolves and
/// deserializes through its generic event pipeline at about a third of the rate; this selects only the columns the
/// folds use (the actor's header fields extracted by PostgreSQL) and deserializes with the store's own serializer,
/// so the events are the same objects Marten would give.
/// </summary>
public static class CommitmentEventLog
{
    /// <summary>Every event type a commitment stream holds (<see cref="CommitmentEvents.Types"/>), by Marten's stored name.</summary>
    public static readonly IReadOnlyDictionary<string, Type> Types = CommitmentEvents.Types.ToDictionary(t => t.GetEventTypeName(), t => t);

    // Sent with each query; the type comes back as its position in this array (an int, not a string to allocate and
    // look up per event), and TypesByPosition maps it back.
    private static readonly string[] TypeNames = [.. Types.Keys];
    private static readonly Type[] TypesByPosition = [.. TypeNames.Select(n => Types[n])];

    /// <summary>
    /// The commitment events matching <paramref name="where"/> (SQL over the event table aliased <c>e</c>, with its
    /// parameters), oldest first.
    /// </summary>
    /// <param name="actorDetails">
    /// Whether to read the actor's name, role and country from the event headers; without them only the actor's id is
    /// read (what the report folds keep), which spares PostgreSQL three JSON extractions per event.
    /// </param>
    /// <param name="byStream">
    /// Each stream's events together, in version order, instead of all in sequence order: for folds that fold each
    /// stream apart (a view, a write model and a stream's value documents depend on their own stream's events only).
    /// In sequence order every fold state lives until its stream's next event, about one per commitment later, so it
    /// outlives the GC's youngest generation and the fold spends its time collecting old garbage; by stream each state
    /// dies young (docs/benchmarks.md). PostgreSQL sorts the events before it sends the first.
    /// </param>
    public static async IAsyncEnumerable<CommitmentLogEntry> ReadAsync(IDocumentStore store, StoreSettings settings, string where,
        IReadOnlyDictionary<string, object> parameters, [EnumeratorCancellation] CancellationToken ct, bool actorDetails = true, bool byStream = false)
    {
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(ct);
        await foreach (var e in ReadAsync(store, connection, settings.Schema, where, parameters, ct, actorDetails, byStream)) yield return e;
    }

    /// <summary>
    /// The same, on a connection the caller holds open, inside whatever transaction it has begun (so a fold can read
    /// in the snapshot of the session it belongs to).
    /// </summary>
    public static async IAsyncEnumerable<CommitmentLogEntry> ReadAsync(IDocumentStore store, NpgsqlConnection connection, string schema, string where,
        IReadOnlyDictionary<string, object> parameters, [EnumeratorCancellation] CancellationToken ct, bool actorDetails = true, bool byStream = false)
    {
        var serializer = store.Options.Serializer();
        await using var command = new NpgsqlCommand(
            "select e.seq_id, e.stream_id, e.version, e.timestamp, array_position(@types, e.type::text), e.data, coalesce(e.user_name, 'unknown'), " +
            (actorDetails ? "e.headers->>'actor-name', e.headers->>'actor-role', e.headers->>'actor-country' " : "null, null, null ") +
            $"from {schema}.mt_events e where e.type = any(@types) and ({where}) order by " + (byStream ? "e.stream_id, e.version" : "e.seq_id"), connection);
        command.Parameters.AddWithValue("types", TypeNames);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var sequence = reader.GetInt64(0);
            var stream = reader.GetGuid(1);
            var version = reader.GetInt64(2);
            var timestamp = new DateTimeOffset(reader.GetFieldValue<DateTime>(3).ToUniversalTime(), TimeSpan.Zero);
            var type = TypesByPosition[reader.GetInt32(4) - 1];
            var data = (ICommitmentEvent)serializer.FromJson(type, reader, 5);
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            var actor = new ActorRef(reader.GetString(6), Text(7), Text(8), Text(9));
            yield return new CommitmentLogEntry(sequence, stream, version, timestamp, actor, data);
        }
    }
}
