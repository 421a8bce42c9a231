using Strategy.Domain;
using Strategy.Domain.Commitments;

namespace Strategy.Tests.Domain;

public class MakeCommitmentSpecs
{
    private static readonly Guid Id = Guid.Parse("0c7e1a52-93d4-4b8f-a6e2-5d1f0b9c3e77");

    private static MakeCommitment Command(string country = "KH", string outcome = "G1.O1", string title = "Host national dialogues",
        DateOnly? due = null, string? indicator = "G1.O1.I1", double? baseline = null, double? target = null) =>
        new(null, country, outcome, title, "Two a year", "Ministry of Environment", due ?? Given.Due, indicator, baseline, target);

    private static Decision Make(MakeCommitment cmd, Actor? actor = null, string code = "KH-G1.O1-01") =>
        CommitmentDecisions.Make(Given.TestPlan, cmd, code, Id, actor ?? Given.FocalPointKH, Given.Today);

    [Fact]
    public void Focal_point_makes_a_commitment_for_its_own_country()
    {
        var cmd = new MakeCommitment(null, "KH", "G1.O1", "  Host national dialogues  ", "Two a year", " Ministry of Environment ",
            new DateOnly(2026, 6, 30), "G1.O1.I1", null, 8);

        var made = Make(cmd).ShouldAcceptSingle<CommitmentMade>();

        made.CommitmentId.ShouldBe(Id);
        made.PlanCode.ShouldBe(Given.PlanCode);
        made.Code.ShouldBe("KH-G1.O1-01");
        made.Country.ShouldBe("KH");
        made.Goal.ShouldBe("G1");
        made.Outcome.ShouldBe("G1.O1");
        made.Title.ShouldBe("Host national dialogues");
        made.Description.ShouldBe("Two a year");
        made.LeadAgency.ShouldBe("Ministry of Environment");
        made.PlanStart.ShouldBe(Given.PlanStart);
        made.PlanEnd.ShouldBe(Given.PlanEnd);
        made.Due.ShouldBe(new DateOnly(2026, 6, 30));
        made.Indicator.ShouldBe("G1.O1.I1");
        made.Unit.ShouldBe("count");
        made.Target.ShouldBe(8);
    }

    [Fact]
    public void A_new_commitment_has_not_started_and_has_no_values()
    {
        var made = Make(Command()).ShouldAcceptSingle<CommitmentMade>();

        var state = Given.Commitment(made);

        state.Status.ShouldBe(CommitmentStatus.NotStarted);
        state.Withdrawn.ShouldBeFalse();
        state.Values.ShouldBeEmpty();
        Given.Summary(made).Progress.ShouldBeNull();
    }

    [Fact]
    public void Goal_comes_from_the_outcome_not_from_the_caller()
    {
        var made = Make(Command(outcome: "G2.O1", indicator: "G2.O1.I1")).ShouldAcceptSingle<CommitmentMade>();

        made.Goal.ShouldBe("G2");
    }

    // --- Validation ---

    [Fact]
    public void Country_not_a_member_of_the_plan_is_invalid()
    {
        Make(Command(country: "VN"), Given.Secretariat).ShouldBeRejected(RejectionKind.Validation, "country");
    }

    [Fact]
    public void Missing_country_is_invalid()
    {
        Make(Command(country: ""), Given.Secretariat).ShouldBeRejected(RejectionKind.Validation, "country");
    }

    [Fact]
    public void Unknown_outcome_is_invalid()
    {
        Make(Command(outcome: "G9.O9")).ShouldBeRejected(RejectionKind.Validation, "outcome");
    }

    [Fact]
    public void Indicator_of_another_outcome_is_invalid()
    {
        Make(Command(outcome: "G1.O1", indicator: "G2.O1.I1")).ShouldBeRejected(RejectionKind.Validation, "indicator");
    }

    [Fact]
    public void Unknown_indicator_is_invalid()
    {
        Make(Command(indicator: "G1.O1.I9")).ShouldBeRejected(RejectionKind.Validation, "indicator");
    }

    [Theory]
    [InlineData(2022, 12, 31)]
    [InlineData(2028, 1, 1)]
    [InlineData(2030, 6, 30)]
    public void Due_date_outside_the_plan_period_is_invalid(int year, int month, int day)
    {
        Make(Command(due: new DateOnly(year, month, day))).ShouldBeRejected(RejectionKind.Validation, "due");
    }

