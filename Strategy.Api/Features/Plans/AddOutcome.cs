using FluentValidation;
using Marten;
using Mediator;
using Strategy.Api.Auth;
using Strategy.Api.Http;
using Strategy.Api.Pipeline;
using Strategy.Domain;
using Strategy.Domain.Plans;
using Strategy.Infrastructure.ReferenceData;

namespace Strategy.Api.Features.Plans;

[AllowedRoles(Role.Secretariat, Role.Admin)]
public sealed record AddOutcomeToPlan(string PlanCode, long? ExpectedVersion, OutcomeBody Body) : ICommand<PlanDto>;

public sealed class AddOutcomeToPlanValidator : AbstractValidator<AddOutcomeToPlan>
{
    public AddOutcomeToPlanValidator()
    {
        RuleFor(x => x.Body.Goal).NotEmpty().OverridePropertyName("goal");
        RuleFor(x => x.Body).SetValidator(new OutcomeBodyValidator()).OverridePropertyName("");
    }
}

public sealed class AddOutcomeToPlanHandler(IDocumentSession session, CurrentActor actor, SdgCatalog sdg) : ICommandHandler<AddOutcomeToPlan, PlanDto>
{
    public async ValueTask<PlanDto> Handle(AddOutcomeToPlan command, CancellationToken ct) =>
        await PlanWrites.Decide(session, command.PlanCode, command.ExpectedVersion,
            plan => PlanDecisions.AddOutcome(plan, command.Body.ToDefinition(), actor.Actor, sdg.TargetCodes), ct);
}

public static class AddOutcomeEndpoint
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapPost("/plans/{code}/outcomes", async (string code, OutcomeBody body, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var plan = await mediator.Send(new AddOutcomeToPlan(code, Versions.ExpectedVersion(http.Request), body), ct);
                Versions.SetETag(http.Response, plan.Version);
                return TypedResults.Created($"/api/plans/{Uri.EscapeDataString(plan.Code)}", plan);
            })
            .WithName("AddOutcome")
            .WithSummary("Add an outcome with its indicators and SDG targets under a goal (secretariat); answers with the plan")
            .WithDescription($"goal, code (unique in the plan), title and sdgTargets (may be empty; each must exist in the UN framework) are required; indicators each need code, title, unit, baseline and target. A goal holds at most {PlanLimits.MaxOutcomesPerGoal} outcomes, an outcome {PlanLimits.MaxIndicatorsPerOutcome} indicators.")
            .WriteResponses<PlanDto>(created: true);
}
