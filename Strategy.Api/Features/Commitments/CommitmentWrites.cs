using JasperFx;
using Marten;
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
    public static async Task<CommitmentWriteResult> Decide(IDocumentSession session, Guid id, long? expectedVersion,
        Func<Commitment, Decision> decide, TimeProvider clock, HealthThresholds thresholds, CancellationToken ct)
    {
        // No commitment has the empty id (ids are version 7 GUIDs), and Marten refuses it as a stream id with an exception.
        if (id == Guid.Empty) throw RejectedException.NotFound($"No commitment {id}.");
        JasperFx.Events.IEventStream<CommitmentView> stream;
        try
        {
            // With If-Match the write is optimistic and a stale version fails at once; without it, concurrent writers
            // queue on the stream's row lock, so each decides on the state the previous one left.
            stream = expectedVersion is { } v
                ? await session.Events.FetchForWriting<CommitmentView>(id, v, ct)
                : await session.Events.FetchForExclusiveWriting<CommitmentView>(id, ct);
        }
        catch (ConcurrencyException)
        {
            if (await session.LoadAsync<CommitmentView>(id, ct) is null) throw RejectedException.NotFound($"No commitment {id}.");
            throw;
        }
        if (stream.Aggregate is not { } current) throw RejectedException.NotFound($"No commitment {id}.");

        var decision = decide(current.State);
        if (!decision.IsAccepted) throw new RejectedException(decision.Rejection!);
        var events = decision.Events.ToArray();
        var expected = current.Version + events.Length;
        stream.AppendMany(events);
        await session.SaveChangesAsync(ct);

        // With UseIdentityMapForAggregates the inline projection applied the saved events to the fetched view itself,
        // so the answer needs no read back (one round trip less per write). Loaded only if it did not.
        var saved = current.Version == expected ? current
            : await session.LoadAsync<CommitmentView>(id, ct) ?? throw new InvalidOperationException("The inline view was not written.");
        return new CommitmentWriteResult(CommitmentDto.From(saved, clock.GetUtcNow(), thresholds), saved.Version);
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
            .WriteResponses();
}
