using System.ComponentModel.DataAnnotations;
using Marten;
using Mediator;
using Strategy.Api.Auth;
using Strategy.Api.Http;
using Strategy.Api.Pipeline;
using Strategy.Domain;
using Strategy.Domain.Plans;

namespace Strategy.Api.Features.Plans;

/// <summary>A text in one language: a title, and a description where the text has one (goals, commitments).</summary>
public sealed record TranslationBody([property: Required] string? Title, string? Description)
{
    /// <summary>As the domain reads it; a missing text or title is refused there, naming the member.</summary>
    public static TextTranslation? ToText(TranslationBody? body) => body is null ? null : new TextTranslation(body.Title!, body.Description);

    public static Dictionary<string, TextTranslation>? ToTexts(IReadOnlyDictionary<string, TranslationBody?>? bodies) =>
        bodies?.ToDictionary(b => b.Key, b => ToText(b.Value)!, StringComparer.Ordinal);
}

public sealed record PlanTranslationBody(IReadOnlyDictionary<string, TranslationBody?>? Goals, IReadOnlyDictionary<string, TranslationBody?>? Outcomes,
    IReadOnlyDictionary<string, TranslationBody?>? Indicators);

[AllowedRoles(Role.Secretariat, Role.Admin)]
public sealed record TranslatePlan(string PlanCode, string Language, long? ExpectedVersion, PlanTranslationBody Body) : ICommand<PlanDto>;

public sealed class TranslatePlanHandler(IDocumentSession session, CurrentActor actor) : ICommandHandler<TranslatePlan, PlanDto>
{
    public async ValueTask<PlanDto> Handle(TranslatePlan command, CancellationToken ct) =>
        await PlanWrites.Decide(session, command.PlanCode, command.ExpectedVersion,
            plan => PlanDecisions.Translate(plan, command.Language, TranslationBody.ToTexts(command.Body.Goals),
                TranslationBody.ToTexts(command.Body.Outcomes), TranslationBody.ToTexts(command.Body.Indicators), actor.Actor),
            ct, command.Language);
}

public static class TranslatePlanEndpoint
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapPut("/plans/{code}/translations/{lang}", async (string code, string lang, PlanTranslationBody body, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var plan = await mediator.Send(new TranslatePlan(code, lang, Versions.ExpectedVersion(http.Request), body), ct);
                Versions.SetETag(http.Response, plan.Version);
                return TypedResults.Ok(plan);
            })
            .WithName("TranslatePlan")
            .WithSummary("Write the plan's goals, outcomes and indicators in a member language (secretariat); answers with the plan in it")
            .WithDescription("lang is km, lo, my, th, vi or zh. The body is that language's whole translation, by code: goals (title, description), " +
                "outcomes and indicators (title); it replaces the language's earlier one, and a text left out reads in English again. " +
                "Each code must be the plan's. The same translation again is a 409. Recorded as an event with who wrote it.")
            .WriteResponses<PlanDto>();
}
