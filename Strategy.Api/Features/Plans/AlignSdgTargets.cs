using System.ComponentModel.DataAnnotations;
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

public sealed record AlignSdgTargetsBody([property: Required] IReadOnlyList<string>? SdgTargets, [property: Required] string? Reason);

[AllowedRoles(Role.Secretariat, Role.Admin)]
public sealed record AlignOutcomeSdgTargets(string PlanCode, string Outcome, long? ExpectedVersion, AlignSdgTargetsBody Body) : ICommand<PlanDto>;

public sealed class AlignOutcomeSdgTargetsValidator : AbstractValidator<AlignOutcomeSdgTargets>
{
    public AlignOutcomeSdgTargetsValidator()
    {
        RuleFor(x => x.Body.SdgTargets).NotNull().OverridePropertyName("sdgTargets");
        RuleFor(x => x.Body.Reason).NotEmpty().OverridePropertyName("reason");
    }
}

public sealed class AlignOutcomeSdgTargetsHandler(IDocumentSession session, CurrentActor actor, SdgCatalog sdg) : ICommandHandler<AlignOutcomeSdgTargets, PlanDto>
{
    public async ValueTask<PlanDto> Handle(AlignOutcomeSdgTargets command, CancellationToken ct) =>
        await PlanWrites.Decide(session, command.PlanCode, command.ExpectedVersion,
            plan => PlanDecisions.AlignSdgTargets(plan, command.Outcome, command.Body.SdgTargets!, command.Body.Reason!, actor.Actor, sdg.TargetCodes), ct);
}

public static class AlignSdgTargetsEndpoint
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapPut("/plans/{code}/outcomes/{outcome}/sdg-targets", async (string code, string outcome, AlignSdgTargetsBody body, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var plan = await mediator.Send(new AlignOutcomeSdgTargets(code, outcome, Versions.ExpectedVersion(http.Request), body), ct);
                Versions.SetETag(http.Response, plan.Version);
                return TypedResults.Ok(plan);
            })
            .WithName("AlignSdgTargets")
            .WithSummary("Replace an outcome's SDG targets, with a reason (secretariat); answers with the plan")
            .WithDescription("sdgTargets (may be empty) replaces the outcome's list; reason is required and recorded with the change. The same list again is a 409.")
            .WriteResponses<PlanDto>();
}
