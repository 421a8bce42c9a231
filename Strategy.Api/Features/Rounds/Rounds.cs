using System.ComponentModel.DataAnnotations;
using FluentValidation;
using Marten;
using Mediator;
using Strategy.Api.Auth;
using Strategy.Api.Http;
using Strategy.Api.Pipeline;
using Strategy.Domain;
using Strategy.Domain.Rounds;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;
using Strategy.Infrastructure.Values;

namespace Strategy.Api.Features.Rounds;

public sealed record OpenRoundBody([property: Required] string? Code, string? Title, [property: Required] DateOnly? PeriodStart,
    [property: Required] DateOnly? PeriodEnd, [property: Required] DateOnly? Deadline);

public sealed record MoveDeadlineBody([property: Required] DateOnly? Deadline, [property: Required] string? Reason);

public sealed record CloseRoundBody(string? Note);

public enum RoundState { Open, Closed }

/// <summary>A round, and for a single round read its completeness per country.</summary>
public sealed record RoundDto(Guid Id, string Plan, string Code, string? Title, DateOnly PeriodStart, DateOnly PeriodEnd, DateOnly Deadline,
    RoundState State, DateTimeOffset OpenedAt, ActorRef OpenedBy, DateTimeOffset? ClosedAt, ActorRef? ClosedBy, long Version,
    IReadOnlyList<CountryCompleteness>? Completeness)
{
    public static RoundDto From(RoundView v, IReadOnlyList<CountryCompleteness>? completeness = null)
    {
        var r = v.State;
        return new RoundDto(v.Id, r.Plan, r.Code, r.Title, r.PeriodStart, r.PeriodEnd, r.Deadline, r.Closed ? RoundState.Closed : RoundState.Open,
            v.OpenedAt, v.OpenedBy, v.ClosedAt, v.ClosedBy, v.Version, completeness);
    }
}

public sealed record RoundWriteResult(RoundDto Round, long Version);

[AllowedRoles(Role.Secretariat, Role.Admin)]
/// <param name="ExpectedVersion">If-Match: the plan's version, as for the plan's other additions.</param>
public sealed record OpenReportingRound(string Plan, long? ExpectedVersion, OpenRoundBody Body) : ICommand<RoundWriteResult>;

[AllowedRoles(Role.Secretariat, Role.Admin)]
public sealed record MoveRoundDeadline(Guid Id, long? ExpectedVersion, MoveDeadlineBody Body) : ICommand<RoundWriteResult>;

[AllowedRoles(Role.Secretariat, Role.Admin)]
public sealed record CloseReportingRound(Guid Id, long? ExpectedVersion, CloseRoundBody Body) : ICommand<RoundWriteResult>;

public sealed class OpenReportingRoundValidator : AbstractValidator<OpenReportingRound>
{
    public OpenReportingRoundValidator()
    {
        RuleFor(x => x.Body.Code).NotEmpty().OverridePropertyName("code");
        RuleFor(x => x.Body.PeriodStart).NotNull().OverridePropertyName("periodStart");
        RuleFor(x => x.Body.PeriodEnd).NotNull().OverridePropertyName("periodEnd");
        RuleFor(x => x.Body.Deadline).NotNull().OverridePropertyName("deadline");
    }
}

public sealed class MoveRoundDeadlineValidator : AbstractValidator<MoveRoundDeadline>
{
    public MoveRoundDeadlineValidator()
    {
        RuleFor(x => x.Body.Deadline).NotNull().OverridePropertyName("deadline");
        RuleFor(x => x.Body.Reason).NotEmpty().OverridePropertyName("reason");
    }
}

