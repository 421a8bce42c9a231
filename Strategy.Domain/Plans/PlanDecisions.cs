namespace Strategy.Domain.Plans;

public sealed record IndicatorDefinition(string Code, string Title, string Unit, double Baseline, double Target);
public sealed record OutcomeDefinition(string Goal, string Code, string Title, IReadOnlyList<string> SdgTargets, IReadOnlyList<IndicatorDefinition> Indicators);
public sealed record GoalDefinition(string Code, string Title, string? Description, IReadOnlyList<OutcomeDefinition> Outcomes);
public sealed record PlanDefinition(string Code, string Title, string? Note, DateOnly Start, DateOnly End,
    IReadOnlyList<Country> Countries, IReadOnlyList<GoalDefinition> Goals, ReviewMode Review = ReviewMode.On);

/// <summary>
/// How large a plan may grow. They bound every list a plan's reads return, so a client (and the API's contract) can rely
/// on them; each is far above what a cooperation plan holds (LMEC: 6 countries, 6 goals, 3-4 outcomes a goal).
/// </summary>
public static class PlanLimits
{
    public const int MaxCountries = 50;
    public const int MaxGoals = 100;
    public const int MaxOutcomesPerGoal = 100;
    public const int MaxIndicatorsPerOutcome = 50;
    /// <summary>The number of targets in the SDG framework: an outcome cannot be aligned with more distinct ones.</summary>
    public const int MaxSdgTargetsPerOutcome = 169;
    public const int MaxImportedCommitments = 2_000;
}

/// <summary>
/// Decisions on a plan's structure. Only the secretariat (or an admin) shapes a plan. Every code is unique
/// within its plan and every SDG target must exist in the UN framework, checked against <c>knownSdgTargets</c>.
/// </summary>
public static class PlanDecisions
{
    public static Decision Create(PlanDefinition plan, Actor actor, IReadOnlySet<string> knownSdgTargets)
    {
        if (!actor.ActsForSecretariat) return Rejection.Forbidden("Only the secretariat creates plans.");
        if (Codes.CheckCode("code", plan.Code) is { } badCode) return badCode;
        if (Codes.CheckTitle("title", plan.Title) is { } badTitle) return badTitle;
        if (Codes.CheckText("note", plan.Note) is { } badNote) return badNote;
        if (plan.End <= plan.Start) return Rejection.Invalid("period.end", "The period must end after it starts.");
        if (plan.Countries.Count == 0) return Rejection.Invalid("countries", "A plan needs at least one member country.");
        if (plan.Countries.Count > PlanLimits.MaxCountries) return Rejection.Invalid("countries", Codes.TooMany(PlanLimits.MaxCountries));
        if (plan.Goals.Count > PlanLimits.MaxGoals) return Rejection.Invalid("goals", Codes.TooMany(PlanLimits.MaxGoals));

        var seenCountries = new HashSet<string>();
        for (var i = 0; i < plan.Countries.Count; i++)
        {
            var c = plan.Countries[i];
            if (c.Code is null || !Codes.CountryCode().IsMatch(c.Code))
                return Rejection.Invalid($"countries[{i}].code", "Use an ISO 3166-1 alpha-2 code such as KH.");
            if (!seenCountries.Add(c.Code)) return Rejection.Invalid($"countries[{i}].code", $"Country {c.Code} is listed twice.");
            if (Codes.CheckTitle($"countries[{i}].name", c.Name) is { } badName) return badName;
        }

        var empty = new Plan(plan.Code, plan.Title, plan.Note, plan.Start, plan.End, plan.Countries, [], plan.Review);
        var events = new List<object> { new PlanCreated(plan.Code, plan.Title, plan.Note, plan.Start, plan.End, plan.Countries, plan.Review) };
        var state = empty;
        for (var g = 0; g < plan.Goals.Count; g++)
        {
            var goal = plan.Goals[g];
            var added = AddGoal(state, goal.Code, goal.Title, goal.Description, actor, $"goals[{g}].");
            if (!added.IsAccepted) return added;
            foreach (var e in added.Events) { events.Add(e); state = Plan.Evolve(state, e)!; }

            for (var o = 0; o < goal.Outcomes.Count; o++)
            {
                var outcome = goal.Outcomes[o] with { Goal = goal.Code };
                var decided = AddOutcome(state, outcome, actor, knownSdgTargets, $"goals[{g}].outcomes[{o}].");
                if (!decided.IsAccepted) return decided;
                foreach (var e in decided.Events) { events.Add(e); state = Plan.Evolve(state, e)!; }
            }
        }
        return Decision.Accept(events);
    }

