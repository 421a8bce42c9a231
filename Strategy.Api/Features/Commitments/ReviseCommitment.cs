using System.ComponentModel.DataAnnotations;
using FluentValidation;
using Marten;
using Mediator;
using Strategy.Api.Auth;
using Strategy.Api.Http;
using Strategy.Api.Pipeline;
using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Domain.Progress;

namespace Strategy.Api.Features.Commitments;

public sealed record ReviseBody(string? Title, string? Description, string? LeadAgency, DateOnly? Due, double? Target, [property: Required] string? Reason);

[AllowedRoles(Role.Secretariat, Role.Admin, Role.FocalPoint)]
public sealed record ReviseCommitmentTerms(Guid Id, long? ExpectedVersion, ReviseBody Body) : ICommand<CommitmentWriteResult>;

public sealed class ReviseCommitmentTermsValidator : AbstractValidator<ReviseCommitmentTerms>
{
    public ReviseCommitmentTermsValidator() => RuleFor(x => x.Body.Reason).NotEmpty().OverridePropertyName("reason");
}

public sealed class ReviseCommitmentTermsHandler(IDocumentSession session, CurrentActor actor, TimeProvider clock, HealthThresholds thresholds)
    : ICommandHandler<ReviseCommitmentTerms, CommitmentWriteResult>
{
    public async ValueTask<CommitmentWriteResult> Handle(ReviseCommitmentTerms command, CancellationToken ct)
    {
        var b = command.Body;
        var revision = new ReviseCommitment(b.Title, b.Description, b.LeadAgency, b.Due, b.Target, b.Reason!);
        return await CommitmentWrites.Decide(session, command.Id, command.ExpectedVersion,
            state => CommitmentDecisions.Revise(state, revision, actor.Actor), clock, thresholds, ct);
    }
}

public static class ReviseCommitmentEndpoint
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapCommitmentWrite<ReviseBody>(HttpMethods.Patch, "/commitments/{id:guid}", (id, expected, body) => new ReviseCommitmentTerms(id, expected, body))
            .WithName("ReviseCommitment")
            .WithSummary("Revise a commitment's terms")
            .WithDescription("Any of title, description, leadAgency, due, target, with a required reason. Only changed fields are recorded, with their old and new values.");
}
