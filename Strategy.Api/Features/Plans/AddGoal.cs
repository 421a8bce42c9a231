using System.ComponentModel.DataAnnotations;
using FluentValidation;
using Marten;
using Mediator;
using Strategy.Api.Auth;
using Strategy.Api.Http;
using Strategy.Api.Pipeline;
using Strategy.Domain;
using Strategy.Domain.Plans;

namespace Strategy.Api.Features.Plans;

public sealed record AddGoalBody([property: Required] string? Code, [property: Required] string? Title, string? Description);

[AllowedRoles(Role.Secretariat, Role.Admin)]
public sealed record AddGoalToPlan(string PlanCode, long? ExpectedVersion, AddGoalBody Body) : ICommand<PlanDto>;

public sealed class AddGoalToPlanValidator : AbstractValidator<AddGoalToPlan>
{
    public AddGoalToPlanValidator()
    {
        RuleFor(x => x.Body.Code).NotEmpty().OverridePropertyName("code");
        RuleFor(x => x.Body.Title).NotNull().OverridePropertyName("title");
    }
}

public sealed class AddGoalToPlanHandler(IDocumentSession session, CurrentActor actor) : ICommandHandler<AddGoalToPlan, PlanDto>
{
    public async ValueTask<PlanDto> Handle(AddGoalToPlan command, CancellationToken ct) =>
        await PlanWrites.Decide(session, command.PlanCode, command.ExpectedVersion,
            plan => PlanDecisions.AddGoal(plan, command.Body.Code!, command.Body.Title!, command.Body.Description, actor.Actor), ct);
}

public static class AddGoalEndpoint
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapPost("/plans/{code}/goals", async (string code, AddGoalBody body, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var plan = await mediator.Send(new AddGoalToPlan(code, Versions.ExpectedVersion(http.Request), body), ct);
                Versions.SetETag(http.Response, plan.Version);
                return TypedResults.Created($"/api/plans/{Uri.EscapeDataString(plan.Code)}", plan);
            })
            .WithName("AddGoal")
            .WithSummary("Add a goal (thematic area) to a plan (secretariat); answers with the plan")
            .WithDescription($"code (unique in the plan) and title are required; description is optional. A plan holds at most {PlanLimits.MaxGoals} goals. If-Match (the plan's ETag) makes it conditional.")
            .WriteResponses<PlanDto>(created: true);
}
