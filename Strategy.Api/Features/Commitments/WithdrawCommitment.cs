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

public sealed record WithdrawBody([property: Required] string? Reason);

[AllowedRoles(Role.Secretariat, Role.Admin)]
public sealed record WithdrawCommitment(Guid Id, long? ExpectedVersion, WithdrawBody Body) : ICommand<CommitmentWriteResult>;

/// <summary>Undoes a withdrawal made in error.</summary>
[AllowedRoles(Role.Secretariat, Role.Admin)]
public sealed record RestoreCommitment(Guid Id, long? ExpectedVersion, WithdrawBody Body) : ICommand<CommitmentWriteResult>;

public sealed class WithdrawCommitmentValidator : AbstractValidator<WithdrawCommitment>
{
    public WithdrawCommitmentValidator() => RuleFor(x => x.Body.Reason).NotEmpty().OverridePropertyName("reason");
}

public sealed class RestoreCommitmentValidator : AbstractValidator<RestoreCommitment>
{
    public RestoreCommitmentValidator() => RuleFor(x => x.Body.Reason).NotEmpty().OverridePropertyName("reason");
}

public sealed class WithdrawCommitmentHandler(IDocumentSession session, CurrentActor actor, TimeProvider clock, HealthThresholds thresholds)
    : ICommandHandler<WithdrawCommitment, CommitmentWriteResult>, ICommandHandler<RestoreCommitment, CommitmentWriteResult>
{
    public async ValueTask<CommitmentWriteResult> Handle(WithdrawCommitment command, CancellationToken ct) =>
        await CommitmentWrites.Decide(session, command.Id, command.ExpectedVersion,
            state => CommitmentDecisions.Withdraw(state, command.Body.Reason!, actor.Actor), clock, thresholds, ct);

    public async ValueTask<CommitmentWriteResult> Handle(RestoreCommitment command, CancellationToken ct) =>
        await CommitmentWrites.Decide(session, command.Id, command.ExpectedVersion,
            state => CommitmentDecisions.Restore(state, command.Body.Reason!, actor.Actor), clock, thresholds, ct);
}

public static class WithdrawCommitmentEndpoint
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapCommitmentWrite<WithdrawBody>(HttpMethods.Post, "/commitments/{id:guid}/withdraw", (id, expected, body) => new WithdrawCommitment(id, expected, body))
            .WithName("WithdrawCommitment")
            .WithSummary("Withdraw a commitment from the plan (secretariat only)")
            .WithDescription("For a commitment made in error or superseded. A withdrawn commitment accepts no further writes (409) until it is restored.");

    public static void MapRestore(RouteGroupBuilder api) =>
        api.MapCommitmentWrite<WithdrawBody>(HttpMethods.Post, "/commitments/{id:guid}/restore", (id, expected, body) => new RestoreCommitment(id, expected, body))
            .WithName("RestoreCommitment")
            .WithSummary("Restore a commitment withdrawn in error (secretariat only)")
            .WithDescription("Undoes a withdrawal, with a reason; the commitment counts again and accepts writes. 409 when it is not withdrawn.");
}
