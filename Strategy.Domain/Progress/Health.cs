namespace Strategy.Domain.Progress;

public enum Health { OnTrack, AtRisk, OffTrack, Overdue, Done, Unknown }

public enum Anticipation { OnTrack, AccelerationNeeded, StagnationOrRegression }

/// <summary>
/// Bands for health and anticipated progress. Defaults: Statistics Canada's SDG progress method (95 % / 60 % of
/// the expected progress) and the UNSD SDG Progress Chart 2023 (anticipated 95 % / 10 %).
/// </summary>
public sealed record HealthThresholds(double OnTrack = 0.95, double AtRisk = 0.60, double AnticipatedOnTrack = 0.95, double Stagnation = 0.10)
{
    public static readonly HealthThresholds Default = new();
}
