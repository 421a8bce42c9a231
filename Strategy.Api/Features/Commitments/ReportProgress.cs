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

public sealed record ReportProgressBody(double? Value, DateOnly? AsOf, string? Note, string? EvidenceUrl);

[AllowedRoles(Role.Secretariat, Role.Admin, Role.FocalPoint)]
public sealed record ReportProgress(Guid Id, long? ExpectedVersion, ReportProgressBody Body) : ICommand<CommitmentWriteResult>;

public sealed class ReportProgressValidator : AbstractValidator<ReportProgress>
{
    public ReportProgressValidator()
    {
        RuleFor(x => x.Body.Value).NotNull().OverridePropertyName("value");
        RuleFor(x => x.Body.AsOf).NotNull().OverridePropertyName("asOf");
    }
}

public sealed class ReportProgressHandler(IDocumentSession session, CurrentActor actor, TimeProvider clock, HealthThresholds thresholds)
    : ICommandHandler<ReportProgress, CommitmentWriteResult>
{
    public async ValueTask<CommitmentWriteResult> Handle(ReportProgress command, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var body = command.Body;
        return await CommitmentWrites.Decide(session, command.Id, command.ExpectedVersion,
            state => CommitmentDecisions.ReportProgress(state, body.Value!.Value, body.AsOf!.Value, body.Note, body.EvidenceUrl, actor.Actor, today),
            clock, thresholds, ct);
    }
}

public static class ReportProgressEndpoint
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapCommitmentWrite<ReportProgressBody>(HttpMethods.Post, "/commitments/{id:guid}/progress", (id, expected, body) => new ReportProgress(id, expected, body))
            .WithName("ReportProgress")
            .WithSummary("Report an indicator value for a commitment")
            .WithDescription("value in the indicator's unit as of a date (not in the future). A later report for the same date corrects the earlier one. Secretariat, or the focal point of the commitment's country.");
}