public sealed class RoundWriteHandlers(IDocumentSession session, CurrentActor actor)
    : ICommandHandler<OpenReportingRound, RoundWriteResult>, ICommandHandler<MoveRoundDeadline, RoundWriteResult>, ICommandHandler<CloseReportingRound, RoundWriteResult>
{
    public async ValueTask<RoundWriteResult> Handle(OpenReportingRound command, CancellationToken ct)
    {
        var plan = await session.LoadAsync<PlanView>(StreamIds.ForPlan(command.Plan), ct) ?? throw RejectedException.NotFound($"No plan {command.Plan}.");
        if (command.ExpectedVersion is { } expected && expected != plan.Version)
            throw new PreconditionFailedException($"Plan {plan.Code} is at version {plan.Version}, not {expected}.");
        var existing = await session.Query<Round>().Where(r => r.Plan == plan.Code).ToListAsync(ct);
        var b = command.Body;
        var id = Guid.CreateVersion7();
        var decision = RoundDecisions.Open(plan.Plan, existing, new OpenRound(b.Code!, b.Title, b.PeriodStart!.Value, b.PeriodEnd!.Value, b.Deadline!.Value), id, actor.Actor);
        if (!decision.IsAccepted) throw new RejectedException(decision.Rejection!);
        session.Events.StartStream<Round>(id, decision.Events.ToArray());
        await session.SaveChangesAsync(ct);
        return await Saved(id, ct);
    }

    public async ValueTask<RoundWriteResult> Handle(MoveRoundDeadline command, CancellationToken ct) =>
        await Decide(command.Id, command.ExpectedVersion, r => RoundDecisions.MoveDeadline(r, command.Body.Deadline!.Value, command.Body.Reason, actor.Actor), ct);

    public async ValueTask<RoundWriteResult> Handle(CloseReportingRound command, CancellationToken ct) =>
        await Decide(command.Id, command.ExpectedVersion, r => RoundDecisions.Close(r, command.Body.Note, actor.Actor), ct);

    private async Task<RoundWriteResult> Decide(Guid id, long? expectedVersion, Func<Round, Decision> decide, CancellationToken ct)
    {
        // No round has the empty id, and Marten refuses it as a stream id with an exception.
        if (id == Guid.Empty) throw RejectedException.NotFound($"No round {id}.");
        JasperFx.Events.IEventStream<Round> stream;
        try
        {
            stream = expectedVersion is { } v
                ? await session.Events.FetchForWriting<Round>(id, v, ct)
                : await session.Events.FetchForExclusiveWriting<Round>(id, ct);
        }
        catch (JasperFx.ConcurrencyException)
        {
            if (await session.LoadAsync<Round>(id, ct) is null) throw RejectedException.NotFound($"No round {id}.");
            throw;
        }
        if (stream.Aggregate is not { } round) throw RejectedException.NotFound($"No round {id}.");
        var decision = decide(round);
        if (!decision.IsAccepted) throw new RejectedException(decision.Rejection!);
        stream.AppendMany(decision.Events.ToArray());
        await session.SaveChangesAsync(ct);
        return await Saved(id, ct);
    }

    private async Task<RoundWriteResult> Saved(Guid id, CancellationToken ct)
    {
        var view = await session.LoadAsync<RoundView>(id, ct) ?? throw new InvalidOperationException("The inline round view was not written.");
        return new RoundWriteResult(RoundDto.From(view), view.Version);
    }
}

public sealed record ListRounds(string Plan) : IQuery<IReadOnlyList<RoundDto>>;

public sealed record GetRound(Guid Id) : IQuery<RoundWriteResult>;