    public static Decision AddGoal(Plan plan, string code, string title, string? description, Actor actor, string prefix = "")
    {
        if (!actor.ActsForSecretariat) return Rejection.Forbidden("Only the secretariat changes a plan's structure.");
        if (Codes.CheckCode(prefix + "code", code) is { } badCode) return badCode;
        if (Codes.CheckTitle(prefix + "title", title) is { } badTitle) return badTitle;
        if (Codes.CheckText(prefix + "description", description) is { } badText) return badText;
        if (plan.FindGoal(code) is not null) return Rejection.Conflict($"Goal {code} already exists in plan {plan.Code}.", prefix + "code");
        if (plan.Goals.Count >= PlanLimits.MaxGoals) return Rejection.Conflict($"Plan {plan.Code} has {PlanLimits.MaxGoals} goals, the most a plan may have.");
        return Decision.Accept(new GoalAdded(plan.Code, code, title, description));
    }

    public static Decision AddOutcome(Plan plan, OutcomeDefinition outcome, Actor actor, IReadOnlySet<string> knownSdgTargets, string prefix = "")
    {
        if (!actor.ActsForSecretariat) return Rejection.Forbidden("Only the secretariat changes a plan's structure.");
        if (string.IsNullOrWhiteSpace(outcome.Goal)) return Rejection.Invalid(prefix + "goal", "Required.");
        if (plan.FindGoal(outcome.Goal) is not { } goal) return Rejection.Invalid(prefix + "goal", $"Unknown goal {outcome.Goal} in plan {plan.Code}.");
        if (Codes.CheckCode(prefix + "code", outcome.Code) is { } badCode) return badCode;
        if (Codes.CheckTitle(prefix + "title", outcome.Title) is { } badTitle) return badTitle;
        if (CheckSdgTargets(outcome.SdgTargets, knownSdgTargets, prefix + "sdgTargets") is { } badTarget) return badTarget;
        if (outcome.Indicators.Count > PlanLimits.MaxIndicatorsPerOutcome)
            return Rejection.Invalid(prefix + "indicators", Codes.TooMany(PlanLimits.MaxIndicatorsPerOutcome));

        var indicatorCodes = new HashSet<string>();
        for (var i = 0; i < outcome.Indicators.Count; i++)
        {
            var ind = outcome.Indicators[i];
            var at = $"{prefix}indicators[{i}].";
            if (Codes.CheckCode(at + "code", ind.Code) is { } badInd) return badInd;
            if (Codes.CheckTitle(at + "title", ind.Title) is { } badIndTitle) return badIndTitle;
            if (string.IsNullOrWhiteSpace(ind.Unit) || ind.Unit.Length > Codes.MaxUnitLength) return Rejection.Invalid(at + "unit", $"Give a unit of at most {Codes.MaxUnitLength} characters.");
            if (Codes.CheckFinite(at + "baseline", ind.Baseline) is { } badBase) return badBase;
            if (Codes.CheckFinite(at + "target", ind.Target) is { } badTarget2) return badTarget2;
            if (Units.CheckValue(ind.Unit, ind.Baseline) is { } whyBase) return Rejection.Invalid(at + "baseline", whyBase);
            if (Units.CheckValue(ind.Unit, ind.Target) is { } whyTarget) return Rejection.Invalid(at + "target", whyTarget);
            if (!indicatorCodes.Add(ind.Code) || plan.FindIndicator(ind.Code) is not null)
                return Rejection.Conflict($"Indicator {ind.Code} already exists in plan {plan.Code}.", at + "code");
        }
        if (plan.FindOutcome(outcome.Code) is not null) return Rejection.Conflict($"Outcome {outcome.Code} already exists in plan {plan.Code}.", prefix + "code");
        if (goal.Outcomes.Count >= PlanLimits.MaxOutcomesPerGoal)
            return Rejection.Conflict($"Goal {goal.Code} has {PlanLimits.MaxOutcomesPerGoal} outcomes, the most a goal may have.");

        return Decision.Accept(new OutcomeAdded(plan.Code, outcome.Goal, outcome.Code, outcome.Title,
            [.. outcome.SdgTargets.Distinct()],
            [.. outcome.Indicators.Select(i => new Indicator(i.Code, i.Title, i.Unit, i.Baseline, i.Target))]));
    }

