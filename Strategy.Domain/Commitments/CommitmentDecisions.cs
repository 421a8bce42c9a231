using Strategy.Domain.Plans;

namespace Strategy.Domain.Commitments;

public sealed record MakeCommitment(string? Code, string Country, string Outcome, string Title, string? Description,
    string LeadAgency, DateOnly Due, string? Indicator, double? Baseline, double? Target, DateOnly? Start = null);

public sealed record ReviseCommitment(string? Title, string? Description, string? LeadAgency, DateOnly? Due, double? Target, string Reason);

/// <summary>
/// Decisions on one commitment. The rules: a focal point acts only for its own country; reviewers write nothing;
/// completed and cancelled are final unless the secretariat reopens them with a reason; a withdrawn commitment
/// accepts nothing more; only the secretariat withdraws, and restores a withdrawal made in error.
/// </summary>
public static class CommitmentDecisions
{
    private static readonly Dictionary<CommitmentStatus, CommitmentStatus[]> Allowed = new()
    {
        [CommitmentStatus.NotStarted] = [CommitmentStatus.InProgress, CommitmentStatus.OnHold, CommitmentStatus.Completed, CommitmentStatus.Cancelled],
        [CommitmentStatus.InProgress] = [CommitmentStatus.OnHold, CommitmentStatus.Completed, CommitmentStatus.Cancelled],
        [CommitmentStatus.OnHold] = [CommitmentStatus.InProgress, CommitmentStatus.Completed, CommitmentStatus.Cancelled],
        [CommitmentStatus.Completed] = [],
        [CommitmentStatus.Cancelled] = [],
    };

    public static bool CanMove(CommitmentStatus from, CommitmentStatus to) => Allowed[from].Contains(to);

    /// <param name="code">The commitment's code: the requested one, or one the caller generated when none was given.</param>
    /// <param name="madeOn">
    /// The day the commitment is made, in its country's time zone: its start when none is given (not before the plan
    /// starts), so expected progress runs from when it was made rather than from the plan's start.
    /// </param>
    public static Decision Make(Plan plan, MakeCommitment cmd, string code, Guid id, Actor actor, DateOnly madeOn)
    {
        if (actor.Role == Role.Reviewer) return Rejection.Forbidden("Reviewers cannot make commitments.");
        if (string.IsNullOrWhiteSpace(cmd.Country)) return Rejection.Invalid("country", "Required.");
        if (!plan.HasCountry(cmd.Country)) return Rejection.Invalid("country", $"{cmd.Country} is not a member of plan {plan.Code}.");
        if (!actor.MayActFor(cmd.Country)) return Rejection.Forbidden($"A focal point for {actor.Country} cannot act for {cmd.Country}.");
        if (Codes.CheckCode("code", code) is { } badCode) return badCode;
        // A focal point's code names its own country, so a code never suggests a commitment of another member.
        if (actor.Role == Role.FocalPoint && !code.StartsWith(cmd.Country + "-", StringComparison.Ordinal))
            return Rejection.Invalid("code", $"A code made by {cmd.Country}'s focal point starts with \"{cmd.Country}-\".");
        if (string.IsNullOrWhiteSpace(cmd.Outcome)) return Rejection.Invalid("outcome", "Required.");
        if (plan.FindOutcome(cmd.Outcome) is not { } outcome) return Rejection.Invalid("outcome", $"Unknown outcome {cmd.Outcome} in plan {plan.Code}.");
        if (Codes.CheckTitle("title", cmd.Title) is { } badTitle) return badTitle;
        if (Codes.CheckText("description", cmd.Description) is { } badText) return badText;
        if (Codes.CheckTitle("leadAgency", cmd.LeadAgency) is { } badAgency) return badAgency;
        if (!plan.Covers(cmd.Due)) return Rejection.Invalid("due", $"Must fall within the plan period {plan.Start:yyyy-MM-dd} to {plan.End:yyyy-MM-dd}.");
        if (cmd.Start is { } given && (!plan.Covers(given) || given > cmd.Due))
            return Rejection.Invalid("start", $"Must fall within the plan period and not after the due date {cmd.Due:yyyy-MM-dd}.");
        var start = cmd.Start ?? (madeOn < plan.Start ? plan.Start : madeOn > cmd.Due ? cmd.Due : madeOn);

        Indicator? indicator = null;
        if (!string.IsNullOrEmpty(cmd.Indicator))
        {
            indicator = outcome.Indicators.FirstOrDefault(i => i.Code == cmd.Indicator);
            if (indicator is null) return Rejection.Invalid("indicator", $"Unknown indicator {cmd.Indicator} under outcome {outcome.Code}.");
        }
        var unit = indicator?.Unit;
        if (cmd.Baseline is { } b && Units.CheckValue(unit, b) is { } whyB) return Rejection.Invalid("baseline", whyB);
        if (cmd.Target is { } t && Units.CheckValue(unit, t) is { } whyT) return Rejection.Invalid("target", whyT);

        var baseline = cmd.Baseline ?? (indicator is null ? (cmd.Target is null ? null : 0) : Units.IsCumulative(unit) ? 0 : indicator.Baseline);
        var target = cmd.Target ?? indicator?.Target;
        var shouldDecrease = indicator?.ShouldDecrease ?? (target < baseline);

        return Decision.Accept(new CommitmentMade(id, plan.Code, code, cmd.Country, outcome.Goal, outcome.Code,
            cmd.Title.Trim(), cmd.Description, cmd.LeadAgency.Trim(), plan.Start, plan.End, start, cmd.Due,
            indicator?.Code, unit, baseline, target, shouldDecrease, plan.Review == ReviewMode.On));
    }