public sealed class RoundQueryHandlers(IQuerySession session)
    : IQueryHandler<ListRounds, IReadOnlyList<RoundDto>>, IQueryHandler<GetRound, RoundWriteResult>
{
    public async ValueTask<IReadOnlyList<RoundDto>> Handle(ListRounds query, CancellationToken ct)
    {
        if (await session.LoadAsync<PlanView>(StreamIds.ForPlan(query.Plan), ct) is null) throw RejectedException.NotFound($"No plan {query.Plan}.");
        var rounds = await session.Query<RoundView>().Where(r => r.State.Plan == query.Plan).ToListAsync(ct);
        return [.. rounds.OrderByDescending(r => r.State.PeriodEnd).ThenByDescending(r => r.OpenedAt).Select(r => RoundDto.From(r))];
    }

    public async ValueTask<RoundWriteResult> Handle(GetRound query, CancellationToken ct)
    {
        var view = await session.LoadAsync<RoundView>(query.Id, ct) ?? throw RejectedException.NotFound($"No round {query.Id}.");
        var plan = await session.LoadAsync<PlanView>(StreamIds.ForPlan(view.State.Plan), ct) ?? throw RejectedException.NotFound($"No plan {view.State.Plan}.");
        var completeness = await ValueReads.CompletenessAsync(session, plan.Plan, view.State, ct);
        return new RoundWriteResult(RoundDto.From(view, completeness), view.Version);
    }
}

public static class RoundEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/plans/{code}/rounds", async (string code, OpenRoundBody body, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var result = await mediator.Send(new OpenReportingRound(code, Versions.ExpectedVersion(http.Request), body), ct);
                Versions.SetETag(http.Response, result.Version);
                return TypedResults.Created($"/api/rounds/{result.Round.Id}", result.Round);
            })
            .WithName("OpenRound")
            .WithSummary("Open a reporting round for a plan (secretariat)")
            .WithDescription("code unique within the plan (e.g. 2026-Q4); periodStart and periodEnd within the plan's period; deadline not before the period ends. Values dated in the period go to the round until it is closed; after the deadline they are taken, marked late. If-Match, when given, is the plan's version; the ETag answered is the round's.")
            .WriteResponses<RoundDto>(created: true);

        api.MapGet("/plans/{code}/rounds", async (string code, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListRounds(code), ct)))
            .WithName("ListRounds")
            .WithSummary("A plan's reporting rounds, newest first")
            .WithDescription($"Each with its period, deadline, state and completeness per country. A plan has at most {RoundDecisions.MaxRounds} rounds.")
            .ReadResponses<IReadOnlyList<RoundDto>>(maxItems: RoundDecisions.MaxRounds);

        api.MapGet("/rounds/{id:guid}", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var result = await mediator.Send(new GetRound(id), ct);
                Versions.SetETag(http.Response, result.Version);
                return TypedResults.Ok(result.Round);
            })
            .WithName("GetRound")
            .WithSummary("A round and its completeness per country")
            .WithDescription("Per member country: commitments (not withdrawn), and of those how many have no value in the round (missing), or whose furthest value is submitted, returned or accepted; late counts those whose counting value came after the deadline.")
            .ReadResponses<RoundDto>();

        api.MapMethods("/rounds/{id:guid}", [HttpMethods.Patch], async (Guid id, MoveDeadlineBody body, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var result = await mediator.Send(new MoveRoundDeadline(id, Versions.ExpectedVersion(http.Request), body), ct);
                Versions.SetETag(http.Response, result.Version);
                return TypedResults.Ok(result.Round);
            })
            .WithName("MoveRoundDeadline")
            .WithSummary("Move a round's deadline, with a reason (secretariat)")
            .WithDescription("deadline (not before the period ends) and reason are required; values submitted after the new deadline count as late.")
            .WriteResponses<RoundDto>();

        api.MapPost("/rounds/{id:guid}/close", async (Guid id, CloseRoundBody body, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var result = await mediator.Send(new CloseReportingRound(id, Versions.ExpectedVersion(http.Request), body), ct);
                Versions.SetETag(http.Response, result.Version);
                return TypedResults.Ok(result.Round);
            })
            .WithName("CloseRound")
            .WithSummary("Close a round (secretariat): later submissions to it get 409, and its reports are no longer provisional")
            .WithDescription("note is optional. Closing twice is a 409.")
            .WriteResponses<RoundDto>();
    }
}
