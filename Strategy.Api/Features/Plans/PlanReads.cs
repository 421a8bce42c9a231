using Marten;
using Mediator;
using Strategy.Api.Http;
using Strategy.Domain.Commitments;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Features.Plans;

public sealed record GetPlan(string Code, DateTimeOffset? AsOf, string Language = Strategy.Domain.Translations.Source) : IQuery<PlanDto>;

public sealed class GetPlanHandler(IQuerySession session) : IQueryHandler<GetPlan, PlanDto>
{
    public async ValueTask<PlanDto> Handle(GetPlan query, CancellationToken ct)
    {
        var id = StreamIds.ForPlan(query.Code);
        var view = query.AsOf is { } asOf
            ? await session.Events.AggregateStreamAsync<PlanView>(id, timestamp: asOf, token: ct)
            : await session.LoadAsync<PlanView>(id, ct);
        if (view is null)
            throw RejectedException.NotFound(query.AsOf is null ? $"No plan {query.Code}." : $"Plan {query.Code} did not exist at {query.AsOf:O}.");
        return PlanDto.From(view, await CountAsync(view, query.AsOf, ct), query.AsOf, query.Language);
    }

    /// <summary>
    /// Commitments in the plan (withdrawn ones left out). As of an instant: those made by then and not yet withdrawn;
    /// their status then is not kept in the view, so only the current counts are broken down by status.
    /// </summary>
    private async Task<PlanCounts> CountAsync(PlanView view, DateTimeOffset? asOf, CancellationToken ct)
    {
        var q = session.Query<CommitmentView>().Where(x => x.State.PlanCode == view.Code);
        q = asOf is { } at
            ? q.Where(x => x.CreatedAt <= at && (x.WithdrawnAt == null || x.WithdrawnAt > at))
            : q.Where(x => !x.State.Withdrawn);
        var rows = await q.Select(x => new CountRow(x.State.Country, x.State.Status)).ToListAsync(ct);
        var byCountry = view.Plan.Countries.ToDictionary(c => c.Code, c => rows.Count(r => r.Country == c.Code));
        var byStatus = asOf is null
            ? Enum.GetValues<CommitmentStatus>().ToDictionary(s => Json.Kebab(s.ToString()), s => rows.Count(r => r.Status == s))
            : null;
        return PlanDto.Structure(view.Plan, rows.Count, byCountry, byStatus);
    }

    private sealed record CountRow(string Country, CommitmentStatus Status);
}

public sealed record ListPlans(int Page, int PageSize) : IQuery<(IReadOnlyList<PlanSummary> Items, int Total)>;

public sealed class ListPlansHandler(IQuerySession session) : IQueryHandler<ListPlans, (IReadOnlyList<PlanSummary> Items, int Total)>
{
    public async ValueTask<(IReadOnlyList<PlanSummary> Items, int Total)> Handle(ListPlans query, CancellationToken ct)
    {
        var plans = await session.Query<PlanView>().OrderBy(x => x.Code).Skip((query.Page - 1) * query.PageSize).Take(query.PageSize).ToListAsync(ct);
        var total = await session.Query<PlanView>().CountAsync(ct);
        return ([.. plans.Select(v => new PlanSummary(v.Code, v.Plan.Title, new Period(v.Plan.Start, v.Plan.End),
            [.. v.Plan.Countries.Select(c => c.Code)], v.Plan.Goals.Count, v.Plan.Outcomes.Count(), v.Version, v.LastUpdatedAt))], total);
    }
}

public static class PlanReadEndpoints
{
    private static readonly IntQuery PlansPageSize = new("pageSize", 1000, 1, 1000, "Plans a page, 1-1000; default 1000.");

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/plans", async (HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var (items, total) = await mediator.Send(new ListPlans(Queries.Page.Read(http.Request), PlansPageSize.Read(http.Request)), ct);
                http.Response.Headers["X-Total-Count"] = total.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Ok(items);
            })
            .WithName("ListPlans")
            .WithSummary("Plan summaries, by code")
            .WithDescription($"page (from 1), pageSize (1-{PlansPageSize.Max}, default {PlansPageSize.Default}); the total is in X-Total-Count.")
            .ReadResponses<IReadOnlyList<PlanSummary>>(maxItems: PlansPageSize.Max)
            .ResponseHeader(StatusCodes.Status200OK, "X-Total-Count", "How many plans there are.", 10)
            .Query(Queries.Page, PlansPageSize);

        api.MapGet("/plans/{code}", async (string code, string? asOf, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var plan = await mediator.Send(new GetPlan(code, QueryValues.Instant(Strategy.Api.Features.Commitments.CommitmentReadEndpoints.AsOf.Name, asOf), Languages.Read(http)), ct);
                Versions.SetETag(http.Response, plan.Version);
                return TypedResults.Ok(plan);
            })
            .WithName("GetPlan")
            .WithSummary("A plan's structure, version and counts; ?asOf=<instant> gives the plan as it stood then")
            .WithDescription("Goals, outcomes with their SDG targets and indicators, member countries, review mode and counts. asOf is an ISO 8601 instant (a bare date means the end of that day, UTC): the plan folded from its events up to then. " +
                "Goals, outcomes and indicators in the language asked for (lang, or Accept-Language) where the secretariat translated them, else English; each says which (lang).")
            .ReadResponses<PlanDto>()
            .ResponseHeader(StatusCodes.Status200OK, "ETag", "The plan's version, quoted; send it in If-Match to make a write conditional.", 24)
            .Query(Strategy.Api.Features.Commitments.CommitmentReadEndpoints.AsOf, Languages.Query);
    }
}