    public static Decision ChangeStatus(Commitment state, CommitmentStatus to, string? note, Actor actor)
    {
        if (CheckWritable(state, actor) is { } refused) return refused;
        if (Codes.CheckText("note", note) is { } badNote) return badNote;
        if (state.Status == to) return Rejection.Conflict($"The commitment is already {Kebab(to)}.");

        if (state.IsFinal)
        {
            if (!actor.ActsForSecretariat)
                return Rejection.Conflict($"The commitment is {Kebab(state.Status)}, which is final; only the secretariat can reopen it.");
            if (to is CommitmentStatus.Completed or CommitmentStatus.Cancelled)
                return Rejection.Conflict($"Reopen a {Kebab(state.Status)} commitment to not-started, in-progress or on-hold first.");
            if (string.IsNullOrWhiteSpace(note)) return Rejection.Invalid("note", "Reopening a commitment needs a note giving the reason.");
            return Decision.Accept(new CommitmentReopened(state.Id, state.Status, to, note));
        }

        if (!CanMove(state.Status, to))
            return Rejection.Conflict($"A commitment cannot go from {Kebab(state.Status)} to {Kebab(to)}.");
        return Decision.Accept(new CommitmentStatusChanged(state.Id, state.Status, to, note));
    }

    public static Decision Revise(Commitment state, ReviseCommitment cmd, Actor actor)
    {
        if (CheckWritable(state, actor) is { } refused) return refused;
        if (Codes.CheckText("reason", cmd.Reason, required: true) is { } badReason) return badReason;
        if (cmd.Title is not null && Codes.CheckTitle("title", cmd.Title) is { } badTitle) return badTitle;
        if (Codes.CheckText("description", cmd.Description) is { } badText) return badText;
        if (cmd.LeadAgency is not null && Codes.CheckTitle("leadAgency", cmd.LeadAgency) is { } badAgency) return badAgency;
        if (cmd.Due is { } due && (due < state.PlanStart || due > state.PlanEnd))
            return Rejection.Invalid("due", $"Must fall within the plan period {state.PlanStart:yyyy-MM-dd} to {state.PlanEnd:yyyy-MM-dd}.");
        if (cmd.Due is { } early && early < state.Start)
            return Rejection.Invalid("due", $"Must not be before the commitment's start {state.Start:yyyy-MM-dd}.");
        if (cmd.Target is { } t && Units.CheckValue(state.Unit, t) is { } why) return Rejection.Invalid("target", why);
        if (cmd.Title is null && cmd.Description is null && cmd.LeadAgency is null && cmd.Due is null && cmd.Target is null)
            return Rejection.Invalid("body", "Give at least one of title, description, leadAgency, due, target.");

        var after = new CommitmentTerms(
            Changed(cmd.Title?.Trim(), state.Title), Changed(cmd.Description, state.Description),
            Changed(cmd.LeadAgency?.Trim(), state.LeadAgency),
            cmd.Due is { } d && d != state.Due ? d : null,
            cmd.Target is { } tv && tv != state.Target ? tv : null);
        if (after.IsEmpty()) return Rejection.Conflict("The revision changes nothing.");
        var before = new CommitmentTerms(
            after.Title is null ? null : state.Title, after.Description is null ? null : state.Description ?? "",
            after.LeadAgency is null ? null : state.LeadAgency, after.Due is null ? null : state.Due,
            after.Target is null ? null : state.Target);
        return Decision.Accept(new CommitmentRevised(state.Id, before, after, cmd.Reason));
    }

