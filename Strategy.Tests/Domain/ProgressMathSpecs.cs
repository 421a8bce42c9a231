using Strategy.Domain.Commitments;
using Strategy.Domain.Progress;

namespace Strategy.Tests.Domain;

/// <summary>
/// p = (v - b) / (T - b); e = (t - start) / (due - start) clamped to [0, 1]; on-track when p >= 0.95 e,
/// at-risk when p >= 0.60 e; anticipated r = (v̂(due) - b) / (T - b) from the least-squares line.
/// Every expected number below is worked out by hand in the comment next to it.
/// </summary>
public class ProgressMathSpecs
{
    private static readonly HealthThresholds Defaults = HealthThresholds.Default;
    private static readonly DateOnly Start = new(2024, 1, 1);
    private static readonly DateOnly Due = Start.AddDays(200);
    /// <summary>Half-way: e = 100 / 200 = 0.5.</summary>
    private static readonly DateOnly Midway = Start.AddDays(100);

    // --- Ratio ---

    [Fact]
    public void Ratio_of_an_increasing_indicator()
    {
        // (7 - 2) / (12 - 2) = 5 / 10
        ProgressMath.Ratio(2, 12, 7, shouldDecrease: false).ShouldBe(0.5);
    }

    [Fact]
    public void Ratio_is_zero_at_the_baseline_and_one_at_the_target()
    {
        ProgressMath.Ratio(2, 12, 2, false).ShouldBe(0);
        ProgressMath.Ratio(2, 12, 12, false).ShouldBe(1);
    }

    [Fact]
    public void Ratio_of_an_indicator_that_should_go_down()
    {
        // (30 - 35) / (25 - 35) = -5 / -10
        ProgressMath.Ratio(35, 25, 30, shouldDecrease: true).ShouldBe(0.5);
    }

    [Fact]
    public void Ratio_that_overflows_a_double_cannot_be_computed()
    {
        // (1e308 - 0) / (0.5 - 0) = 2e308, beyond double.MaxValue; (1e308 + 1e308) / (1e308 + 1e308) is inf / inf.
        ProgressMath.Ratio(0, 0.5, 1e308, false).ShouldBeNull();
        ProgressMath.Ratio(-1e308, 1e308, 1e308, false).ShouldBeNull();
    }

    [Fact]
    public void Ratio_of_a_decreasing_indicator_moving_the_wrong_way_is_negative()
    {
        // (40 - 35) / (25 - 35) = 5 / -10
        ProgressMath.Ratio(35, 25, 40, true).ShouldBe(-0.5);
    }

    [Fact]
    public void Ratio_beyond_the_target_exceeds_one()
    {
        // (20 - 35) / (25 - 35) = -15 / -10
        ProgressMath.Ratio(35, 25, 20, true).ShouldBe(1.5);
        // (17 - 2) / (12 - 2) = 15 / 10
        ProgressMath.Ratio(2, 12, 17, false).ShouldBe(1.5);
    }

    [Theory]
    [InlineData(50, false, 1)]
    [InlineData(51, false, 1)]
    [InlineData(49, false, 0)]
    [InlineData(50, true, 1)]
    [InlineData(49, true, 1)]
    [InlineData(51, true, 0)]
    public void Ratio_when_the_target_equals_the_baseline_is_one_at_or_better_than_the_target(double value, bool shouldDecrease, double expected)
    {
        ProgressMath.Ratio(50, 50, value, shouldDecrease).ShouldBe(expected);
    }

    [Fact]
    public void Ratio_without_baseline_or_target_is_unknown()
    {
        ProgressMath.Ratio(null, 10, 5, false).ShouldBeNull();
        ProgressMath.Ratio(0, null, 5, false).ShouldBeNull();
    }

    [Fact]
    public void Commitment_progress_uses_its_latest_value()
    {
        var state = Given.Summary(Given.Made(indicator: "G1.O1.I3", unit: "ug/m3", baseline: 35, target: 25, shouldDecrease: true),
            Given.Accepted(33, new DateOnly(2024, 6, 30)),
            Given.Accepted(30, new DateOnly(2024, 12, 31)));

        // (30 - 35) / (25 - 35)
        state.Progress.ShouldBe(0.5);
    }

    // --- Expected ---

    [Fact]
    public void Expected_progress_is_the_straight_line_from_start_to_due()
    {
        ProgressMath.Expected(Start, Due, Start).ShouldBe(0);
        ProgressMath.Expected(Start, Due, Start.AddDays(50)).ShouldBe(0.25); // 50 / 200
        ProgressMath.Expected(Start, Due, Midway).ShouldBe(0.5);             // 100 / 200
        ProgressMath.Expected(Start, Due, Due).ShouldBe(1);
    }

