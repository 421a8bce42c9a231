using Marten;
using Mediator;
using Strategy.Api.Http;
using Strategy.Domain.Commitments;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Features.Plans;

public sealed record GetPlan(string Code, DateTimeOffset? AsOf) : IQuery<PlanDto>;

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
        return PlanDto.From(view, await CountAsync(view, query.AsOf, ct), query.AsOf);
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

public sealed record ListPlans : IQuery<IReadOnlyList<PlanSummary>>;

public sealed class ListPlansHandler(IQuerySession session) : IQueryHandler<ListPlans, IReadOnlyList<PlanSummary>>
{
    public async ValueTask<IReadOnlyList<PlanSummary>> Handle(ListPlans query, CancellationToken ct)
    {
        var plans = await session.Query<PlanView>().OrderBy(x => x.Code).ToListAsync(ct);
        return [.. plans.Select(v => new PlanSummary(v.Code, v.Plan.Title, new Period(v.Plan.Start, v.Plan.End),
            [.. v.Plan.Countries.Select(c => c.Code)], v.Plan.Goals.Count, v.Plan.Outcomes.Count(), v.Version, v.LastUpdatedAt))];
    }
}

public static class PlanReadEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/plans", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new ListPlans(), ct)))
            .WithName("ListPlans")
            .WithSummary("Plan summaries")
            .ReadResponses<IReadOnlyList<PlanSummary>>();

        api.MapGet("/plans/{code}", async (string code, string? asOf, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var plan = await mediator.Send(new GetPlan(code, QueryValues.Instant("asOf", asOf)), ct);
                Versions.SetETag(http.Response, plan.Version);
                return TypedResults.Ok(plan);
            })
            .WithName("GetPlan")
            .WithSummary("A plan's structure, version and counts; ?asOf=<instant> gives the plan as it stood then")
            .ReadResponses<PlanDto>();
    }
}
