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

public sealed record ChangeStatusBody([property: Required] CommitmentStatus? Status, string? Note);

[AllowedRoles(Role.Secretariat, Role.Admin, Role.FocalPoint)]
public sealed record ChangeCommitmentStatus(Guid Id, long? ExpectedVersion, ChangeStatusBody Body) : ICommand<CommitmentWriteResult>;

public sealed class ChangeCommitmentStatusValidator : AbstractValidator<ChangeCommitmentStatus>
{
    public ChangeCommitmentStatusValidator() => RuleFor(x => x.Body.Status).NotNull().OverridePropertyName("status");
}

public sealed class ChangeCommitmentStatusHandler(IDocumentSession session, CurrentActor actor, TimeProvider clock, HealthThresholds thresholds)
    : ICommandHandler<ChangeCommitmentStatus, CommitmentWriteResult>
{
    public async ValueTask<CommitmentWriteResult> Handle(ChangeCommitmentStatus command, CancellationToken ct) =>
        await CommitmentWrites.Decide(session, command.Id, command.ExpectedVersion,
            state => CommitmentDecisions.ChangeStatus(state, command.Body.Status!.Value, command.Body.Note, actor.Actor), clock, thresholds, ct);
}

public static class ChangeStatusEndpoint
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapCommitmentWrite<ChangeStatusBody>(HttpMethods.Post, "/commitments/{id:guid}/status", (id, expected, body) => new ChangeCommitmentStatus(id, expected, body))
            .WithName("ChangeCommitmentStatus")
            .WithSummary("Declare a commitment's status")
            .WithDescription("Secretariat, or the focal point of the commitment's country. completed and cancelled are final: only the secretariat reopens them, with a note. If-Match makes it conditional (412 when stale); Idempotency-Key makes a retry safe.");
}