    public static Decision AlignSdgTargets(Plan plan, string outcomeCode, IReadOnlyList<string> targets, string reason, Actor actor, IReadOnlySet<string> knownSdgTargets)
    {
        if (!actor.ActsForSecretariat) return Rejection.Forbidden("Only the secretariat changes a plan's SDG alignment.");
        if (plan.FindOutcome(outcomeCode) is not { } outcome) return new Rejection(RejectionKind.NotFound, $"Outcome {outcomeCode} is not in plan {plan.Code}.");
        if (Codes.CheckText("reason", reason, required: true) is { } badReason) return badReason;
        if (CheckSdgTargets(targets, knownSdgTargets, "sdgTargets") is { } badTarget) return badTarget;
        var distinct = targets.Distinct().ToList();
        if (distinct.Order().SequenceEqual(outcome.SdgTargets.Order()))
            return Rejection.Conflict($"Outcome {outcomeCode} is already aligned with exactly these SDG targets.", "sdgTargets");
        return Decision.Accept(new OutcomeSdgTargetsAligned(plan.Code, outcomeCode, outcome.SdgTargets, distinct, reason));
    }

    /// <summary>
    /// The plan's goals, outcomes and indicators in a member language, as a whole (it replaces that language's earlier
    /// translation). Every code must be the plan's; goals have a description to translate, outcomes and indicators not.
    /// </summary>
    public static Decision Translate(Plan plan, string language, IReadOnlyDictionary<string, TextTranslation>? goals,
        IReadOnlyDictionary<string, TextTranslation>? outcomes, IReadOnlyDictionary<string, TextTranslation>? indicators, Actor actor)
    {
        if (!actor.ActsForSecretariat) return Rejection.Forbidden("Only the secretariat translates a plan.");
        if (Translations.CheckLanguage("lang", language) is { } badLanguage) return badLanguage;
        goals ??= new Dictionary<string, TextTranslation>();
        outcomes ??= new Dictionary<string, TextTranslation>();
        indicators ??= new Dictionary<string, TextTranslation>();
        if (goals.Count + outcomes.Count + indicators.Count == 0)
            return Rejection.Invalid("body", "Give at least one translated text in goals, outcomes or indicators.");
        if (CheckTexts("goals", goals, code => plan.FindGoal(code) is not null, hasDescription: true) is { } badGoal) return badGoal;
        if (CheckTexts("outcomes", outcomes, code => plan.FindOutcome(code) is not null, hasDescription: false) is { } badOutcome) return badOutcome;
        if (CheckTexts("indicators", indicators, code => plan.FindIndicator(code) is not null, hasDescription: false) is { } badIndicator) return badIndicator;

        var earlier = plan.TextsIn(language);
        var translated = new PlanTranslated(plan.Code, language, Normal(goals), Normal(outcomes), Normal(indicators), earlier);
        if (earlier is not null && Same(earlier.Goals, translated.Goals) && Same(earlier.Outcomes, translated.Outcomes)
            && Same(earlier.Indicators, translated.Indicators))
            return Rejection.Conflict($"Plan {plan.Code} already has exactly this translation in {language}.");
        return Decision.Accept(translated);
    }

    private static Rejection? CheckTexts(string field, IReadOnlyDictionary<string, TextTranslation> texts, Func<string, bool> exists, bool hasDescription)
    {
        foreach (var (code, text) in texts)
        {
            if (!exists(code)) return Rejection.Invalid($"{field}.{code}", $"The plan has no {field[..^1]} {code}.");
            if (Translations.CheckText($"{field}.{code}", text, hasDescription) is { } bad) return bad;
        }
        return null;
    }

    private static Dictionary<string, TextTranslation> Normal(IReadOnlyDictionary<string, TextTranslation> texts) =>
        texts.ToDictionary(t => t.Key, t => Translations.Normal(t.Value), StringComparer.Ordinal);

    private static bool Same(IReadOnlyDictionary<string, TextTranslation> a, IReadOnlyDictionary<string, TextTranslation> b) =>
        a.Count == b.Count && a.All(t => b.TryGetValue(t.Key, out var other) && other == t.Value);

    private static Rejection? CheckSdgTargets(IReadOnlyList<string>? targets, IReadOnlySet<string> known, string field)
    {
        if (targets is null) return Rejection.Invalid(field, "Required (may be empty).");
        if (targets.Count > PlanLimits.MaxSdgTargetsPerOutcome) return Rejection.Invalid(field, Codes.TooMany(PlanLimits.MaxSdgTargetsPerOutcome));
        for (var i = 0; i < targets.Count; i++)
            if (targets[i] is null || !known.Contains(targets[i]))
                return Rejection.Invalid($"{field}[{i}]", $"Unknown SDG target '{targets[i]}'.");
        return null;
    }
}
