using System.ComponentModel.DataAnnotations;
using FluentValidation;
using Marten;
using Mediator;
using Strategy.Api.Auth;
using Strategy.Api.Features.Commitments;
using Strategy.Api.Http;
using Strategy.Api.Pipeline;
using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Domain.Progress;

namespace Strategy.Api.Features.Values;

public sealed record AcceptValueBody(string? Note);

public sealed record ReturnValueBody([property: Required] string? Comment);

public sealed record RetractValueBody([property: Required] string? Reason);

[AllowedRoles(Role.Secretariat, Role.Admin)]
public sealed record AcceptValue(Guid Id, Guid ValueId, long? ExpectedVersion, AcceptValueBody Body) : ICommand<CommitmentWriteResult>;

[AllowedRoles(Role.Secretariat, Role.Admin)]
public sealed record ReturnValue(Guid Id, Guid ValueId, long? ExpectedVersion, ReturnValueBody Body) : ICommand<CommitmentWriteResult>;

[AllowedRoles(Role.Secretariat, Role.Admin, Role.FocalPoint)]
public sealed record RetractValue(Guid Id, Guid ValueId, long? ExpectedVersion, RetractValueBody Body) : ICommand<CommitmentWriteResult>;

public sealed class ReturnValueValidator : AbstractValidator<ReturnValue>
{
    public ReturnValueValidator() => RuleFor(x => x.Body.Comment).NotEmpty().OverridePropertyName("comment");
}

public sealed class RetractValueValidator : AbstractValidator<RetractValue>
{
    public RetractValueValidator() => RuleFor(x => x.Body.Reason).NotEmpty().OverridePropertyName("reason");
}

public sealed class ReviewValueHandlers(IDocumentSession session, CurrentActor actor, TimeProvider clock, HealthThresholds thresholds)
    : ICommandHandler<AcceptValue, CommitmentWriteResult>, ICommandHandler<ReturnValue, CommitmentWriteResult>, ICommandHandler<RetractValue, CommitmentWriteResult>
{
    public async ValueTask<CommitmentWriteResult> Handle(AcceptValue command, CancellationToken ct) =>
        await CommitmentWrites.Decide(session, command.Id, command.ExpectedVersion,
            state => ValueDecisions.Accept(state, command.ValueId, command.Body.Note, actor.Actor), clock, thresholds, ct);

    public async ValueTask<CommitmentWriteResult> Handle(ReturnValue command, CancellationToken ct) =>
        await CommitmentWrites.Decide(session, command.Id, command.ExpectedVersion,
            state => ValueDecisions.Return(state, command.ValueId, command.Body.Comment, Guid.CreateVersion7(), actor.Actor), clock, thresholds, ct);

    public async ValueTask<CommitmentWriteResult> Handle(RetractValue command, CancellationToken ct) =>
        await CommitmentWrites.Decide(session, command.Id, command.ExpectedVersion,
            state => ValueDecisions.Retract(state, command.ValueId, command.Body.Reason, actor.Actor), clock, thresholds, ct);
}

public static class ReviewValueEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapValueWrite<AcceptValueBody>("accept", (id, value, expected, body) => new AcceptValue(id, value, expected, body))
            .WithName("AcceptValue")
            .WithSummary("Accept a submitted value (secretariat): from now on it counts in official figures")
            .WithDescription("Only a submitted value can be accepted (409 otherwise). Of several accepted values for one date, the last accepted counts. Answers with the commitment; its ETag is the commitment's version.");
        api.MapValueWrite<ReturnValueBody>("return", (id, value, expected, body) => new ReturnValue(id, value, expected, body))
            .WithName("ReturnValue")
            .WithSummary("Return a submitted value for correction, with a comment (secretariat)")
            .WithDescription("The comment is required and joins the commitment's thread. The focal point corrects the value by submitting again with supersedes set to this value's id, or retracts it.");
        api.MapValueWrite<RetractValueBody>("retract", (id, value, expected, body) => new RetractValue(id, value, expected, body))
            .WithName("RetractValue")
            .WithSummary("Take back a value: its submitter while it is not accepted; the secretariat any time, which voids it")
            .WithDescription("reason is required. A focal point may retract only values it submitted itself (403 otherwise) and not once accepted (409). The secretariat voids any value not already retracted or voided; a voided accepted value stops counting, and an earlier accepted value of the same date counts again.");
    }

    private static RouteHandlerBuilder MapValueWrite<TBody>(this RouteGroupBuilder api, string action, Func<Guid, Guid, long?, TBody, ICommand<CommitmentWriteResult>> command)
        where TBody : class =>
        api.MapPost($"/commitments/{{id:guid}}/values/{{valueId:guid}}/{action}", async (Guid id, Guid valueId, TBody body, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var result = await mediator.Send(command(id, valueId, Versions.ExpectedVersion(http.Request), body), ct);
                Versions.SetETag(http.Response, result.Version);
                return TypedResults.Ok(result.Commitment);
            })
            .WriteResponses<CommitmentDto>();
}
