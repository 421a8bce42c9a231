using System.ComponentModel.DataAnnotations;
using FluentValidation;
using Marten;
using Mediator;
using Strategy.Api.Auth;
using Strategy.Api.Http;
using Strategy.Api.Pipeline;
using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Domain.Plans;
using Strategy.Domain.Progress;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Features.Commitments;

public sealed record MakeCommitmentBody(string? Code, [property: Required] string? Country, [property: Required] string? Outcome,
    [property: Required] string? Title, string? Description, [property: Required] string? LeadAgency, [property: Required] DateOnly? Due, string? Indicator, double? Baseline, double? Target, DateOnly? Start = null)
{
    public MakeCommitment ToCommand() => new(Code, Country!, Outcome!, Title ?? "", Description, LeadAgency!, Due!.Value, Indicator, Baseline, Target, Start);
}

public sealed class MakeCommitmentBodyValidator : AbstractValidator<MakeCommitmentBody>
{
    public MakeCommitmentBodyValidator()
    {
        RuleFor(x => x.Country).NotEmpty();
        RuleFor(x => x.Outcome).NotEmpty();
        RuleFor(x => x.Title).NotNull();
        RuleFor(x => x.LeadAgency).NotEmpty();
        RuleFor(x => x.Due).NotNull();
    }
}

[AllowedRoles(Role.Secretariat, Role.Admin, Role.FocalPoint)]
public sealed record MakeCommitmentInPlan(string PlanCode, long? ExpectedVersion, MakeCommitmentBody Body) : ICommand<CommitmentWriteResult>;

public sealed class MakeCommitmentInPlanValidator : AbstractValidator<MakeCommitmentInPlan>
{
    public MakeCommitmentInPlanValidator() => RuleFor(x => x.Body).SetValidator(new MakeCommitmentBodyValidator()).OverridePropertyName("");
}

public sealed class MakeCommitmentInPlanHandler(IDocumentSession session, CurrentActor actor, TimeProvider clock, HealthThresholds thresholds)
    : ICommandHandler<MakeCommitmentInPlan, CommitmentWriteResult>
{
    public async ValueTask<CommitmentWriteResult> Handle(MakeCommitmentInPlan command, CancellationToken ct)
    {
        var plan = await session.LoadAsync<PlanView>(StreamIds.ForPlan(command.PlanCode), ct)
            ?? throw RejectedException.NotFound($"No plan {command.PlanCode}.");
        if (command.ExpectedVersion is { } expected && expected != plan.Version)
            throw new PreconditionFailedException($"Plan {plan.Code} is at version {plan.Version}, not {expected}.");

        var made = command.Body.ToCommand();
        var id = await NewCommitments.Start(session, plan.Plan, made, actor.Actor, MemberTime.Today(made.Country, clock.GetUtcNow()), new HashSet<string>(), ct);
        await session.SaveChangesAsync(ct);
        var saved = await session.LoadAsync<CommitmentView>(id, ct) ?? throw new InvalidOperationException("The inline view was not written.");
        return new CommitmentWriteResult(CommitmentDto.From(saved, clock.GetUtcNow(), thresholds), saved.Version);
    }
}

/// <summary>Starting a commitment's stream, shared by the commitment endpoint and plan import.</summary>
public static class NewCommitments
{
    /// <param name="madeOn">The day it is made in its country: its start unless the command gives one.</param>
    /// <param name="pendingCodes">Codes taken by commitments started earlier in the same unit of work (plan import).</param>
    public static async Task<Guid> Start(IDocumentSession session, Plan plan, MakeCommitment command, Actor actor, DateOnly madeOn, ISet<string> pendingCodes, CancellationToken ct)
    {
        var code = command.Code;
        if (string.IsNullOrEmpty(code))
        {
            await LockNumberingAsync(session, plan.Code, command.Country, command.Outcome, ct);
            code = await NextCode(session, plan.Code, command.Country, command.Outcome, pendingCodes, ct);
        }
        else if (pendingCodes.Contains(code) || await session.Query<CommitmentView>().AnyAsync(x => x.State.PlanCode == plan.Code && x.State.Code == code, ct))
        {
            throw new RejectedException(Rejection.Conflict($"Commitment {code} already exists in plan {plan.Code}."));
        }

        var id = Guid.CreateVersion7();
        var decision = CommitmentDecisions.Make(plan, command, code, id, actor, madeOn);
        if (!decision.IsAccepted) throw new RejectedException(decision.Rejection!);
        session.Events.StartStream<Commitment>(id, decision.Events.ToArray());
        pendingCodes.Add(code);
        return id;
    }

    /// <summary>
    /// Numbering reads the codes taken and picks the next, so two makers for the same country and outcome must not
    /// interleave: each takes a transaction-scoped advisory lock first (released when its transaction ends), and the
    /// second reads the first's code once it has committed.
    /// </summary>
    private static async Task LockNumberingAsync(IDocumentSession session, string planCode, string country, string outcome, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        var key = BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"numbering|{planCode}|{country}|{outcome}")));
        await using var command = new Npgsql.NpgsqlCommand("select pg_advisory_xact_lock(@key)", session.Connection);
        command.Parameters.AddWithValue("key", key);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>COUNTRY-OUTCOME-NN, the convention of the seed plan, numbered after the highest taken.</summary>
    private static async Task<string> NextCode(IDocumentSession session, string planCode, string country, string outcome, ISet<string> pending, CancellationToken ct)
    {
        var prefix = $"{country}-{outcome}-";
        var taken = await session.Query<CommitmentView>()
            .Where(x => x.State.PlanCode == planCode && x.State.Code.StartsWith(prefix))
            .Select(x => x.State.Code)
            .ToListAsync(ct);
        var used = taken.Concat(pending.Where(p => p.StartsWith(prefix, StringComparison.Ordinal))).ToHashSet();
        var n = used.Count + 1;
        while (used.Contains($"{prefix}{n:00}")) n++;
        return $"{prefix}{n:00}";
    }
}

public static class MakeCommitmentEndpoint
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapPost("/plans/{code}/commitments", async (string code, MakeCommitmentBody body, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var result = await mediator.Send(new MakeCommitmentInPlan(code, Versions.ExpectedVersion(http.Request), body), ct);
                Versions.SetETag(http.Response, result.Version);
                return TypedResults.Created($"/api/commitments/{result.Commitment.Id}", result.Commitment);
            })
            .WithName("MakeCommitment")
            .WithSummary("Make a country commitment under an outcome")
            .WithDescription("Secretariat for any member country; a focal point for its own country only. code is optional (COUNTRY-OUTCOME-NN is generated). start (from which expected progress is measured) defaults to the day it is made in the country's time zone, not before the plan starts. baseline and target default from the indicator: 0 and the indicator's target for cumulative units (count, hectares, MW), the indicator's baseline and target for levels (percent, ug/m3). If-Match, when given, is the plan's version.")
            .WriteResponses<CommitmentDto>(created: true);
}
