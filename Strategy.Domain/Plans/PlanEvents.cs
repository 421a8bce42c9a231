namespace Strategy.Domain.Plans;

public sealed record Country(string Code, string Iso3, string Name);

public sealed record Indicator(string Code, string Title, string Unit, double Baseline, double Target)
{
    /// <summary>An indicator whose target is below its baseline is meant to go down (PM2.5, say).</summary>
    public bool ShouldDecrease => Target < Baseline;
}

/// <summary>Whether the secretariat reviews a focal point's values before they count (on), or they count on entry (off).</summary>
public enum ReviewMode { On, Off }

public sealed record PlanCreated(string Code, string Title, string? Note, DateOnly Start, DateOnly End, IReadOnlyList<Country> Countries,
    ReviewMode Review = ReviewMode.On) : IDomainEvent;
public sealed record GoalAdded(string PlanCode, string Code, string Title, string? Description) : IDomainEvent;
public sealed record OutcomeAdded(string PlanCode, string Goal, string Code, string Title, IReadOnlyList<string> SdgTargets, IReadOnlyList<Indicator> Indicators) : IDomainEvent;
public sealed record OutcomeSdgTargetsAligned(string PlanCode, string Outcome, IReadOnlyList<string> Previous, IReadOnlyList<string> SdgTargets, string Reason) : IDomainEvent;

/// <summary>
/// The plan's texts in <see cref="Language"/>, by code, as a whole: it replaces that language's earlier translation, and
/// a text left out has none (it reads in English). <see cref="Previous"/> is the translation it replaces, if any.
/// </summary>
public sealed record PlanTranslated(string PlanCode, string Language, IReadOnlyDictionary<string, TextTranslation> Goals,
    IReadOnlyDictionary<string, TextTranslation> Outcomes, IReadOnlyDictionary<string, TextTranslation> Indicators, PlanTexts? Previous) : IDomainEvent;