    [Fact]
    public void Expected_progress_before_the_start_is_clamped_to_zero()
    {
        ProgressMath.Expected(Start, Due, Start.AddDays(-1)).ShouldBe(0);   // -1 / 200
        ProgressMath.Expected(Start, Due, Start.AddDays(-400)).ShouldBe(0); // -2
    }

    [Fact]
    public void Expected_progress_after_the_due_date_is_clamped_to_one()
    {
        ProgressMath.Expected(Start, Due, Due.AddDays(1)).ShouldBe(1);   // 201 / 200
        ProgressMath.Expected(Start, Due, Start.AddDays(400)).ShouldBe(1); // 2
    }

    [Fact]
    public void Expected_progress_when_due_on_the_start_day_jumps_from_zero_to_one()
    {
        ProgressMath.Expected(Start, Start, Start.AddDays(-1)).ShouldBe(0);
        ProgressMath.Expected(Start, Start, Start).ShouldBe(1);
    }

    // --- Health ---

    [Fact]
    public void Completed_commitment_is_done_even_past_due_and_without_values()
    {
        ProgressMath.HealthOf(CommitmentStatus.Completed, false, Start, Due, null, Due.AddDays(30), Defaults).ShouldBe(Health.Done);
        ProgressMath.HealthOf(CommitmentStatus.Completed, false, Start, Due, 0.1, Midway, Defaults).ShouldBe(Health.Done);
    }

    [Theory]
    [InlineData(CommitmentStatus.NotStarted)]
    [InlineData(CommitmentStatus.InProgress)]
    [InlineData(CommitmentStatus.OnHold)]
    public void Open_commitment_is_overdue_the_day_after_its_due_date(CommitmentStatus status)
    {
        ProgressMath.HealthOf(status, false, Start, Due, 1.0, Due.AddDays(1), Defaults).ShouldBe(Health.Overdue);
        ProgressMath.HealthOf(status, false, Start, Due, null, Due.AddDays(1), Defaults).ShouldBe(Health.Overdue);
    }

    [Fact]
    public void On_the_due_date_itself_a_commitment_is_not_yet_overdue()
    {
        // e = 1 on the due date: p = 0.95 is exactly on track.
        ProgressMath.HealthOf(CommitmentStatus.InProgress, false, Start, Due, 0.95, Due, Defaults).ShouldBe(Health.OnTrack);
    }

    [Fact]
    public void Health_is_unknown_without_a_value()
    {
        ProgressMath.HealthOf(CommitmentStatus.InProgress, false, Start, Due, null, Midway, Defaults).ShouldBe(Health.Unknown);
    }

    [Fact]
    public void Cancelled_commitment_has_unknown_health()
    {
        ProgressMath.HealthOf(CommitmentStatus.Cancelled, false, Start, Due, 0.9, Midway, Defaults).ShouldBe(Health.Unknown);
        ProgressMath.HealthOf(CommitmentStatus.Cancelled, false, Start, Due, 0.1, Due.AddDays(10), Defaults).ShouldBe(Health.Unknown);
    }

    [Fact]
    public void Withdrawn_commitment_has_unknown_health()
    {
        ProgressMath.HealthOf(CommitmentStatus.InProgress, true, Start, Due, 0.9, Midway, Defaults).ShouldBe(Health.Unknown);
        ProgressMath.HealthOf(CommitmentStatus.InProgress, true, Start, Due, 0.1, Due.AddDays(10), Defaults).ShouldBe(Health.Unknown);
    }

    [Theory]
    // e = 0.5: on-track from 0.95 * 0.5 = 0.475, at-risk from 0.60 * 0.5 = 0.30
    [InlineData(1.2, Health.OnTrack)]
    [InlineData(0.5, Health.OnTrack)]
    [InlineData(0.475, Health.OnTrack)]
    [InlineData(0.4749999, Health.AtRisk)]
    [InlineData(0.4, Health.AtRisk)]
    [InlineData(0.3, Health.AtRisk)]
    [InlineData(0.2999999, Health.OffTrack)]
    [InlineData(0.0, Health.OffTrack)]
    [InlineData(-0.2, Health.OffTrack)]
    public void Health_compares_progress_with_95_and_60_percent_of_expected(double progress, Health expected)
    {
        ProgressMath.HealthOf(CommitmentStatus.InProgress, false, Start, Due, progress, Midway, Defaults).ShouldBe(expected);
    }

