namespace Strategy.Domain.Plans;

public sealed record Outcome(string Code, string Goal, string Title, IReadOnlyList<string> SdgTargets, IReadOnlyList<Indicator> Indicators);

public sealed record Goal(string Code, string Title, string? Description, IReadOnlyList<Outcome> Outcomes);

/// <summary>A plan's texts in one language, by code; a code not here has no translation.</summary>
public sealed record PlanTexts(IReadOnlyDictionary<string, TextTranslation> Goals, IReadOnlyDictionary<string, TextTranslation> Outcomes,
    IReadOnlyDictionary<string, TextTranslation> Indicators);

/// <summary>A plan's structure as its events have built it, with its translations by language.</summary>
public sealed record Plan(string Code, string Title, string? Note, DateOnly Start, DateOnly End,
    IReadOnlyList<Country> Countries, IReadOnlyList<Goal> Goals, ReviewMode Review = ReviewMode.On,
    IReadOnlyDictionary<string, PlanTexts>? Translations = null)
{
    /// <summary>The texts in <paramref name="language"/>, if any were translated.</summary>
    public PlanTexts? TextsIn(string language) => Translations is { } t && t.TryGetValue(language, out var texts) ? texts : null;

    public IEnumerable<Outcome> Outcomes => Goals.SelectMany(g => g.Outcomes);
    public IEnumerable<Indicator> Indicators => Outcomes.SelectMany(o => o.Indicators);

    public bool HasCountry(string code) => Countries.Any(c => c.Code == code);
    public Goal? FindGoal(string code) => Goals.FirstOrDefault(g => g.Code == code);
    public Outcome? FindOutcome(string code) => Outcomes.FirstOrDefault(o => o.Code == code);
    public Indicator? FindIndicator(string code) => Indicators.FirstOrDefault(i => i.Code == code);
    public bool Covers(DateOnly date) => date >= Start && date <= End;

    public static Plan Create(PlanCreated e) => new(e.Code, e.Title, e.Note, e.Start, e.End, e.Countries, [], e.Review);

    public static Plan? Evolve(Plan? plan, object @event) => @event switch
    {
        PlanCreated e => Create(e),
        GoalAdded e when plan is not null => plan with { Goals = [.. plan.Goals, new Goal(e.Code, e.Title, e.Description, [])] },
        OutcomeAdded e when plan is not null => plan.WithGoal(e.Goal, g => g with
        {
            Outcomes = [.. g.Outcomes, new Outcome(e.Code, e.Goal, e.Title, e.SdgTargets, e.Indicators)]
        }),
        OutcomeSdgTargetsAligned e when plan is not null => plan with
        {
            Goals = [.. plan.Goals.Select(g => g with
            {
                Outcomes = [.. g.Outcomes.Select(o => o.Code == e.Outcome ? o with { SdgTargets = e.SdgTargets } : o)]
            })]
        },
        PlanTranslated e when plan is not null => plan with
        {
            Translations = new Dictionary<string, PlanTexts>(plan.Translations ?? new Dictionary<string, PlanTexts>())
            {
                [e.Language] = new(e.Goals, e.Outcomes, e.Indicators),
            },
        },
        _ => plan,
    };

    private Plan WithGoal(string code, Func<Goal, Goal> change) =>
        this with { Goals = [.. Goals.Select(g => g.Code == code ? change(g) : g)] };
}
