using FluentValidation;
using Marten;
using Mediator;
using Strategy.Api.Auth;
using Strategy.Api.Features.Plans;
using Strategy.Api.Http;
using Strategy.Api.Pipeline;
using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Domain.Progress;

namespace Strategy.Api.Features.Commitments;

[AllowedRoles(Role.Secretariat, Role.Admin, Role.FocalPoint)]
public sealed record TranslateCommitment(Guid Id, string Language, long? ExpectedVersion, TranslationBody Body) : ICommand<CommitmentWriteResult>;

public sealed class TranslateCommitmentValidator : AbstractValidator<TranslateCommitment>
{
    public TranslateCommitmentValidator() => RuleFor(x => x.Body.Title).NotEmpty().OverridePropertyName("title");
}

public sealed class TranslateCommitmentHandler(IDocumentSession session, CurrentActor actor, TimeProvider clock, HealthThresholds thresholds)
    : ICommandHandler<TranslateCommitment, CommitmentWriteResult>
{
    public async ValueTask<CommitmentWriteResult> Handle(TranslateCommitment command, CancellationToken ct) =>
        await CommitmentWrites.Decide(session, command.Id, command.ExpectedVersion,
            state => CommitmentDecisions.Translate(state, command.Language, TranslationBody.ToText(command.Body), actor.Actor),
            clock, thresholds, ct, command.Language);
}

public static class TranslateCommitmentEndpoint
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapPut("/commitments/{id:guid}/translations/{lang}", async (Guid id, string lang, TranslationBody body, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var result = await mediator.Send(new TranslateCommitment(id, lang, Versions.ExpectedVersion(http.Request), body), ct);
                Versions.SetETag(http.Response, result.Version);
                return TypedResults.Ok(result.Commitment);
            })
            .WithName("TranslateCommitment")
            .WithSummary("Write a commitment's title and description in a member language (secretariat; its country's focal point)")
            .WithDescription("lang is km, lo, my, th, vi or zh. It replaces that language's earlier translation; the same again is a 409. " +
                "Recorded as an event in the commitment's history with who wrote it; the answer is the commitment in that language.")
            .WriteResponses<CommitmentDto>();
}