    [Theory]
    // e = 1 on the due date: on-track from 0.95, at-risk from 0.60
    [InlineData(0.95, Health.OnTrack)]
    [InlineData(0.9499999, Health.AtRisk)]
    [InlineData(0.6, Health.AtRisk)]
    [InlineData(0.5999999, Health.OffTrack)]
    public void Health_bands_on_the_due_date(double progress, Health expected)
    {
        ProgressMath.HealthOf(CommitmentStatus.OnHold, false, Start, Due, progress, Due, Defaults).ShouldBe(expected);
    }

    [Fact]
    public void Before_the_start_any_progress_at_or_above_the_baseline_is_on_track()
    {
        // e is clamped to 0, so both bands are 0.
        ProgressMath.HealthOf(CommitmentStatus.NotStarted, false, Start, Due, 0, Start.AddDays(-10), Defaults).ShouldBe(Health.OnTrack);
        ProgressMath.HealthOf(CommitmentStatus.NotStarted, false, Start, Due, -0.01, Start.AddDays(-10), Defaults).ShouldBe(Health.OffTrack);
    }

    [Theory]
    // Custom bands 0.80 / 0.40 at e = 0.5: on-track from 0.40, at-risk from 0.20.
    // Defaults at e = 0.5: on-track from 0.475, at-risk from 0.30.
    [InlineData(0.42, Health.AtRisk, Health.OnTrack)]
    [InlineData(0.4, Health.AtRisk, Health.OnTrack)]
    [InlineData(0.25, Health.OffTrack, Health.AtRisk)]
    [InlineData(0.2, Health.OffTrack, Health.AtRisk)]
    [InlineData(0.19, Health.OffTrack, Health.OffTrack)]
    public void Custom_thresholds_change_the_health(double progress, Health withDefaults, Health withCustom)
    {
        var custom = new HealthThresholds(OnTrack: 0.80, AtRisk: 0.40);

        ProgressMath.HealthOf(CommitmentStatus.InProgress, false, Start, Due, progress, Midway, Defaults).ShouldBe(withDefaults);
        ProgressMath.HealthOf(CommitmentStatus.InProgress, false, Start, Due, progress, Midway, custom).ShouldBe(withCustom);
    }

    [Theory]
    // Target 10 from baseline 0, half-way through: p = v / 10 against e = 0.5.
    [InlineData(4.75, Health.OnTrack)]  // 0.475 = 0.95 * 0.5
    [InlineData(4.74, Health.AtRisk)]   // 0.474
    [InlineData(3, Health.AtRisk)]      // 0.300 = 0.60 * 0.5
    [InlineData(2.99, Health.OffTrack)] // 0.299
    public void Health_of_a_commitment_follows_its_latest_value(double value, Health expected)
    {
        var due = Given.PlanStart.AddDays(200);
        var at = Given.PlanStart.AddDays(100);
        var state = Given.Summary(Given.Made(baseline: 0, target: 10, due: due),
            new CommitmentStatusChanged(Given.CommitmentId, CommitmentStatus.NotStarted, CommitmentStatus.InProgress, null),
            Given.Accepted(value, at));

        ProgressMath.HealthOf(state, at, Defaults).ShouldBe(expected);
    }

    [Fact]
    public void Health_of_a_decreasing_commitment_half_way_to_its_target_half_way_through_is_on_track()
    {
        var due = Given.PlanStart.AddDays(200);
        var at = Given.PlanStart.AddDays(100);
        var state = Given.Summary(Given.Made(indicator: "G1.O1.I3", unit: "ug/m3", baseline: 35, target: 25, shouldDecrease: true, due: due),
            Given.Accepted(30, at));

        // p = (30 - 35) / (25 - 35) = 0.5 >= 0.95 * 0.5
        ProgressMath.HealthOf(state, at, Defaults).ShouldBe(Health.OnTrack);
    }

    [Fact]
    public void Health_of_a_commitment_without_values_is_unknown()
    {
        ProgressMath.HealthOf(Given.Summary(Given.Made(), new CommitmentStatusChanged(Given.CommitmentId, CommitmentStatus.NotStarted, CommitmentStatus.InProgress, null)), Given.Today, Defaults).ShouldBe(Health.Unknown);
    }

