using JasperFx;
using Marten;
using Marten.Services;
using Mediator;
using Strategy.Api.Http;
using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Domain.Progress;
using Strategy.Infrastructure.Projections;

namespace Strategy.Api.Features.Commitments;

/// <summary>Load, decide, append, save for a write to one existing commitment.</summary>
public static class CommitmentWrites
{
    /// <summary>
    /// Loads the commitment's write model, lets <paramref name="decide"/> decide on it, appends what it decided and
    /// answers with the commitment's view as saved.
    /// </summary>
    public static Task<CommitmentWriteResult> Decide(IDocumentSession session, Guid id, long? expectedVersion,
        Func<Commitment, Decision> decide, TimeProvider clock, HealthThresholds thresholds, CancellationToken ct, string language = Translations.Source) =>
        Decide(session, id, expectedVersion, state => ValueTask.FromResult(decide(state)), clock, thresholds, ct, language);

    /// <summary>The same, for a decision that needs more than the commitment (the plan's rounds, say), read once it is loaded.</summary>
    public static async Task<CommitmentWriteResult> Decide(IDocumentSession session, Guid id, long? expectedVersion,
        Func<Commitment, ValueTask<Decision>> decide, TimeProvider clock, HealthThresholds thresholds, CancellationToken ct,
        string language = Translations.Source)
    {
        // No commitment has the empty id (ids are version 7 GUIDs), and Marten refuses it as a stream id with an exception.
        if (id == Guid.Empty) throw RejectedException.NotFound($"No commitment {id}.");
        JasperFx.Events.IEventStream<Commitment> stream;
        try
        {
            // With If-Match the write is optimistic and a stale version fails at once; without it, concurrent writers
            // queue on the stream's row lock, so each decides on the state the previous one left.
            stream = expectedVersion is { } v
                ? await session.Events.FetchForWriting<Commitment>(id, v, ct)
                : await session.Events.FetchForExclusiveWriting<Commitment>(id, ct);
        }
        catch (ConcurrencyException)
        {
            if (await session.LoadAsync<Commitment>(id, ct) is null) throw RejectedException.NotFound($"No commitment {id}.");
            throw;
        }
        if (stream.Aggregate is not { } current) throw RejectedException.NotFound($"No commitment {id}.");

        var decision = await decide(current);
        if (!decision.IsAccepted) throw new RejectedException(decision.Rejection!);
        var events = decision.Events.ToArray();
        stream.AppendMany(events);
        var version = (stream.StartingVersion ?? 0) + events.Length;
        var saved = new SavedView<CommitmentView>(v => v.Id == id);
        session.Listeners.Add(saved);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        finally
        {
            session.Listeners.Remove(saved);
        }
        // The write held the stream (its lock or its expected version), so the view its save wrote is at its version.
        var view = saved.Document is { } written && written.Version == version
            ? written
            : throw new InvalidOperationException($"The save of commitment {id} wrote no view at version {version}.");
        return new CommitmentWriteResult(CommitmentDto.From(view, clock.GetUtcNow(), thresholds, language), version);
    }
}

/// <summary>
/// The document of type <typeparamref name="T"/> a save wrote (an inline projection's view, say), kept once the save has
/// committed, so the answer to a write needs no second read of what the write itself just stored.
/// </summary>
internal sealed class SavedView<T>(Func<T, bool> matches) : DocumentSessionListenerBase where T : class
{
    public T? Document { get; private set; }

    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        Document = commit.Updated.Concat(commit.Inserted).OfType<T>().LastOrDefault(matches);
        return Task.CompletedTask;
    }
}

public sealed record CommitmentWriteResult(CommitmentDto Commitment, long Version);

public static class CommitmentWriteEndpoints
{
    /// <summary>A write to one commitment: If-Match in, the command through the mediator, the commitment and its ETag out.</summary>
    public static RouteHandlerBuilder MapCommitmentWrite<TBody>(this RouteGroupBuilder api, string method, string pattern,
        Func<Guid, long?, TBody, ICommand<CommitmentWriteResult>> command) where TBody : class =>
        api.MapMethods(pattern, [method], async (Guid id, TBody body, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var result = await mediator.Send(command(id, Versions.ExpectedVersion(http.Request), body), ct);
                Versions.SetETag(http.Response, result.Version);
                return TypedResults.Ok(result.Commitment);
            })
            .WriteResponses<CommitmentDto>();
}
