using System.ComponentModel.DataAnnotations;
using FluentValidation;
using Marten;
using Mediator;
using Strategy.Api.Auth;
using Strategy.Api.Features.Commitments;
using Strategy.Api.Http;
using Strategy.Api.Pipeline;
using Strategy.Domain;
using Strategy.Domain.Plans;
using Strategy.Infrastructure.ReferenceData;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Features.Plans;

public sealed record PeriodBody([property: Required] DateOnly? Start, [property: Required] DateOnly? End);
public sealed record CountryBody([property: Required] string? Code, string? Iso3, [property: Required] string? Name);
public sealed record IndicatorBody([property: Required] string? Code, [property: Required] string? Title, [property: Required] string? Unit,
    [property: Required] double? Baseline, [property: Required] double? Target);
public sealed record OutcomeBody(string? Goal, [property: Required] string? Code, [property: Required] string? Title,
    [property: Required] IReadOnlyList<string>? SdgTargets, IReadOnlyList<IndicatorBody>? Indicators)
{
    public OutcomeDefinition ToDefinition(string? goal = null) => new(goal ?? Goal ?? "", Code ?? "", Title ?? "", SdgTargets ?? [],
        [.. (Indicators ?? []).Select(i => new IndicatorDefinition(i.Code ?? "", i.Title ?? "", i.Unit ?? "", i.Baseline ?? 0, i.Target ?? 0))]);
}
public sealed record GoalBody([property: Required] string? Code, [property: Required] string? Title, string? Description, IReadOnlyList<OutcomeBody>? Outcomes);

/// <summary>A whole plan, in the shape of the LMEC seed file (Strategy.Infrastructure/ReferenceData/lmec-2023-2027.json).</summary>
public sealed record PlanDocument([property: Required] string? Code, [property: Required] string? Title, string? Note, [property: Required] PeriodBody? Period,
    [property: Required] IReadOnlyList<CountryBody>? Countries, [property: Required] IReadOnlyList<GoalBody>? Goals, IReadOnlyList<MakeCommitmentBody>? Commitments, ReviewMode? Review = null)
{
    public PlanDefinition ToDefinition() => new(Code ?? "", Title ?? "", Note, Period!.Start!.Value, Period.End!.Value,
        [.. (Countries ?? []).Select(c => new Country(c.Code ?? "", c.Iso3 ?? "", c.Name ?? ""))],
        [.. (Goals ?? []).Select(g => new GoalDefinition(g.Code ?? "", g.Title ?? "", g.Description,
            [.. (g.Outcomes ?? []).Select(o => o.ToDefinition(g.Code))]))],
        Review ?? ReviewMode.On);
}

public sealed class IndicatorBodyValidator : AbstractValidator<IndicatorBody>
{
    public IndicatorBodyValidator()
    {
        RuleFor(x => x.Code).NotEmpty();
        RuleFor(x => x.Title).NotEmpty();
        RuleFor(x => x.Unit).NotEmpty();
        RuleFor(x => x.Baseline).NotNull();
        RuleFor(x => x.Target).NotNull();
    }
}

public sealed class OutcomeBodyValidator : AbstractValidator<OutcomeBody>
{
    public OutcomeBodyValidator()
    {
        RuleFor(x => x.Code).NotEmpty();
        RuleFor(x => x.Title).NotNull();
        RuleFor(x => x.SdgTargets).NotNull();
        RuleForEach(x => x.Indicators).NotNull().SetValidator(new IndicatorBodyValidator());
    }
}

public sealed class PlanDocumentValidator : AbstractValidator<PlanDocument>
{
    public PlanDocumentValidator()
    {
        RuleFor(x => x.Code).NotEmpty();
        RuleFor(x => x.Title).NotNull();
        RuleFor(x => x.Period).NotNull();
        RuleFor(x => x.Period!.Start).NotNull().When(x => x.Period is not null);
        RuleFor(x => x.Period!.End).NotNull().When(x => x.Period is not null);
        RuleFor(x => x.Countries).NotEmpty();
        RuleForEach(x => x.Countries).NotNull().ChildRules(c => { c.RuleFor(x => x!.Code).NotEmpty(); c.RuleFor(x => x!.Name).NotEmpty(); });
        RuleFor(x => x.Goals).NotNull();
        RuleForEach(x => x.Goals).NotNull().ChildRules(g =>
        {
            g.RuleFor(x => x!.Code).NotEmpty();
            g.RuleFor(x => x!.Title).NotNull();
            g.RuleForEach(x => x!.Outcomes).NotNull().SetValidator(new OutcomeBodyValidator());
        });
        RuleForEach(x => x.Commitments).NotNull().SetValidator(new MakeCommitmentBodyValidator());
    }
}

[AllowedRoles(Role.Secretariat, Role.Admin)]
public sealed record ImportPlan(PlanDocument Document) : ICommand<PlanDto>;

public sealed class ImportPlanValidator : AbstractValidator<ImportPlan>
{
    public ImportPlanValidator() => RuleFor(x => x.Document).SetValidator(new PlanDocumentValidator()).OverridePropertyName("");
}

/// <summary>The plan's stream and one stream per commitment, appended in one transaction: all or nothing.</summary>
public sealed class ImportPlanHandler(IDocumentSession session, CurrentActor actor, SdgCatalog sdg) : ICommandHandler<ImportPlan, PlanDto>
{
    public async ValueTask<PlanDto> Handle(ImportPlan command, CancellationToken ct)
    {
        var definition = command.Document.ToDefinition();
        var decision = PlanDecisions.Create(definition, actor.Actor, sdg.TargetCodes);
        if (!decision.IsAccepted) throw new RejectedException(decision.Rejection!);

        var id = StreamIds.ForPlan(definition.Code);
        if ((await session.Events.FetchStreamStateAsync(id, ct)) is not null)
            throw new RejectedException(Rejection.Conflict($"Plan {definition.Code} already exists."));
        session.Events.StartStream<Infrastructure.Projections.PlanView>(id, decision.Events.ToArray());

        var plan = decision.Events.Aggregate((Plan?)null, Plan.Evolve)!;
        var codes = new HashSet<string>();
        var commitments = command.Document.Commitments ?? [];
        for (var i = 0; i < commitments.Count; i++)
        {
            try
            {
                await NewCommitments.Start(session, plan, commitments[i].ToCommand(), actor.Actor, plan.Start, codes, ct);
            }
            catch (RejectedException e) when (e.Rejection.Field is not null)
            {
                throw RejectedException.Invalid($"commitments[{i}].{e.Rejection.Field}", e.Rejection.Message);
            }
            catch (RejectedException e) when (e.Rejection.Kind == RejectionKind.Conflict)
            {
                throw RejectedException.Invalid($"commitments[{i}].code", e.Rejection.Message);
            }
        }
        await session.SaveChangesAsync(ct);
        return await PlanWrites.Read(session, id, ct);
    }
}

public static class ImportPlanEndpoint
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapPost("/plans", async (PlanDocument body, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var plan = await mediator.Send(new ImportPlan(body), ct);
                Versions.SetETag(http.Response, plan.Version);
                return TypedResults.Created($"/api/plans/{Uri.EscapeDataString(plan.Code)}", plan);
            })
            .WithName("ImportPlan")
            .WithSummary("Create a whole plan: goals, outcomes, indicators, SDG targets and optional commitments (secretariat)")
            .WithDescription("All or nothing, in one transaction. 409 when the code exists. review: on (default; a focal point's values count once the secretariat accepts them) or off (they count on entry). Commitments given here start with the plan unless they give a start.")
            .WriteResponses<PlanDto>(created: true);
}
