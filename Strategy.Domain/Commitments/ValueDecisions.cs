using Strategy.Domain.Rounds;

namespace Strategy.Domain.Commitments;

public sealed record SubmitValue(double Value, DateOnly AsOf, string? Round, Guid? Supersedes, string? Note,
    IReadOnlyList<EvidenceRef> Evidence, string? EvidenceUrl);

/// <summary>
/// The review cycle of a reported value: submitted -> accepted | returned; returned -> superseded by a corrected
/// submission; submitted | returned -> retracted by its submitter; any not yet retracted or voided -> voided by the
/// secretariat, with a reason. The secretariat's own values, and every value of a plan without review, are accepted
/// on entry. Rounds: a value goes to the round named, or to the open round whose period holds its date; a focal
/// point's value that no open round takes is refused once the plan has rounds; after the deadline it is taken, late.
/// </summary>
public static class ValueDecisions
{
    public const int MaxEvidence = 20;

    /// <summary>Values a commitment may hold, of every state: a monthly figure for 80 years; it bounds the values list a read returns.</summary>
    public const int MaxValues = 1000;

    /// <param name="rounds">The plan's rounds, open and closed.</param>
    /// <param name="today">The submitter's date (its country's, or the secretariat's).</param>
    public static Decision Submit(Commitment state, SubmitValue cmd, IReadOnlyCollection<Round> rounds, Guid valueId, Actor actor, DateOnly today)
    {
        if (CommitmentDecisions.CheckWritable(state, actor) is { } refused) return refused;
        if (state.Status == CommitmentStatus.Cancelled) return Rejection.Conflict("The commitment is cancelled; reopen it before reporting progress.");
        if (state.Values.Count >= MaxValues) return Rejection.Conflict($"The commitment holds {MaxValues} values, the most it may hold.");
        if (Units.CheckValue(state.Unit, cmd.Value) is { } why) return Rejection.Invalid("value", why);
        if (cmd.AsOf > today) return Rejection.Invalid("asOf", $"Must not be in the future (today is {today:yyyy-MM-dd} where the value is reported).");
        if (cmd.AsOf < state.PlanStart) return Rejection.Invalid("asOf", $"Must not be before the plan starts ({state.PlanStart:yyyy-MM-dd}).");
        if (Codes.CheckText("note", cmd.Note) is { } badNote) return badNote;
        if (cmd.EvidenceUrl is not null &&
            (cmd.EvidenceUrl.Length > Codes.MaxUrlLength || !Uri.TryCreate(cmd.EvidenceUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            return Rejection.Invalid("evidenceUrl", $"Must be an absolute http or https URL of at most {Codes.MaxUrlLength} characters.");
        if (cmd.Evidence.Count > MaxEvidence) return Rejection.Invalid("evidence", Codes.TooMany(MaxEvidence));
        if (cmd.Supersedes is { } old)
        {
            if (state.FindValue(old) is not { } returned) return Rejection.Invalid("supersedes", $"No value {old} on this commitment.");
            if (returned.State != ValueState.Returned) return Rejection.Conflict($"Only a returned value can be corrected; value {old} is {Name(returned.State)}.");
            if (returned.SupersededBy is { } by) return Rejection.Conflict($"Value {old} was already corrected by {by}.");
        }

        Round? round;
        if (cmd.Round is { } code)
        {
            round = rounds.FirstOrDefault(r => r.Code == code);
            if (round is null) return Rejection.Invalid("round", $"No round {code} in plan {state.PlanCode}.");
            if (round.Closed) return Rejection.Conflict($"Round {code} is closed.");
            if (!round.Holds(cmd.AsOf))
                return Rejection.Invalid("asOf", $"Round {code} takes values dated {round.PeriodStart:yyyy-MM-dd} to {round.PeriodEnd:yyyy-MM-dd}.");
        }
        else
        {
            round = rounds.Where(r => !r.Closed && r.Holds(cmd.AsOf)).OrderBy(r => r.PeriodEnd).ThenBy(r => r.Code, StringComparer.Ordinal).FirstOrDefault();
            if (round is null && rounds.Count > 0 && !actor.ActsForSecretariat)
                return Rejection.Conflict($"No open round of plan {state.PlanCode} takes values dated {cmd.AsOf:yyyy-MM-dd}.");
        }

        var submitted = new ValueSubmitted(state.Id, valueId, cmd.Value, cmd.AsOf, round?.Code, round?.IsLateOn(today) ?? false,
            cmd.Supersedes, cmd.Note, cmd.Evidence, cmd.EvidenceUrl);
        if (!actor.ActsForSecretariat && state.Review) return Decision.Accept(submitted);
        return Decision.Accept(submitted, Accepted(state, valueId, cmd.AsOf, cmd.Value, null));
    }

    public static Decision Accept(Commitment state, Guid valueId, string? note, Actor actor)
    {
        if (Reviewing(state, valueId, actor, "accepts") is { } refused) return refused;
        if (Codes.CheckText("note", note) is { } badNote) return badNote;
        var value = state.FindValue(valueId)!;
        if (value.State != ValueState.Submitted) return Rejection.Conflict($"Only a submitted value can be accepted; value {valueId} is {Name(value.State)}.");
        return Decision.Accept(Accepted(state, valueId, value.AsOf, value.Value, note));
    }

    public static Decision Return(Commitment state, Guid valueId, string? comment, Guid commentId, Actor actor)
    {
        if (Reviewing(state, valueId, actor, "returns") is { } refused) return refused;
        if (Codes.CheckText("comment", comment, required: true) is { } badComment) return badComment;
        var value = state.FindValue(valueId)!;
        if (value.State != ValueState.Submitted) return Rejection.Conflict($"Only a submitted value can be returned; value {valueId} is {Name(value.State)}.");
        return Decision.Accept(new ValueReturned(state.Id, valueId, commentId, comment!));
    }

    /// <summary>Its submitter retracts a value not yet accepted; the secretariat voids any value, accepted ones included.</summary>
    public static Decision Retract(Commitment state, Guid valueId, string? reason, Actor actor)
    {
        if (CommitmentDecisions.CheckWritable(state, actor) is { } refused) return refused;
        if (state.FindValue(valueId) is not { } value) return new Rejection(RejectionKind.NotFound, $"No value {valueId} on this commitment.");
        if (Codes.CheckText("reason", reason, required: true) is { } badReason) return badReason;
        if (value.State is ValueState.Retracted or ValueState.Voided) return Rejection.Conflict($"Value {valueId} is already {Name(value.State)}.");

        if (actor.ActsForSecretariat) return Decision.Accept(Voided(state, value, reason!));
        if (value.SubmittedBy != actor.Id) return Rejection.Forbidden("Only the value's submitter or the secretariat can take it back.");
        if (value.State == ValueState.Accepted) return Rejection.Conflict($"Value {valueId} is accepted; only the secretariat can void it.");
        return Decision.Accept(new ValueRetracted(state.Id, valueId, value.State, reason!));
    }

    private static Rejection? Reviewing(Commitment state, Guid valueId, Actor actor, string verb)
    {
        if (!actor.ActsForSecretariat) return Rejection.Forbidden($"Only the secretariat {verb} values.");
        if (state.Withdrawn) return Rejection.Conflict("The commitment was withdrawn and accepts no further changes.");
        if (state.FindValue(valueId) is null) return new Rejection(RejectionKind.NotFound, $"No value {valueId} on this commitment.");
        return null;
    }

    private static ValueAccepted Accepted(Commitment state, Guid valueId, DateOnly asOf, double value, string? note) =>
        new(state.Id, valueId, asOf, value, note, state.StandingAt(asOf) is { } old ? new ValueRef(old.Id, old.AsOf, old.Value) : null);

    private static ValueVoided Voided(Commitment state, ReportedValue value, string reason)
    {
        var voided = new ValueRef(value.Id, value.AsOf, value.Value);
        if (!value.Standing) return new ValueVoided(state.Id, value.Id, value.State, reason, voided, false, null, null);
        // The accepted value of the same date that this one replaced (the most recently accepted before it) counts again.
        var restored = state.Values
            .Where(v => v.Id != value.Id && v.AsOf == value.AsOf && v.State == ValueState.Accepted)
            .OrderByDescending(v => v.AcceptedOrder).FirstOrDefault();
        var counting = state.Values.Where(v => v.Standing && v.Id != value.Id).Select(v => new ValueRef(v.Id, v.AsOf, v.Value));
        if (restored is not null) counting = counting.Append(new ValueRef(restored.Id, restored.AsOf, restored.Value));
        var latest = counting.OrderByDescending(v => v.AsOf).FirstOrDefault();
        return new ValueVoided(state.Id, value.Id, value.State, reason, voided, true,
            restored is null ? null : new ValueRef(restored.Id, restored.AsOf, restored.Value), latest);
    }

    public static string Name(ValueState s) => s.ToString().ToLowerInvariant();
}