    [Theory]
    [InlineData(2023, 1, 1)]
    [InlineData(2027, 12, 31)]
    public void Due_date_on_the_first_or_last_day_of_the_plan_is_valid(int year, int month, int day)
    {
        Make(Command(due: new DateOnly(year, month, day))).ShouldAcceptSingle<CommitmentMade>().Due.ShouldBe(new DateOnly(year, month, day));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Empty_title_is_invalid(string title)
    {
        Make(Command(title: title)).ShouldBeRejected(RejectionKind.Validation, "title");
    }

    [Fact]
    public void Title_of_501_characters_is_invalid()
    {
        Make(Command(title: new string('t', 501))).ShouldBeRejected(RejectionKind.Validation, "title");
    }

    [Fact]
    public void Title_of_500_characters_is_valid()
    {
        Make(Command(title: new string('t', 500))).ShouldAcceptSingle<CommitmentMade>().Title.Length.ShouldBe(500);
    }

    [Fact]
    public void Negative_baseline_for_a_count_indicator_is_invalid()
    {
        Make(Command(baseline: -1, target: 10)).ShouldBeRejected(RejectionKind.Validation, "baseline");
    }

    [Fact]
    public void Negative_target_for_a_count_indicator_is_invalid()
    {
        Make(Command(baseline: 0, target: -5)).ShouldBeRejected(RejectionKind.Validation, "target");
    }

    [Fact]
    public void Percent_target_above_100_is_invalid()
    {
        Make(Command(indicator: "G1.O1.I2", target: 120)).ShouldBeRejected(RejectionKind.Validation, "target");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Non_finite_baseline_is_invalid_even_without_an_indicator(double baseline)
    {
        Make(Command(indicator: null, baseline: baseline, target: 10)).ShouldBeRejected(RejectionKind.Validation, "baseline");
    }

    [Fact]
    public void Negative_values_are_allowed_without_an_indicator_unit()
    {
        var made = Make(Command(indicator: null, baseline: -3, target: -1)).ShouldAcceptSingle<CommitmentMade>();

        made.Baseline.ShouldBe(-3);
        made.Target.ShouldBe(-1);
    }

    [Fact]
    public void Invalid_code_is_rejected()
    {
        Make(Command(), code: "KH G1/O1").ShouldBeRejected(RejectionKind.Validation, "code");
    }

    // --- Baseline and direction defaults ---

    [Fact]
    public void Count_indicator_gives_a_baseline_of_zero_and_the_indicators_target()
    {
        // The regional baseline of G1.O1.I1 is 2, but a country counts its own contribution from 0.
        var made = Make(Command(indicator: "G1.O1.I1")).ShouldAcceptSingle<CommitmentMade>();

        made.Baseline.ShouldBe(0);
        made.Target.ShouldBe(12);
        made.ShouldDecrease.ShouldBeFalse();
    }

    [Fact]
    public void Hectares_indicator_is_cumulative_too()
    {
        var made = Make(Command(outcome: "G2.O1", indicator: "G2.O1.I1", target: 400)).ShouldAcceptSingle<CommitmentMade>();

        made.Unit.ShouldBe("hectares");
        made.Baseline.ShouldBe(0);
        made.Target.ShouldBe(400);
    }

    [Fact]
    public void Percent_indicator_gives_the_indicators_baseline()
    {
        var made = Make(Command(indicator: "G1.O1.I2", target: 78)).ShouldAcceptSingle<CommitmentMade>();

        made.Unit.ShouldBe("percent");
        made.Baseline.ShouldBe(70);
        made.Target.ShouldBe(78);
        made.ShouldDecrease.ShouldBeFalse();
    }

    [Fact]
    public void Decreasing_indicator_makes_a_commitment_that_should_decrease()
    {
        var made = Make(Command(indicator: "G1.O1.I3")).ShouldAcceptSingle<CommitmentMade>();

        made.Unit.ShouldBe("ug/m3");
        made.Baseline.ShouldBe(35);
        made.Target.ShouldBe(28);
        made.ShouldDecrease.ShouldBeTrue();
    }

    [Fact]
    public void ShouldDecrease_follows_the_indicator_not_the_commitments_own_numbers()
    {
        // Own numbers rising (20 -> 30) under an indicator meant to go down (35 -> 28).
        var made = Make(Command(indicator: "G1.O1.I3", baseline: 20, target: 30)).ShouldAcceptSingle<CommitmentMade>();

        made.Baseline.ShouldBe(20);
        made.Target.ShouldBe(30);
        made.ShouldDecrease.ShouldBeTrue();
    }

    [Fact]
    public void Explicit_baseline_overrides_the_default()
    {
        var made = Make(Command(indicator: "G1.O1.I1", baseline: 3, target: 9)).ShouldAcceptSingle<CommitmentMade>();

        made.Baseline.ShouldBe(3);
        made.Target.ShouldBe(9);
    }

    [Fact]
    public void Without_an_indicator_a_target_gets_a_baseline_of_zero()
    {
        var made = Make(Command(indicator: null, target: 5)).ShouldAcceptSingle<CommitmentMade>();

        made.Indicator.ShouldBeNull();
        made.Unit.ShouldBeNull();
        made.Baseline.ShouldBe(0);
        made.Target.ShouldBe(5);
        made.ShouldDecrease.ShouldBeFalse();
    }

    [Fact]
    public void Without_an_indicator_the_direction_follows_the_commitments_own_numbers()
    {
        var made = Make(Command(indicator: null, baseline: 40, target: 25)).ShouldAcceptSingle<CommitmentMade>();

        made.ShouldDecrease.ShouldBeTrue();
    }

    [Fact]
    public void Without_an_indicator_or_a_target_nothing_is_measured()
    {
        var made = Make(Command(indicator: null)).ShouldAcceptSingle<CommitmentMade>();

        made.Baseline.ShouldBeNull();
        made.Target.ShouldBeNull();
        made.ShouldDecrease.ShouldBeFalse();
    }
}
