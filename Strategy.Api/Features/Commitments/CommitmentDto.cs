using Strategy.Domain.Commitments;
using Strategy.Domain.Progress;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Features.Commitments;

public sealed record LatestValue(double Value, DateOnly AsOf);

/// <summary>A commitment as the API shows it: its terms, declared status, computed health and progress.</summary>
public sealed record CommitmentDto(
    Guid Id, string Plan, string Code, string Country, string Goal, string Outcome, string Title, string? Description,
    string LeadAgency, DateOnly Due, string? Indicator, string? Unit, double? Baseline, double? Target,
    CommitmentStatus Status, bool Withdrawn, Health Health, double? Progress, double ExpectedProgress,
    double? AnticipatedProgress, Anticipation? Anticipation, LatestValue? LatestValue, int ValuesReported,
    long Version, DateTimeOffset CreatedAt, ActorRef CreatedBy, DateTimeOffset LastUpdatedAt, ActorRef LastUpdatedBy)
{
    /// <summary>Health is evaluated at <paramref name="at"/>: now for current reads, the instant for as-of reads.</summary>
    public static CommitmentDto From(CommitmentView view, DateTimeOffset at, HealthThresholds thresholds)
    {
        var s = view.State;
        var day = DateOnly.FromDateTime(at.UtcDateTime);
        var anticipated = ProgressMath.AnticipatedRatio(s.Values, s.Baseline, s.Target, s.Due, s.ShouldDecrease);
        return new CommitmentDto(view.Id, s.PlanCode, s.Code, s.Country, s.Goal, s.Outcome, s.Title, s.Description,
            s.LeadAgency, s.Due, s.Indicator, s.Unit, s.Baseline, s.Target, s.Status, s.Withdrawn,
            ProgressMath.HealthOf(s, day, thresholds), Round(s.Progress), Round(ProgressMath.Expected(s.PlanStart, s.Due, day))!.Value,
            Round(anticipated), ProgressMath.Anticipate(anticipated, thresholds),
            s.Latest is { } m ? new LatestValue(m.Value, m.AsOf) : null, s.Values.Count,
            view.Version, view.CreatedAt, view.CreatedBy, view.LastUpdatedAt, view.LastUpdatedBy);
    }

    private static double? Round(double? v) => v is { } x ? Math.Round(x, 4) : null;
}