    [Fact]
    public void Health_of_a_withdrawn_commitment_is_unknown()
    {
        var state = Given.Summary(Given.Made(),
            Given.Accepted(9, new DateOnly(2025, 3, 31)),
            new CommitmentWithdrawn(Given.CommitmentId, "Made in error"));

        ProgressMath.HealthOf(state, Given.Today, Defaults).ShouldBe(Health.Unknown);
    }

    // --- Anticipated progress ---

    private static Measurement At(int day, double value) => new(Start.AddDays(day), value);

    [Fact]
    public void Values_rising_linearly_towards_the_target_anticipate_exactly_the_target()
    {
        // Points (0, 10), (100, 35), (200, 60): mean x = 100, mean y = 35,
        // Sxx = 100² + 0 + 100² = 20000, Sxy = (-100)(-25) + 0 + (100)(25) = 5000, slope = 0.25.
        // v̂(400) = 35 + 0.25 * (400 - 100) = 110; r = (110 - 10) / (110 - 10) = 1.
        var values = new[] { At(0, 10), At(100, 35), At(200, 60) };

        var r = ProgressMath.AnticipatedRatio(values, 10, 110, Start.AddDays(400), false);

        r.ShouldNotBeNull().ShouldBe(1.0, 1e-12);
        ProgressMath.Anticipate(r, Defaults).ShouldBe(Anticipation.OnTrack);
    }

    [Fact]
    public void Least_squares_line_through_scattered_values()
    {
        // Points (0, 10), (10, 30), (20, 20): mean x = 10, mean y = 20,
        // Sxx = 100 + 0 + 100 = 200, Sxy = (-10)(-10) + 0 + (10)(0) = 100, slope = 0.5.
        // v̂(50) = 20 + 0.5 * (50 - 10) = 40; r = (40 - 0) / (80 - 0) = 0.5.
        var values = new[] { At(0, 10), At(10, 30), At(20, 20) };

        var r = ProgressMath.AnticipatedRatio(values, 0, 80, Start.AddDays(50), false);

        r.ShouldNotBeNull().ShouldBe(0.5, 1e-12);
        ProgressMath.Anticipate(r, Defaults).ShouldBe(Anticipation.AccelerationNeeded);
    }

    [Fact]
    public void Order_of_the_values_does_not_change_the_line()
    {
        var values = new[] { At(20, 20), At(0, 10), At(10, 30) };

        ProgressMath.AnticipatedRatio(values, 0, 80, Start.AddDays(50), false).ShouldNotBeNull().ShouldBe(0.5, 1e-12);
    }

    [Fact]
    public void Flat_values_at_the_baseline_mean_stagnation()
    {
        // slope 0, v̂ = 5; r = (5 - 5) / (15 - 5) = 0.
        var values = new[] { At(0, 5), At(30, 5), At(60, 5) };

        var r = ProgressMath.AnticipatedRatio(values, 5, 15, Start.AddDays(300), false);

        r.ShouldNotBeNull().ShouldBe(0, 1e-12);
        ProgressMath.Anticipate(r, Defaults).ShouldBe(Anticipation.StagnationOrRegression);
    }

    [Fact]
    public void Values_moving_away_from_the_target_mean_regression()
    {
        // (0, 6), (100, 4): slope -0.02, mean (50, 5); v̂(300) = 5 - 0.02 * 250 = 0; r = (0 - 5) / (15 - 5) = -0.5.
        var values = new[] { At(0, 6), At(100, 4) };

        var r = ProgressMath.AnticipatedRatio(values, 5, 15, Start.AddDays(300), false);

        r.ShouldNotBeNull().ShouldBe(-0.5, 1e-9);
        ProgressMath.Anticipate(r, Defaults).ShouldBe(Anticipation.StagnationOrRegression);
    }

    [Fact]
    public void Decreasing_indicator_falling_to_its_target_by_the_due_date_is_on_track()
    {
        // (0, 35), (64, 33): mean (32, 34), slope -2 / 64 = -1/32; v̂(320) = 34 - 288 / 32 = 25;
        // r = (25 - 35) / (25 - 35) = 1.
        var values = new[] { At(0, 35), At(64, 33) };

        var r = ProgressMath.AnticipatedRatio(values, 35, 25, Start.AddDays(320), true);

        r.ShouldNotBeNull().ShouldBe(1.0, 1e-12);
        ProgressMath.Anticipate(r, Defaults).ShouldBe(Anticipation.OnTrack);
    }

