using System.ComponentModel.DataAnnotations;
using FluentValidation;
using Hangfire;
using Marten;
using Mediator;
using Strategy.Api.Auth;
using Strategy.Api.Http;
using Strategy.Api.Pipeline;
using Strategy.Domain;
using Strategy.Domain.Reports;
using Strategy.Domain.Rounds;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Features.Reports;

public sealed record RequestReportBody([property: Required] ReportKind? Kind, [property: Required] string? Plan, DateTimeOffset? AsOf, IReadOnlyList<string>? Countries, string? Round = null);

[AllowedRoles(Role.Secretariat, Role.Admin, Role.Reviewer)]
public sealed record RequestReport(RequestReportBody Body, string? Schedule = null) : ICommand<ReportAccepted>;

public sealed class RequestReportValidator : AbstractValidator<RequestReport>
{
    public RequestReportValidator()
    {
        RuleFor(x => x.Body.Kind).NotNull().OverridePropertyName("kind");
        RuleFor(x => x.Body.Plan).NotEmpty().OverridePropertyName("plan");
        RuleFor(x => x.Body.Countries).Must(c => c is null || c.Count <= 50).OverridePropertyName("countries");
        RuleFor(x => x.Body.Round).MaximumLength(64).OverridePropertyName("round");
    }
}

/// <summary>Records the request as the report's first event, then queues the job that computes it.</summary>
public sealed class RequestReportHandler(IDocumentSession session, CurrentActor actor, TimeProvider clock, IBackgroundJobClient jobs, RequestTransaction transaction)
    : ICommandHandler<RequestReport, ReportAccepted>
{
    public async ValueTask<ReportAccepted> Handle(RequestReport command, CancellationToken ct)
    {
        var body = command.Body;
        var plan = await session.LoadAsync<PlanView>(StreamIds.ForPlan(body.Plan!), ct)
            ?? throw RejectedException.Invalid("plan", $"Unknown plan {body.Plan}.");
        // A report as of an instant before the plan existed could only fail, however often its job were retried.
        if (body.AsOf < plan.CreatedAt)
            throw RejectedException.Invalid("asOf", $"Plan {plan.Code} was created at {plan.CreatedAt:O}; there is nothing to report before then.");
        var id = Guid.CreateVersion7();
        var round = body.Round is { } code ? await session.Query<Round>().FirstOrDefaultAsync(r => r.Plan == plan.Code && r.Code == code, ct) : null;
        var decision = ReportDecisions.Request(plan.Plan, id, body.Kind!.Value, body.AsOf, body.Countries ?? [], actor.Actor, clock.GetUtcNow(),
            command.Schedule, body.Round, round);
        if (!decision.IsAccepted) throw new RejectedException(decision.Rejection!);
        session.Events.StartStream<ReportView>(id, decision.Events.ToArray());
        await session.SaveChangesAsync(ct);
        // Queued once the request is committed (with an Idempotency-Key that is when the request's transaction
        // commits), so a job never runs for a report that does not exist yet. Should the queueing itself fail, the
        // report stays queued and the recurring sweep queues it again.
        transaction.AfterCommit(() => jobs.Enqueue<ReportJob>(job => job.Run(id, CancellationToken.None)));
        return new ReportAccepted(id, ReportStatus.Queued);
    }
}

public static class RequestReportEndpoint
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapPost("/reports", async (RequestReportBody body, IMediator mediator, CancellationToken ct) =>
            {
                var accepted = await mediator.Send(new RequestReport(body), ct);
                return TypedResults.Accepted($"/api/reports/{accepted.Id}", accepted);
            })
            .WithName("RequestReport")
            .WithSummary("Request a progress or SDG-alignment report (secretariat, admin, and reviewer to re-derive a published one); it is computed by a background job")
            .WithDescription("kind: progress | sdg-alignment; plan: the plan's code; asOf: an instant (default: now, health evaluated today); countries: a subset of the plan's members (default: all). " +
                "round (progress only, not with asOf): a round's code; values dated up to the round's period end count as accepted when the report runs, health is evaluated at the period end, " +
                "the report carries the round's completeness per country and says provisional until the round is closed. " +
                "Answers 202 with Location /api/reports/{id}; GET it (with ?wait=N to wait up to N seconds) until status is succeeded or failed.")
            .Produces<ReportAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
}
