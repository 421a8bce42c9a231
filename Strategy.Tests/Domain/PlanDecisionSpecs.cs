using Strategy.Domain;
using Strategy.Domain.Plans;

namespace Strategy.Tests.Domain;

public class PlanDecisionSpecs
{
    private static readonly IndicatorDefinition Stations = new("G4.O1.I1", "Monitoring stations reporting", "count", 30, 90);
    private static readonly IndicatorDefinition Rivers = new("G4.O1.I2", "River sections meeting standards", "percent", 70, 80);

    private static OutcomeDefinition Outcome(string code = "G4.O1", IReadOnlyList<string>? sdg = null, params IndicatorDefinition[] indicators) =>
        new("", code, "Better river water quality", sdg ?? ["6.3"], indicators);

    private static PlanDefinition SmallPlan(params GoalDefinition[] goals) =>
        new("LMEC-2023-2027", "Lancang-Mekong Environmental Cooperation Strategy", "Test copy", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31),
            Given.Countries, goals.Length == 0 ? [new GoalDefinition("G4", "Water and air", null, [Outcome(indicators: [Stations, Rivers])])] : goals);

    private static Decision Create(PlanDefinition plan, Actor? actor = null) =>
        PlanDecisions.Create(plan, actor ?? Given.Secretariat, Given.KnownSdgTargets);

    private static Plan Fold(Decision created) => created.Events.Aggregate((Plan?)null, Plan.Evolve).ShouldNotBeNull();

    // --- Create ---

    [Fact]
    public void A_plan_with_more_countries_or_goals_than_a_plan_may_have_is_refused()
    {
        var countries = Enumerable.Range(0, PlanLimits.MaxCountries + 1).Select(i => new Country($"{(char)('A' + i / 26)}{(char)('A' + i % 26)}", "", "Somewhere")).ToList();
        Create(SmallPlan() with { Countries = countries }).Rejection.ShouldNotBeNull().Field.ShouldBe("countries");
        Create(SmallPlan() with { Countries = countries[..PlanLimits.MaxCountries] }).IsAccepted.ShouldBeTrue();

        var goals = Enumerable.Range(0, PlanLimits.MaxGoals + 1).Select(i => new GoalDefinition($"G{i}", "A goal", null, [])).ToList();
        Create(SmallPlan([.. goals])).Rejection.ShouldNotBeNull().Field.ShouldBe("goals");
        Create(SmallPlan([.. goals[..PlanLimits.MaxGoals]])).IsAccepted.ShouldBeTrue();
    }

    [Fact]
    public void A_goal_takes_no_outcome_past_the_most_it_may_have_and_a_plan_no_goal_past_its_most()
    {
        var outcomes = Enumerable.Range(0, PlanLimits.MaxOutcomesPerGoal).Select(i => Outcome($"G4.O{i}", indicators: [])).ToList();
        var full = Fold(Create(SmallPlan(new GoalDefinition("G4", "Water", null, outcomes))));
        PlanDecisions.AddOutcome(full, Outcome("G4.O-next", indicators: []) with { Goal = "G4" }, Given.Secretariat, Given.KnownSdgTargets)
            .ShouldBeRejected(RejectionKind.Conflict);

        var goals = Enumerable.Range(0, PlanLimits.MaxGoals).Select(i => new GoalDefinition($"G{i}", "A goal", null, [])).ToList();
        var fullPlan = Fold(Create(SmallPlan([.. goals])));
        PlanDecisions.AddGoal(fullPlan, "G-next", "One more", null, Given.Secretariat).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Creating_a_small_plan_gives_plan_created_then_goal_added_then_outcome_added()
    {
        var decision = Create(SmallPlan());

        decision.IsAccepted.ShouldBeTrue(decision.Rejection?.Message);
        decision.Events.Select(e => e.GetType()).ShouldBe([typeof(PlanCreated), typeof(GoalAdded), typeof(OutcomeAdded)]);

        var created = (PlanCreated)decision.Events[0];
        created.Code.ShouldBe("LMEC-2023-2027");
        created.Title.ShouldBe("Lancang-Mekong Environmental Cooperation Strategy");
        created.Note.ShouldBe("Test copy");
        created.Start.ShouldBe(new DateOnly(2023, 1, 1));
        created.End.ShouldBe(new DateOnly(2027, 12, 31));
        created.Countries.Select(c => c.Code).ShouldBe(["KH", "TH"]);

        var goal = (GoalAdded)decision.Events[1];
        goal.PlanCode.ShouldBe("LMEC-2023-2027");
        goal.Code.ShouldBe("G4");
        goal.Title.ShouldBe("Water and air");
        goal.Description.ShouldBeNull();

        var outcome = (OutcomeAdded)decision.Events[2];
        outcome.PlanCode.ShouldBe("LMEC-2023-2027");
        outcome.Goal.ShouldBe("G4");
        outcome.Code.ShouldBe("G4.O1");
        outcome.Title.ShouldBe("Better river water quality");
        outcome.SdgTargets.ShouldBe(["6.3"]);
        outcome.Indicators.ShouldBe([
            new Indicator("G4.O1.I1", "Monitoring stations reporting", "count", 30, 90),
            new Indicator("G4.O1.I2", "River sections meeting standards", "percent", 70, 80),
        ]);
    }

    [Fact]
    public void Each_goal_is_followed_by_its_own_outcomes()
    {
        var plan = SmallPlan(
            new GoalDefinition("G1", "Policy", "Dialogue", [Outcome("G1.O1"), Outcome("G1.O2")]),
            new GoalDefinition("G2", "Climate", null, [Outcome("G2.O1", ["13.2"])]));

        var events = Create(plan).Events;

        events.Select(e => e switch
        {
            PlanCreated p => "plan " + p.Code,
            GoalAdded g => "goal " + g.Code,
            OutcomeAdded o => $"outcome {o.Goal}/{o.Code}",
            _ => e.GetType().Name,
        }).ShouldBe(["plan LMEC-2023-2027", "goal G1", "outcome G1/G1.O1", "outcome G1/G1.O2", "goal G2", "outcome G2/G2.O1"]);
    }

    [Fact]
    public void Folding_the_created_events_builds_the_plan()
    {
        var plan = Given.Plan([.. Create(SmallPlan()).Events]);

        plan.Code.ShouldBe("LMEC-2023-2027");
        plan.HasCountry("KH").ShouldBeTrue();
        plan.HasCountry("VN").ShouldBeFalse();
        plan.FindGoal("G4").ShouldNotBeNull().Outcomes.Select(o => o.Code).ShouldBe(["G4.O1"]);
        plan.FindOutcome("G4.O1").ShouldNotBeNull().Goal.ShouldBe("G4");
        plan.FindIndicator("G4.O1.I2").ShouldNotBeNull().Unit.ShouldBe("percent");
    }

    [Fact]
    public void Repeated_sdg_targets_of_an_outcome_are_recorded_once()
    {
        var plan = SmallPlan(new GoalDefinition("G4", "Water", null, [Outcome(sdg: ["6.3", "6.3", "6.5"])]));

        Create(plan).Events.OfType<OutcomeAdded>().Single().SdgTargets.ShouldBe(["6.3", "6.5"]);
    }

    [Fact]
    public void Unknown_sdg_target_is_named_by_its_position_in_the_plan()
    {
        var plan = SmallPlan(new GoalDefinition("G4", "Water", null, [Outcome(sdg: ["99.9"])]));

        Create(plan).ShouldBeRejected(RejectionKind.Validation, "goals[0].outcomes[0].sdgTargets[0]");
    }

    [Fact]
    public void Unknown_sdg_target_deeper_in_the_plan_is_named_by_its_position()
    {
        var plan = SmallPlan(
            new GoalDefinition("G1", "Policy", null, [Outcome("G1.O1")]),
            new GoalDefinition("G2", "Climate", null, [Outcome("G2.O1"), Outcome("G2.O2", ["13.2", "13.9"])]));

        Create(plan).ShouldBeRejected(RejectionKind.Validation, "goals[1].outcomes[1].sdgTargets[1]");
    }

    [Fact]
    public void Duplicate_outcome_code_in_one_goal_is_a_conflict_about_the_second_ones_code()
    {
        var plan = SmallPlan(new GoalDefinition("G4", "Water", null, [Outcome("G4.O1"), Outcome("G4.O1")]));

        Create(plan).ShouldBeRejected(RejectionKind.Conflict, "goals[0].outcomes[1].code");
    }

    [Fact]
    public void Duplicate_outcome_code_across_goals_is_a_conflict()
    {
        var plan = SmallPlan(
            new GoalDefinition("G1", "Policy", null, [Outcome("X.O1")]),
            new GoalDefinition("G2", "Climate", null, [Outcome("X.O1")]));

        Create(plan).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Duplicate_goal_code_is_a_conflict_about_the_second_ones_code()
    {
        var plan = SmallPlan(new GoalDefinition("G1", "Policy", null, []), new GoalDefinition("G1", "Again", null, []));

        Create(plan).ShouldBeRejected(RejectionKind.Conflict, "goals[1].code");
    }

    [Fact]
    public void Duplicate_indicator_code_is_a_conflict_about_the_second_ones_code()
    {
        var plan = SmallPlan(new GoalDefinition("G4", "Water", null,
            [Outcome("G4.O1", indicators: [Stations]), Outcome("G4.O2", indicators: [Stations with { Title = "Copy" }])]));

        Create(plan).ShouldBeRejected(RejectionKind.Conflict, "goals[0].outcomes[1].indicators[0].code");
    }

    [Fact]
    public void Indicator_percent_target_above_100_is_named_by_its_position()
    {
        var plan = SmallPlan(new GoalDefinition("G4", "Water", null, [Outcome(indicators: [Stations, Rivers with { Target = 120 }])]));

        Create(plan).ShouldBeRejected(RejectionKind.Validation, "goals[0].outcomes[0].indicators[1].target");
    }

    [Fact]
    public void Plan_period_must_end_after_it_starts()
    {
        Create(SmallPlan() with { End = new DateOnly(2023, 1, 1) }).ShouldBeRejected(RejectionKind.Validation, "period.end");
    }

    [Fact]
    public void Plan_needs_a_member_country()
    {
        Create(SmallPlan() with { Countries = [] }).ShouldBeRejected(RejectionKind.Validation, "countries");
    }

    [Fact]
    public void Country_listed_twice_is_invalid()
    {
        Create(SmallPlan() with { Countries = [.. Given.Countries, new Country("KH", "KHM", "Cambodia")] })
            .ShouldBeRejected(RejectionKind.Validation, "countries[2].code");
    }

    [Theory]
    [InlineData(Role.FocalPoint)]
    [InlineData(Role.Reviewer)]
    public void Only_the_secretariat_creates_plans(Role role)
    {
        Create(SmallPlan(), new Actor("u", "User", role, "KH")).ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void Admin_creates_plans_like_the_secretariat()
    {
        Create(SmallPlan(), Given.Admin).IsAccepted.ShouldBeTrue();
    }

    // --- Goals and outcomes added later ---

    [Fact]
    public void Adding_a_goal_with_an_existing_code_is_a_conflict_about_its_code()
    {
        PlanDecisions.AddGoal(Given.TestPlan, "G1", "Again", null, Given.Secretariat).ShouldBeRejected(RejectionKind.Conflict, "code");
    }

    [Fact]
    public void Focal_point_cannot_add_a_goal()
    {
        PlanDecisions.AddGoal(Given.TestPlan, "G9", "New", null, Given.FocalPointKH).ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void Outcome_under_an_unknown_goal_is_invalid()
    {
        PlanDecisions.AddOutcome(Given.TestPlan, new OutcomeDefinition("G9", "G9.O1", "Orphan", ["6.3"], []), Given.Secretariat, Given.KnownSdgTargets)
            .ShouldBeRejected(RejectionKind.Validation, "goal");
    }

    [Fact]
    public void Outcome_with_an_existing_code_is_a_conflict_about_its_code()
    {
        PlanDecisions.AddOutcome(Given.TestPlan, new OutcomeDefinition("G2", "G1.O1", "Copy", ["6.3"], []), Given.Secretariat, Given.KnownSdgTargets)
            .ShouldBeRejected(RejectionKind.Conflict, "code");
    }

    // --- SDG alignment ---

    [Fact]
    public void Secretariat_aligns_an_outcome_with_new_sdg_targets_and_the_previous_ones_are_recorded()
    {
        var plan = Given.TestPlan; // G1.O1 is aligned with 13.2

        var aligned = PlanDecisions.AlignSdgTargets(plan, "G1.O1", ["6.5", "13.2"], "Water governance added", Given.Secretariat, Given.KnownSdgTargets)
            .ShouldAcceptSingle<OutcomeSdgTargetsAligned>();

        aligned.PlanCode.ShouldBe(Given.PlanCode);
        aligned.Outcome.ShouldBe("G1.O1");
        aligned.Previous.ShouldBe(["13.2"]);
        aligned.SdgTargets.ShouldBe(["6.5", "13.2"]);
        aligned.Reason.ShouldBe("Water governance added");

        var after = Plan.Evolve(plan, aligned).ShouldNotBeNull();
        after.FindOutcome("G1.O1").ShouldNotBeNull().SdgTargets.ShouldBe(["6.5", "13.2"]);
        after.FindOutcome("G2.O1").ShouldNotBeNull().SdgTargets.ShouldBe(["15.1"]);
    }

    [Fact]
    public void Realignment_records_what_the_previous_alignment_was()
    {
        var plan = Given.Plan([.. Given.PlanEvents,
            new OutcomeSdgTargetsAligned(Given.PlanCode, "G1.O1", ["13.2"], ["6.5", "13.2"], "First")]);

        var aligned = PlanDecisions.AlignSdgTargets(plan, "G1.O1", ["13.1"], "Narrowed", Given.Admin, Given.KnownSdgTargets)
            .ShouldAcceptSingle<OutcomeSdgTargetsAligned>();

        aligned.Previous.ShouldBe(["6.5", "13.2"]);
        aligned.SdgTargets.ShouldBe(["13.1"]);
    }

    [Fact]
    public void Alignment_may_remove_every_target()
    {
        PlanDecisions.AlignSdgTargets(Given.TestPlan, "G1.O1", [], "Not an SDG outcome", Given.Secretariat, Given.KnownSdgTargets)
            .ShouldAcceptSingle<OutcomeSdgTargetsAligned>().SdgTargets.ShouldBeEmpty();
    }

    [Fact]
    public void Repeated_targets_in_an_alignment_are_recorded_once()
    {
        PlanDecisions.AlignSdgTargets(Given.TestPlan, "G1.O1", ["6.5", "6.5", "13.2"], "Water", Given.Secretariat, Given.KnownSdgTargets)
            .ShouldAcceptSingle<OutcomeSdgTargetsAligned>().SdgTargets.ShouldBe(["6.5", "13.2"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData(null)]
    public void Alignment_needs_a_reason(string? reason)
    {
        PlanDecisions.AlignSdgTargets(Given.TestPlan, "G1.O1", ["6.5"], reason!, Given.Secretariat, Given.KnownSdgTargets)
            .ShouldBeRejected(RejectionKind.Validation, "reason");
    }

    [Fact]
    public void Alignment_with_an_unknown_target_is_invalid()
    {
        PlanDecisions.AlignSdgTargets(Given.TestPlan, "G1.O1", ["6.5", "6.55"], "Water", Given.Secretariat, Given.KnownSdgTargets)
            .ShouldBeRejected(RejectionKind.Validation, "sdgTargets[1]");
    }

    [Fact]
    public void Alignment_with_the_same_targets_is_a_conflict_about_the_targets()
    {
        PlanDecisions.AlignSdgTargets(Given.TestPlan, "G1.O1", ["13.2"], "Again", Given.Secretariat, Given.KnownSdgTargets)
            .ShouldBeRejected(RejectionKind.Conflict, "sdgTargets");
    }

    [Fact]
    public void Alignment_of_an_unknown_outcome_is_not_found()
    {
        PlanDecisions.AlignSdgTargets(Given.TestPlan, "G9.O9", ["6.5"], "Water", Given.Secretariat, Given.KnownSdgTargets)
            .ShouldBeRejected(RejectionKind.NotFound);
    }

    [Theory]
    [InlineData(Role.FocalPoint)]
    [InlineData(Role.Reviewer)]
    public void Only_the_secretariat_aligns_sdg_targets(Role role)
    {
        PlanDecisions.AlignSdgTargets(Given.TestPlan, "G1.O1", ["6.5"], "Water", new Actor("u", "User", role, "KH"), Given.KnownSdgTargets)
            .ShouldBeRejected(RejectionKind.Forbidden);
    }
}