    [Fact]
    public void Decreasing_indicator_falling_too_slowly_needs_acceleration()
    {
        // (0, 35), (64, 34.5): mean (32, 34.75), slope -0.5 / 64 = -1/128; v̂(320) = 34.75 - 288 / 128 = 32.5;
        // r = (32.5 - 35) / (25 - 35) = 0.25.
        var values = new[] { At(0, 35), At(64, 34.5) };

        var r = ProgressMath.AnticipatedRatio(values, 35, 25, Start.AddDays(320), true);

        r.ShouldNotBeNull().ShouldBe(0.25, 1e-12);
        ProgressMath.Anticipate(r, Defaults).ShouldBe(Anticipation.AccelerationNeeded);
    }

    [Fact]
    public void Decreasing_indicator_rising_instead_is_regression()
    {
        // (0, 35), (64, 37): mean (32, 36), slope 1/32; v̂(320) = 36 + 9 = 45; r = (45 - 35) / (25 - 35) = -1.
        var values = new[] { At(0, 35), At(64, 37) };

        var r = ProgressMath.AnticipatedRatio(values, 35, 25, Start.AddDays(320), true);

        r.ShouldNotBeNull().ShouldBe(-1.0, 1e-12);
        ProgressMath.Anticipate(r, Defaults).ShouldBe(Anticipation.StagnationOrRegression);
    }

    [Fact]
    public void Anticipated_progress_of_a_commitment_from_its_reported_values()
    {
        // KH's count commitment, baseline 0, target 10, due 2025-12-31.
        // 2 on 2024-12-31 and 4 on 2025-03-31 (90 days later): slope 2 / 90 a day; from the mean (45 days, 3) to the due
        // date (365 days after 2024-12-31) is 320 days: v̂ = 3 + 320 * 2 / 90 = 3 + 64 / 9 = 91 / 9; r = 91 / 90.
        var state = Given.Summary(Given.Made(),
            Given.Accepted(4, new DateOnly(2025, 3, 31)),
            Given.Accepted(2, new DateOnly(2024, 12, 31)));

        var r = state.AnticipatedRatio;

        r.ShouldNotBeNull().ShouldBe(91.0 / 90.0, 1e-9);
        ProgressMath.Anticipate(r, Defaults).ShouldBe(Anticipation.OnTrack);
    }

    [Fact]
    public void Anticipated_progress_needs_two_values_on_distinct_dates_and_a_baseline_and_target()
    {
        ProgressMath.AnticipatedRatio([], 0, 10, Due, false).ShouldBeNull();
        ProgressMath.AnticipatedRatio([At(0, 3)], 0, 10, Due, false).ShouldBeNull();
        ProgressMath.AnticipatedRatio([At(10, 3), At(10, 5)], 0, 10, Due, false).ShouldBeNull();
        ProgressMath.AnticipatedRatio([At(0, 3), At(10, 5)], null, 10, Due, false).ShouldBeNull();
        ProgressMath.AnticipatedRatio([At(0, 3), At(10, 5)], 0, null, Due, false).ShouldBeNull();
    }

    [Theory]
    [InlineData(1.3, Anticipation.OnTrack)]
    [InlineData(0.95, Anticipation.OnTrack)]
    [InlineData(0.9499999, Anticipation.AccelerationNeeded)]
    [InlineData(0.5, Anticipation.AccelerationNeeded)]
    [InlineData(0.10, Anticipation.AccelerationNeeded)]
    [InlineData(0.0999999, Anticipation.StagnationOrRegression)]
    [InlineData(0.0, Anticipation.StagnationOrRegression)]
    [InlineData(-0.4, Anticipation.StagnationOrRegression)]
    public void Anticipation_bands_are_95_and_10_percent(double r, Anticipation expected)
    {
        ProgressMath.Anticipate(r, Defaults).ShouldBe(expected);
    }

    [Fact]
    public void No_anticipated_ratio_gives_no_anticipation()
    {
        ProgressMath.Anticipate(null, Defaults).ShouldBeNull();
    }

    [Theory]
    [InlineData(0.92, Anticipation.AccelerationNeeded, Anticipation.OnTrack)]
    [InlineData(0.15, Anticipation.AccelerationNeeded, Anticipation.StagnationOrRegression)]
    public void Custom_anticipation_thresholds_change_the_band(double r, Anticipation withDefaults, Anticipation withCustom)
    {
        var custom = new HealthThresholds(AnticipatedOnTrack: 0.90, Stagnation: 0.20);

        ProgressMath.Anticipate(r, Defaults).ShouldBe(withDefaults);
        ProgressMath.Anticipate(r, custom).ShouldBe(withCustom);
    }
}
