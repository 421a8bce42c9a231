using Strategy.Domain.Plans;
using Strategy.Api.Http;
using Strategy.Infrastructure.ReferenceData;

namespace Strategy.Api.Features.Sdg;

/// <summary>A goal with its titles in <paramref name="Lang"/>: the language asked for, or English where it has no translation.</summary>
public sealed record SdgGoal(int Goal, string ShortTitle, string Title, string Lang);

public sealed record SdgTarget(int Goal, string Target, string Title, string Lang, IReadOnlyList<SdgIndicator> Indicators);

public sealed record SdgIndicator(string Indicator, string Title, string Lang);

/// <summary>The catalogue in a reader's language; each item says which language its titles are in.</summary>
public static class SdgTexts
{
    public static SdgGoal Goal(SdgCatalog sdg, Infrastructure.ReferenceData.SdgGoal goal, string lang)
    {
        var code = goal.Goal.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return sdg.Translated(lang, "goal", code) is { } title
            ? new(goal.Goal, sdg.Translated(lang, "goal", code, "short") ?? goal.ShortTitle, title, lang)
            : new(goal.Goal, goal.ShortTitle, goal.Title, Languages.English);
    }

    public static SdgTarget Target(SdgCatalog sdg, Infrastructure.ReferenceData.SdgTarget target, string lang)
    {
        var indicators = target.Indicators
            .Select(i => sdg.Translated(lang, "indicator", i.Indicator) is { } t ? new SdgIndicator(i.Indicator, t, lang) : new SdgIndicator(i.Indicator, i.Title, Languages.English))
            .ToList();
        return sdg.Translated(lang, "target", target.Target) is { } title
            ? new(target.Goal, target.Target, title, lang, indicators)
            : new(target.Goal, target.Target, target.Title, Languages.English, indicators);
    }
}

public static class SdgEndpoints
{
    private static readonly IntQuery Goal = new("goal", 0, 1, 17, "One goal's targets: 1-17.");

    private const string InLanguages = " Titles in the language asked for (lang, or Accept-Language): km, lo, my and zh from the open-sdg community " +
        "translations (not official UN texts); th and vi have no open source, so their readers get English. Each item's lang says which it is in.";

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/sdg/goals", (HttpContext http, SdgCatalog sdg) =>
            {
                var lang = Languages.Read(http);
                return TypedResults.Ok<IReadOnlyList<SdgGoal>>([.. sdg.Goals.Select(g => SdgTexts.Goal(sdg, g, lang))]);
            })
            .WithName("ListSdgGoals")
            .WithSummary("The 17 UN Sustainable Development Goals")
            .WithDescription("Goal number, short title and title, from the UN SDG framework's list." + InLanguages)
            .ReadResponses<IReadOnlyList<SdgGoal>>(maxItems: 17)
            .Query(Languages.Query);

        api.MapGet("/sdg/targets", (string? goal, HttpContext http, SdgCatalog sdg) =>
            {
                var lang = Languages.Read(http);
                var targets = goal is null ? sdg.Targets : [.. sdg.Targets.Where(t => t.Goal == Goal.Read(goal))];
                return TypedResults.Ok<IReadOnlyList<SdgTarget>>([.. targets.Select(t => SdgTexts.Target(sdg, t, lang))]);
            })
            .WithName("ListSdgTargets")
            .WithSummary("UN SDG targets with their indicators; ?goal=13 for one goal's")
            .WithDescription("Every target (169), or one goal's with goal=1-17, each with its indicators." + InLanguages)
            .ReadResponses<IReadOnlyList<SdgTarget>>(maxItems: PlanLimits.MaxSdgTargetsPerOutcome)
            .Query(Goal, Languages.Query);
    }
}
