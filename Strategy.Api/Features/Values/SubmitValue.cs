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
using Strategy.Domain.Rounds;
using Strategy.Infrastructure.Queries;

namespace Strategy.Api.Features.Values;

public sealed record SubmitValueBody([property: Required] double? Value, [property: Required] DateOnly? AsOf, string? Round, Guid? Supersedes, string? Note,
    IReadOnlyList<Guid>? Evidence, string? EvidenceUrl);

[AllowedRoles(Role.Secretariat, Role.Admin, Role.FocalPoint)]
public sealed record SubmitCommitmentValue(Guid Id, long? ExpectedVersion, SubmitValueBody Body) : ICommand<CommitmentWriteResult>;

public sealed class SubmitCommitmentValueValidator : AbstractValidator<SubmitCommitmentValue>
{
    public SubmitCommitmentValueValidator()
    {
        RuleFor(x => x.Body.Value).NotNull().OverridePropertyName("value");
        RuleFor(x => x.Body.AsOf).NotNull().OverridePropertyName("asOf");
        RuleFor(x => x.Body.Round).MaximumLength(64).OverridePropertyName("round");
        RuleFor(x => x.Body.Evidence).Must(e => e is null || e.Count <= ValueDecisions.MaxEvidence)
            .WithMessage($"At most {ValueDecisions.MaxEvidence} files.").OverridePropertyName("evidence");
    }
}

public sealed class SubmitCommitmentValueHandler(IDocumentSession session, CurrentActor actor, TimeProvider clock, HealthThresholds thresholds, EvidenceLookup evidence)
    : ICommandHandler<SubmitCommitmentValue, CommitmentWriteResult>
{
    public async ValueTask<CommitmentWriteResult> Handle(SubmitCommitmentValue command, CancellationToken ct)
    {
        var body = command.Body;
        var now = clock.GetUtcNow();
        return await CommitmentWrites.Decide(session, command.Id, command.ExpectedVersion, async state =>
            {
                var rounds = (await session.QueryAsync(new RoundsOfPlan { Plan = state.PlanCode }, ct)).ToList();
                var files = await evidence.ForCommitmentAsync(state.Id, body.Evidence ?? [], ct);
                var submit = new SubmitValue(body.Value!.Value, body.AsOf!.Value, body.Round, body.Supersedes, body.Note, files, body.EvidenceUrl);
                return ValueDecisions.Submit(state, submit, rounds, Guid.CreateVersion7(), actor.Actor, MemberTime.TodayFor(actor.Actor, now));
            }, clock, thresholds, ct);
    }
}

public static class SubmitValueEndpoint
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapCommitmentWrite<SubmitValueBody>(HttpMethods.Post, "/commitments/{id:guid}/progress", (id, expected, body) => new SubmitCommitmentValue(id, expected, body))
            .WithName("ReportProgress")
            .WithSummary("Report an indicator value for a commitment")
            .WithDescription("value in the indicator's unit as of a date (not in the future, in the reporting country's time zone). A focal point's value is submitted: it counts in official figures " +
                "(health, progress, reports) once the secretariat accepts it; the secretariat's own values, and all values of a plan created with review off, are accepted on entry. " +
                "round (a round's code) defaults to the open round whose period holds asOf; once a plan has rounds, a focal point's value that no open round takes gets 409; after the deadline it is taken, marked late. " +
                "supersedes: the id of a returned value this one corrects. evidence: ids of files uploaded to this commitment. Of several accepted values for one date, the last accepted counts. " +
                "Secretariat, or the focal point of the commitment's country.");
}
