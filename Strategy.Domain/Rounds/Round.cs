namespace Strategy.Domain.Rounds;

/// <summary>An event on a reporting round's stream.</summary>
public interface IRoundEvent : IDomainEvent
{
    Guid RoundId { get; }
}

public sealed record RoundOpened(Guid RoundId, string Plan, string Code, string? Title, DateOnly PeriodStart, DateOnly PeriodEnd, DateOnly Deadline) : IRoundEvent;

public sealed record RoundDeadlineMoved(Guid RoundId, DateOnly From, DateOnly To, string Reason) : IRoundEvent;

public sealed record RoundClosed(Guid RoundId, string? Note) : IRoundEvent;

/// <summary>
/// A reporting round: the secretariat collects values whose date falls in the period, by the deadline. Submissions
/// after the deadline are still taken, marked late; once the round is closed, none is.
/// </summary>
public sealed record Round(Guid Id, string Plan, string Code, string? Title, DateOnly PeriodStart, DateOnly PeriodEnd, DateOnly Deadline, bool Closed)
{
    public bool Holds(DateOnly asOf) => asOf >= PeriodStart && asOf <= PeriodEnd;

    /// <summary>A submission made on <paramref name="today"/> (the submitter's date) is late after the deadline day.</summary>
    public bool IsLateOn(DateOnly today) => today > Deadline;

    public static Round Evolve(Round? state, IRoundEvent @event) => @event switch
    {
        RoundOpened e => new Round(e.RoundId, e.Plan, e.Code, e.Title, e.PeriodStart, e.PeriodEnd, e.Deadline, false),
        RoundDeadlineMoved e when state is not null => state with { Deadline = e.To },
        RoundClosed when state is not null => state with { Closed = true },
        _ => throw new InvalidOperationException($"A round does not take {@event.GetType().Name} in this order."),
    };
}

public sealed record OpenRound(string Code, string? Title, DateOnly PeriodStart, DateOnly PeriodEnd, DateOnly Deadline);

/// <summary>Only the secretariat runs rounds. Codes are unique within a plan; periods lie within the plan's.</summary>
public static class RoundDecisions
{
    /// <summary>Rounds a plan may have: monthly rounds for sixteen years; it bounds the list of a plan's rounds.</summary>
    public const int MaxRounds = 200;

    public static Decision Open(Plans.Plan plan, IReadOnlyCollection<Round> existing, OpenRound cmd, Guid id, Actor actor)
    {
        if (!actor.ActsForSecretariat) return Rejection.Forbidden("Only the secretariat opens reporting rounds.");
        if (Codes.CheckCode("code", cmd.Code) is { } badCode) return badCode;
        if (cmd.Title is not null && Codes.CheckTitle("title", cmd.Title) is { } badTitle) return badTitle;
        if (cmd.PeriodEnd < cmd.PeriodStart) return Rejection.Invalid("periodEnd", "The period must not end before it starts.");
        if (!plan.Covers(cmd.PeriodStart)) return Rejection.Invalid("periodStart", $"Must fall within the plan period {plan.Start:yyyy-MM-dd} to {plan.End:yyyy-MM-dd}.");
        if (!plan.Covers(cmd.PeriodEnd)) return Rejection.Invalid("periodEnd", $"Must fall within the plan period {plan.Start:yyyy-MM-dd} to {plan.End:yyyy-MM-dd}.");
        if (cmd.Deadline < cmd.PeriodEnd) return Rejection.Invalid("deadline", "Must not be before the period ends.");
        if (existing.Any(r => r.Code == cmd.Code)) return Rejection.Conflict($"Round {cmd.Code} already exists in plan {plan.Code}.");
        if (existing.Count >= MaxRounds) return Rejection.Conflict($"Plan {plan.Code} has {MaxRounds} rounds, the most a plan may have.");
        return Decision.Accept(new RoundOpened(id, plan.Code, cmd.Code, cmd.Title?.Trim(), cmd.PeriodStart, cmd.PeriodEnd, cmd.Deadline));
    }

    public static Decision MoveDeadline(Round round, DateOnly deadline, string? reason, Actor actor)
    {
        if (!actor.ActsForSecretariat) return Rejection.Forbidden("Only the secretariat moves a round's deadline.");
        if (round.Closed) return Rejection.Conflict($"Round {round.Code} is closed.");
        if (Codes.CheckText("reason", reason, required: true) is { } badReason) return badReason;
        if (deadline < round.PeriodEnd) return Rejection.Invalid("deadline", "Must not be before the period ends.");
        if (deadline == round.Deadline) return Rejection.Conflict($"The deadline is already {deadline:yyyy-MM-dd}.");
        return Decision.Accept(new RoundDeadlineMoved(round.Id, round.Deadline, deadline, reason!));
    }

    public static Decision Close(Round round, string? note, Actor actor)
    {
        if (!actor.ActsForSecretariat) return Rejection.Forbidden("Only the secretariat closes a round.");
        if (round.Closed) return Rejection.Conflict($"Round {round.Code} is already closed.");
        if (Codes.CheckText("note", note) is { } badNote) return badNote;
        return Decision.Accept(new RoundClosed(round.Id, note));
    }
}
