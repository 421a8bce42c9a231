using Marten;
using Mediator;
using Strategy.Api.Features.Commitments;
using Strategy.Api.Http;
using Strategy.Domain.Commitments;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;
using Strategy.Infrastructure.Values;

namespace Strategy.Api.Features.Values;

/// <summary>
/// A reported value and where it stands in review. <see cref="Counts"/>: accepted and the value that counts for its
/// date in official figures.
/// </summary>
public sealed record ValueDto(Guid Id, Guid Commitment, double Value, DateOnly AsOf, string? Round, ValueState State, bool Counts, bool Late,
    ActorRef SubmittedBy, DateTimeOffset SubmittedAt, ActorRef? ReviewedBy, DateTimeOffset? ReviewedAt, string? Note, string? ReviewNote,
    IReadOnlyList<EvidenceRef> Evidence, string? EvidenceUrl, Guid? Supersedes, Guid? SupersededBy)
{
    public static ValueDto From(ValueView v) => new(v.Id, v.CommitmentId, v.Value, v.AsOf, v.Round, v.State, v.Standing, v.Late,
        v.SubmittedBy, v.SubmittedAt, v.ReviewedBy, v.ReviewedAt, v.Note, v.ReviewNote, v.Evidence, v.EvidenceUrl, v.Supersedes, v.SupersededBy);
}

public sealed record QueuedCommitment(Guid Id, string Code, string Country, string Title, string? Unit, double? Target, LatestValue? LatestAccepted);

public sealed record ReviewQueueItem(ValueDto Value, QueuedCommitment Commitment);

public sealed record ListCommitmentValues(Guid Id) : IQuery<IReadOnlyList<ValueDto>>;

public sealed record GetReviewQueue(ReviewQueueFilter Filter) : IQuery<(IReadOnlyList<ReviewQueueItem> Items, long Total)>;

public sealed class ValueQueryHandlers(IQuerySession session, ValueReads values)
    : IQueryHandler<ListCommitmentValues, IReadOnlyList<ValueDto>>, IQueryHandler<GetReviewQueue, (IReadOnlyList<ReviewQueueItem> Items, long Total)>
{
    public async ValueTask<IReadOnlyList<ValueDto>> Handle(ListCommitmentValues query, CancellationToken ct)
    {
        if (await session.LoadAsync<CommitmentView>(query.Id, ct) is null) throw RejectedException.NotFound($"No commitment {query.Id}.");
        return [.. (await values.ForCommitmentAsync(query.Id, ct)).Select(ValueDto.From)];
    }

    public async ValueTask<(IReadOnlyList<ReviewQueueItem> Items, long Total)> Handle(GetReviewQueue query, CancellationToken ct)
    {
        if (await session.LoadAsync<PlanView>(StreamIds.ForPlan(query.Filter.Plan), ct) is null)
            throw RejectedException.Invalid("plan", $"Unknown plan {query.Filter.Plan}.");
        var (items, total) = await values.ReviewQueueAsync(query.Filter, ct);
        return ([.. items.Select(q => new ReviewQueueItem(ValueDto.From(q.Value), Commitment(q.Commitment)))], total);
    }

    private static QueuedCommitment Commitment(CommitmentView c) =>
        new(c.Id, c.State.Code, c.State.Country, c.State.Title, c.State.Unit, c.State.Target, c.State.Latest is { } l ? new LatestValue(l.Value, l.AsOf) : null);
}

public static class ValueReadEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/commitments/{id:guid}/values", async (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListCommitmentValues(id), ct)))
            .WithName("ListCommitmentValues")
            .WithSummary("Every value reported for a commitment, oldest first, with where it stands in review")
            .WithDescription("state: submitted (awaiting review), accepted, returned (for correction), retracted (by its submitter), voided (by the secretariat). counts: the accepted value that counts for its date.")
            .ReadResponses<IReadOnlyList<ValueDto>>(maxItems: ValueDecisions.MaxValues);

        api.MapGet("/review-queue", async (string? plan, string? round, string? country, string? page, string? pageSize, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                if (string.IsNullOrEmpty(plan)) throw RejectedException.Invalid("plan", "Required.");
                var filter = new ReviewQueueFilter(plan, NullIfEmpty(round), NullIfEmpty(country),
                    Queries.Page.Read(page), Queries.PageSize.Read(pageSize));
                var (items, total) = await mediator.Send(new GetReviewQueue(filter), ct);
                http.Response.Headers["X-Total-Count"] = total.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Ok(items);
            })
            .RequireAuthorization(Strategy.Api.Auth.Policies.Audit)
            .WithName("GetReviewQueue")
            .WithSummary("Submitted values awaiting the secretariat's review, oldest first (secretariat, reviewer, admin)")
            .WithDescription("plan is required; round (a round's code) and country narrow it. page (from 1), pageSize (1-200, default 50); the total is in X-Total-Count.")
            .ReadResponses<IReadOnlyList<ReviewQueueItem>>(maxItems: Queries.PageSize.Max)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ResponseHeader(StatusCodes.Status200OK, "X-Total-Count", "How many values wait, on every page.", 10)
            .Query(Queries.Code("plan", "The plan's code (required)."), Queries.Code("round", "A round's code."), Queries.Country, Queries.Page, Queries.PageSize);
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
