using Strategy.Api.Http;
using Strategy.Infrastructure.ReferenceData;

namespace Strategy.Api.Features.Sdg;

public static class SdgEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/sdg/goals", (SdgCatalog sdg) => TypedResults.Ok(sdg.Goals))
            .WithName("ListSdgGoals")
            .WithSummary("The 17 UN Sustainable Development Goals")
            .ReadResponses<IReadOnlyList<SdgGoal>>();

        api.MapGet("/sdg/targets", (string? goal, SdgCatalog sdg) =>
            {
                if (goal is null) return TypedResults.Ok(sdg.Targets);
                var number = QueryValues.Int("goal", goal, 0, 1, 17);
                return TypedResults.Ok<IReadOnlyList<SdgTarget>>([.. sdg.Targets.Where(t => t.Goal == number)]);
            })
            .WithName("ListSdgTargets")
            .WithSummary("UN SDG targets with their indicators; ?goal=13 for one goal's")
            .ReadResponses<IReadOnlyList<SdgTarget>>();
    }
}