    /// <summary>The commitment's title and description in a member language: the secretariat, or its country's focal point.</summary>
    public static Decision Translate(Commitment state, string language, TextTranslation? text, Actor actor)
    {
        if (CheckWritable(state, actor) is { } refused) return refused;
        if (Translations.CheckLanguage("lang", language) is { } badLanguage) return badLanguage;
        if (Translations.CheckText("body", text, hasDescription: true) is { } badText)
            return badText with { Field = badText.Field?.Replace("body.", "") };
        var normal = Translations.Normal(text!);
        var before = state.TextIn(language);
        if (before == normal) return Rejection.Conflict($"The commitment already has exactly this translation in {language}.");
        return Decision.Accept(new CommitmentTranslated(state.Id, language, normal.Title, normal.Description, before));
    }

    public static Decision Withdraw(Commitment state, string reason, Actor actor)
    {
        if (!actor.ActsForSecretariat) return Rejection.Forbidden("Only the secretariat withdraws commitments.");
        if (state.Withdrawn) return Rejection.Conflict("The commitment is already withdrawn.");
        if (Codes.CheckText("reason", reason, required: true) is { } badReason) return badReason;
        return Decision.Accept(new CommitmentWithdrawn(state.Id, reason));
    }

    public static Decision Restore(Commitment state, string reason, Actor actor)
    {
        if (!actor.ActsForSecretariat) return Rejection.Forbidden("Only the secretariat restores withdrawn commitments.");
        if (!state.Withdrawn) return Rejection.Conflict("The commitment is not withdrawn.");
        if (Codes.CheckText("reason", reason, required: true) is { } badReason) return badReason;
        return Decision.Accept(new CommitmentRestored(state.Id, reason));
    }

    /// <summary>Who may write to this commitment at all: checked before any rule about the write itself.</summary>
    internal static Rejection? CheckWritable(Commitment state, Actor actor)
    {
        if (actor.Role == Role.Reviewer) return Rejection.Forbidden("Reviewers cannot change commitments.");
        if (!actor.MayActFor(state.Country)) return Rejection.Forbidden($"A focal point for {actor.Country} cannot act for {state.Country}.");
        if (state.Withdrawn) return Rejection.Conflict("The commitment was withdrawn and accepts no further changes.");
        return null;
    }

    /// <summary>The requested value when it differs from the current one; an empty description is the same as none.</summary>
    private static string? Changed(string? requested, string? current) =>
        requested is not null && requested != current && !(requested.Length == 0 && string.IsNullOrEmpty(current)) ? requested : null;

    public static string Kebab(CommitmentStatus s) => s switch
    {
        CommitmentStatus.NotStarted => "not-started",
        CommitmentStatus.InProgress => "in-progress",
        CommitmentStatus.OnHold => "on-hold",
        CommitmentStatus.Completed => "completed",
        _ => "cancelled",
    };
}
