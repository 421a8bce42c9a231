using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Domain.Progress;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Features.Commitments;

public sealed record LatestValue(double Value, DateOnly AsOf);

/// <summary>Values awaiting the secretariat's review: they do not count in the official figures yet.</summary>
public sealed record PendingValues(int Count, LatestValue? Latest);

/// <summary>
/// A commitment as the API shows it: its terms, declared status, and official figures (health, progress, anticipated
/// progress, latest value) from accepted values only, with what awaits review in <see cref="Pending"/>.
/// <see cref="Lang"/> is the language of its title and description: the one asked for where the commitment was translated
/// into it, else English (a translation without a description gives the English description).
/// </summary>
public sealed record CommitmentDto(
    Guid Id, string Plan, string Code, string Country, string Goal, string Outcome, string Title, string? Description, string Lang,
    string LeadAgency, DateOnly Start, DateOnly Due, string? Indicator, string? Unit, double? Baseline, double? Target,
    CommitmentStatus Status, bool Withdrawn, Health Health, double? Progress, double ExpectedProgress,
    double? AnticipatedProgress, Anticipation? Anticipation, LatestValue? LatestValue, int ValuesReported, PendingValues Pending,
    bool Review, long Version, DateTimeOffset CreatedAt, ActorRef CreatedBy, DateTimeOffset LastUpdatedAt, ActorRef LastUpdatedBy)
{
    /// <summary>Health is evaluated at <paramref name="at"/> (now for current reads, the instant for as-of reads), on the country's date.</summary>
    public static CommitmentDto From(CommitmentView view, DateTimeOffset at, HealthThresholds thresholds, string language = Translations.Source)
    {
        var s = view.State;
        var translated = view.TextIn(language);
        var day = MemberTime.Today(s.Country, at);
        var anticipated = s.AnticipatedRatio;
        var pending = s.Pending.OrderBy(p => p.AsOf).LastOrDefault();
        return new CommitmentDto(view.Id, s.PlanCode, s.Code, s.Country, s.Goal, s.Outcome,
            translated?.Title ?? s.Title, translated?.Description ?? s.Description, translated is null ? Translations.Source : language,
            s.LeadAgency, s.Start, s.Due, s.Indicator, s.Unit, s.Baseline, s.Target, s.Status, s.Withdrawn,
            ProgressMath.HealthOf(s, day, thresholds), Round(s.Progress), Round(ProgressMath.Expected(s.Start, s.Due, day))!.Value,
            Round(anticipated), ProgressMath.Anticipate(anticipated, thresholds),
            s.Latest is { } m ? new LatestValue(m.Value, m.AsOf) : null, s.ValuesAccepted,
            new PendingValues(s.Pending.Count, pending is null ? null : new LatestValue(pending.Value, pending.AsOf)),
            s.Review, view.Version, view.CreatedAt, view.CreatedBy, view.LastUpdatedAt, view.LastUpdatedBy);
    }

    private static double? Round(double? v) => v is { } x ? Math.Round(x, 4) : null;
}
