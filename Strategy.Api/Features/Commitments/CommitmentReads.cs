using System.Text.Json;
using Marten;
using Mediator;
using Microsoft.OpenApi;
using Strategy.Api.Http;
using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Domain.Progress;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Features.Commitments;

public sealed record GetCommitment(Guid Id, DateTimeOffset? AsOf, string Language = Translations.Source) : IQuery<CommitmentWriteResult>;

public sealed class GetCommitmentHandler(IQuerySession session, CommitmentAsOf history, TimeProvider clock, HealthThresholds thresholds)
    : IQueryHandler<GetCommitment, CommitmentWriteResult>
{
    public async ValueTask<CommitmentWriteResult> Handle(GetCommitment query, CancellationToken ct)
    {
        // As of an instant, the view is folded from the events up to then by the same projection, within a time limit.
        var view = query.AsOf is { } asOf
            ? await history.ReadAsync(query.Id, asOf, ct)
            : await session.LoadAsync<CommitmentView>(query.Id, ct);
        if (view is null)
            throw RejectedException.NotFound(query.AsOf is null ? $"No commitment {query.Id}." : $"Commitment {query.Id} did not exist at {query.AsOf:O}.");
        return new CommitmentWriteResult(CommitmentDto.From(view, query.AsOf ?? clock.GetUtcNow(), thresholds, query.Language), view.Version);
    }
}

public sealed record HistoryEntry(long Sequence, long Version, string Type, DateTimeOffset Timestamp, object Data, ActorRef Actor,
    string? CorrelationId, string? CausationId, string? Note, string? Reason);

/// <summary>A page of a commitment's history; <see cref="NextAfter"/> is the cursor of the next page, null on the last.</summary>
public sealed record HistoryPage(IReadOnlyList<HistoryEntry> Items, long? NextAfter);

/// <summary>The commitment's events after sequence <see cref="After"/>, oldest first, at most <see cref="Limit"/>.</summary>
public sealed record GetCommitmentHistory(Guid Id, long After, int Limit) : IQuery<HistoryPage>;

public sealed class GetCommitmentHistoryHandler(IQuerySession session) : IQueryHandler<GetCommitmentHistory, HistoryPage>
{
    public async ValueTask<HistoryPage> Handle(GetCommitmentHistory query, CancellationToken ct)
    {
        // One more than the page, to know whether another follows.
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamId == query.Id && e.Sequence > query.After)
            .OrderBy(e => e.Sequence)
            .Take(query.Limit + 1)
            .ToListAsync(ct);
        if (events.Count == 0 && await session.Events.FetchStreamStateAsync(query.Id, ct) is null)
            throw RejectedException.NotFound($"No commitment {query.Id}.");
        var page = events.Take(query.Limit).Select(HistoryEntries.From).ToList();
        return new HistoryPage(page, events.Count > query.Limit ? page[^1].Sequence : null);
    }
}

public static class HistoryEntries
{
    public static HistoryEntry From(JasperFx.Events.IEvent e)
    {
        var (note, reason) = NoteAndReason(e.Data);
        return new HistoryEntry(e.Sequence, e.Version, TypeName(e.EventTypeName), e.Timestamp, e.Data, ActorRef.From(e),
            e.CorrelationId, e.CausationId, note, reason);
    }

    /// <summary>What the person acting wrote: a note on the change, or the reason for it. Every commitment event answers.</summary>
    public static (string? Note, string? Reason) NoteAndReason(object data) => data switch
    {
        CommitmentMade => (null, null),
        CommitmentStatusChanged s => (s.Note, null),
        CommitmentReopened r => (null, r.Reason),
        CommitmentRevised r => (null, r.Reason),
        CommitmentTranslated => (null, null),
        CommitmentWithdrawn w => (null, w.Reason),
        CommitmentRestored r => (null, r.Reason),
        ValueSubmitted v => (v.Note, null),
        ValueAccepted a => (a.Note, null),
        ValueReturned r => (r.Comment, null),
        ValueRetracted r => (null, r.Reason),
        ValueVoided v => (null, v.Reason),
        ICommitmentEvent other => throw CommitmentEvents.Unhandled(other, "History"),
        Domain.Plans.OutcomeSdgTargetsAligned a => (null, a.Reason),
        _ => (null, null),
    };

    /// <summary>Marten's "commitment_status_changed" as the API's kebab-case "commitment-status-changed".</summary>
    public static string TypeName(string eventTypeName) => eventTypeName.Replace('_', '-');
}

public static class CommitmentReadEndpoints
{
    /// <summary>The most events one page of a commitment's history holds, and the default.</summary>
    public const int HistoryMaxLimit = 1000;

    private static readonly IntQuery HistoryLimit = new("limit", HistoryMaxLimit, 1, HistoryMaxLimit, $"At most this many events, 1-{HistoryMaxLimit}; default {HistoryMaxLimit}.");
    private static readonly SequenceQuery HistoryAfter = new("after", 0, "Events after this sequence (exclusive); default 0.");
    public static readonly TextQuery AsOf = Queries.Instant("asOf", "An ISO 8601 instant; a bare date means the end of that day (UTC).");

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/commitments/{id:guid}", async (Guid id, string? asOf, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var result = await mediator.Send(new GetCommitment(id, QueryValues.Instant(AsOf.Name, asOf), Languages.Read(http)), ct);
                Versions.SetETag(http.Response, result.Version);
                return TypedResults.Ok(result.Commitment);
            })
            .WithName("GetCommitment")
            .WithSummary("A commitment's current state, or as it stood at ?asOf=<instant>")
            .WithDescription("Health is evaluated now, or at asOf. asOf is an ISO 8601 instant; a bare date means the end of that day (UTC). " +
                "As of an instant the commitment is folded from its events up to then; that read may run for Limits:AsOfSeconds (10 s by default), " +
                "after which it is stopped and answered 503 with Retry-After.")
            .ReadResponses<CommitmentDto>()
            .ResponseHeader(StatusCodes.Status200OK, "ETag", "The commitment's version, quoted; send it in If-Match to make a write conditional.", 24)
            .Query(AsOf, Languages.Query);

        api.MapGet("/commitments/{id:guid}/history", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var q = http.Request.Query;
                var limit = HistoryLimit.Read(q["limit"]);
                var page = await mediator.Send(new GetCommitmentHistory(id, HistoryAfter.Read(q["after"]), limit), ct);
                if (page.NextAfter is { } next) http.Response.Headers.Link = $"</api/commitments/{id}/history?after={next}&limit={limit}>; rel=\"next\"";
                return TypedResults.Ok(page.Items);
            })
            .WithName("GetCommitmentHistory")
            .WithSummary("Every event of a commitment, oldest first, with who acted, when and why; paged")
            .WithDescription($"At most limit events (1-{HistoryMaxLimit}, default {HistoryMaxLimit}) after the sequence after (exclusive, default 0), in sequence order. " +
                "When more follow, the response has a Link header to the next page, rel=\"next\" (the same query with after set to the last sequence of this page); " +
                "the last page has none. A commitment with no events after the cursor answers an empty list; an unknown one 404.")
            .ReadResponses<IReadOnlyList<HistoryEntry>>(maxItems: HistoryMaxLimit)
            .Query(HistoryAfter, HistoryLimit)
            .ResponseHeader(StatusCodes.Status200OK, "Link", "<...?after=N&limit=L>; rel=\"next\" while more events follow; absent on the last page.");
    }
}
