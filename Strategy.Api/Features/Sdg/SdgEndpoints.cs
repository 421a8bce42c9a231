using Strategy.Domain.Plans;
using Strategy.Api.Http;
using Strategy.Infrastructure.ReferenceData;

namespace Strategy.Api.Features.Sdg;

public static class SdgEndpoints
{
    private static readonly IntQuery Goal = new("goal", 0, 1, 17, "One goal's targets: 1-17.");

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/sdg/goals", (SdgCatalog sdg) => TypedResults.Ok(sdg.Goals))
            .WithName("ListSdgGoals")
            .WithSummary("The 17 UN Sustainable Development Goals")
            .WithDescription("Goal number, short title and title, from the UN SDG framework's list.")
            .ReadResponses<IReadOnlyList<SdgGoal>>(maxItems: 17);

        api.MapGet("/sdg/targets", (string? goal, SdgCatalog sdg) =>
            {
                if (goal is null) return TypedResults.Ok(sdg.Targets);
                var number = Goal.Read(goal);
                return TypedResults.Ok<IReadOnlyList<SdgTarget>>([.. sdg.Targets.Where(t => t.Goal == number)]);
            })
            .WithName("ListSdgTargets")
            .WithSummary("UN SDG targets with their indicators; ?goal=13 for one goal's")
            .WithDescription("Every target (169), or one goal's with goal=1-17, each with its indicators.")
            .ReadResponses<IReadOnlyList<SdgTarget>>(maxItems: PlanLimits.MaxSdgTargetsPerOutcome)
            .Query(Goal);
    }
}
