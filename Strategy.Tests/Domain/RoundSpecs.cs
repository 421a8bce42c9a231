using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Domain.Rounds;

namespace Strategy.Tests.Domain;

/// <summary>
/// Reporting rounds (API.md, "Reporting rounds and review"): only the secretariat opens, moves and closes them; a value
/// goes to the round named or to the open round whose period holds its date; after the deadline it is taken, late;
/// once the round is closed, none is.
/// </summary>
public class RoundSpecs
{
    private static readonly Guid RoundId = Guid.Parse("0197c000-0000-7000-8000-0000000000b1");
    private static readonly Guid Q1Id = Guid.Parse("0197c000-0000-7000-8000-0000000000b0");
    private static readonly Guid YearId = Guid.Parse("0197c000-0000-7000-8000-0000000000b9");
    private static readonly Guid ValueId = Guid.Parse("0197c000-0000-7000-8000-0000000000a1");

    private static readonly DateOnly Q2Start = new(2025, 4, 1);
    private static readonly DateOnly Q2End = new(2025, 6, 30);
    private static readonly DateOnly Q2Deadline = new(2025, 7, 15);
    private static readonly DateOnly InQ2 = new(2025, 5, 15);
    private static readonly DateOnly InQ1 = new(2025, 3, 31);

    private static OpenRound Q2(string code = "2025-Q2", string? title = "Second quarter 2025", DateOnly? periodStart = null,
        DateOnly? periodEnd = null, DateOnly? deadline = null) =>
        new(code, title, periodStart ?? Q2Start, periodEnd ?? Q2End, deadline ?? Q2Deadline);

    private static Decision Open(OpenRound cmd, Actor? actor = null, params Round[] existing) =>
        RoundDecisions.Open(Given.TestPlan, existing, cmd, RoundId, actor ?? Given.Secretariat);

    /// <summary>A round folded from its events.</summary>
    private static Round RoundOf(params IRoundEvent[] events) => events.Aggregate((Round?)null, Round.Evolve).ShouldNotBeNull();

    private static RoundOpened Opened(string code, DateOnly start, DateOnly end, DateOnly deadline, Guid id) =>
        new(id, Given.PlanCode, code, null, start, end, deadline);

    private static Round OpenQ2 => RoundOf(Opened("2025-Q2", Q2Start, Q2End, Q2Deadline, RoundId));
    private static Round ClosedQ2 => RoundOf(Opened("2025-Q2", Q2Start, Q2End, Q2Deadline, RoundId), new RoundClosed(RoundId, null));
    private static Round ClosedQ1 => RoundOf(Opened("2025-Q1", new(2025, 1, 1), InQ1, new(2025, 4, 15), Q1Id), new RoundClosed(Q1Id, null));

    private static Decision Submit(DateOnly asOf, string? round, IReadOnlyCollection<Round> rounds, Actor? actor = null, DateOnly? today = null) =>
        ValueDecisions.Submit(Given.CommitmentIn(CommitmentStatus.InProgress), new SubmitValue(3, asOf, round, null, null, [], null), rounds, ValueId,
            actor ?? Given.FocalPointKH, today ?? Given.Today);

    private static Actor Who(string name) => name switch
    {
        "secretariat" => Given.Secretariat,
        "admin" => Given.Admin,
        "focal point KH" => Given.FocalPointKH,
        "reviewer" => Given.Reviewer,
        "reviewer KH" => Given.ReviewerKH,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    // ==================================================== Open ======================================================

    [Theory]
    [InlineData("secretariat")]
    [InlineData("admin")]
    public void The_secretariat_opens_a_round_within_the_plan(string who)
    {
        var opened = Open(Q2(title: "  Second quarter 2025 "), Who(who)).ShouldAcceptSingle<RoundOpened>();

        opened.ShouldBe(new RoundOpened(RoundId, Given.PlanCode, "2025-Q2", "Second quarter 2025", Q2Start, Q2End, Q2Deadline));
        RoundOf(opened).ShouldBe(new Round(RoundId, Given.PlanCode, "2025-Q2", "Second quarter 2025", Q2Start, Q2End, Q2Deadline, false));
    }

    [Theory]
    [InlineData("focal point KH")]
    [InlineData("reviewer")]
    [InlineData("reviewer KH")]
    public void Only_the_secretariat_opens_a_round(string who)
    {
        Open(Q2(), Who(who)).ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("2025 Q2")]
    [InlineData("-Q2")]
    [InlineData("2025/Q2")]
    public void A_round_code_must_be_a_valid_code(string code)
    {
        Open(Q2(code: code)).ShouldBeRejected(RejectionKind.Validation, "code");
    }

    [Fact]
    public void A_round_title_over_500_characters_is_invalid()
    {
        Open(Q2(title: new string('t', Codes.MaxTitleLength + 1))).ShouldBeRejected(RejectionKind.Validation, "title");
    }

    [Fact]
    public void A_round_period_starting_before_the_plan_is_invalid()
    {
        Open(Q2(periodStart: Given.PlanStart.AddDays(-1), periodEnd: new(2023, 3, 31), deadline: new(2023, 4, 15)))
            .ShouldBeRejected(RejectionKind.Validation, "periodStart");
    }

    [Fact]
    public void A_round_period_ending_after_the_plan_is_invalid()
    {
        Open(Q2(periodStart: new(2027, 10, 1), periodEnd: Given.PlanEnd.AddDays(1), deadline: new(2028, 1, 15)))
            .ShouldBeRejected(RejectionKind.Validation, "periodEnd");
    }

    [Fact]
    public void A_round_period_ending_before_it_starts_is_invalid()
    {
        Open(Q2(periodStart: Q2End, periodEnd: Q2Start)).ShouldBeRejected(RejectionKind.Validation, "periodEnd");
    }

    [Fact]
    public void A_round_period_may_cover_the_whole_plan()
    {
        Open(Q2(periodStart: Given.PlanStart, periodEnd: Given.PlanEnd, deadline: Given.PlanEnd)).ShouldAcceptSingle<RoundOpened>();
    }

    [Fact]
    public void A_deadline_before_the_period_ends_is_invalid()
    {
        Open(Q2(deadline: Q2End.AddDays(-1))).ShouldBeRejected(RejectionKind.Validation, "deadline");
    }

    [Fact]
    public void A_deadline_on_the_last_day_of_the_period_is_valid()
    {
        Open(Q2(deadline: Q2End)).ShouldAcceptSingle<RoundOpened>().Deadline.ShouldBe(Q2End);
    }

    [Fact]
    public void A_round_code_is_used_once_in_a_plan()
    {
        Open(Q2(), Given.Secretariat, OpenQ2).ShouldBeRejected(RejectionKind.Conflict);
        Open(Q2(), Given.Secretariat, ClosedQ2).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Another_code_opens_beside_existing_rounds()
    {
        Open(Q2(code: "2025-Q3", periodStart: new(2025, 7, 1), periodEnd: new(2025, 9, 30), deadline: new(2025, 10, 15)),
            Given.Secretariat, OpenQ2, ClosedQ1).ShouldAcceptSingle<RoundOpened>().Code.ShouldBe("2025-Q3");
    }

    // ================================================ Move the deadline ================================================

    [Fact]
    public void The_secretariat_moves_the_deadline_with_a_reason()
    {
        var moved = RoundDecisions.MoveDeadline(OpenQ2, new(2025, 7, 31), "Holidays in July", Given.Secretariat)
            .ShouldAcceptSingle<RoundDeadlineMoved>();

        moved.ShouldBe(new RoundDeadlineMoved(RoundId, Q2Deadline, new(2025, 7, 31), "Holidays in July"));
        Round.Evolve(OpenQ2, moved).Deadline.ShouldBe(new DateOnly(2025, 7, 31));
    }

    [Fact]
    public void Admin_moves_the_deadline_earlier_but_not_before_the_period_ends()
    {
        RoundDecisions.MoveDeadline(OpenQ2, Q2End, "Board meets early", Given.Admin).ShouldAcceptSingle<RoundDeadlineMoved>().To.ShouldBe(Q2End);
        RoundDecisions.MoveDeadline(OpenQ2, Q2End.AddDays(-1), "Board meets early", Given.Admin).ShouldBeRejected(RejectionKind.Validation, "deadline");
    }

    [Theory]
    [InlineData("focal point KH")]
    [InlineData("reviewer")]
    [InlineData("reviewer KH")]
    public void Only_the_secretariat_moves_a_deadline(string who)
    {
        RoundDecisions.MoveDeadline(OpenQ2, new(2025, 7, 31), "Holidays", Who(who)).ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Moving_a_deadline_needs_a_reason(string? reason)
    {
        RoundDecisions.MoveDeadline(OpenQ2, new(2025, 7, 31), reason, Given.Secretariat).ShouldBeRejected(RejectionKind.Validation, "reason");
    }

    [Fact]
    public void Moving_a_deadline_to_the_date_it_has_is_a_conflict()
    {
        RoundDecisions.MoveDeadline(OpenQ2, Q2Deadline, "Confirm", Given.Secretariat).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void A_closed_rounds_deadline_does_not_move()
    {
        RoundDecisions.MoveDeadline(ClosedQ2, new(2025, 7, 31), "Late data", Given.Secretariat).ShouldBeRejected(RejectionKind.Conflict);
    }

    // ==================================================== Close =====================================================

    [Theory]
    [InlineData("secretariat")]
    [InlineData("admin")]
    public void The_secretariat_closes_a_round(string who)
    {
        var closed = RoundDecisions.Close(OpenQ2, "All countries reported", Who(who)).ShouldAcceptSingle<RoundClosed>();

        closed.ShouldBe(new RoundClosed(RoundId, "All countries reported"));
        Round.Evolve(OpenQ2, closed).Closed.ShouldBeTrue();
    }

    [Theory]
    [InlineData("focal point KH")]
    [InlineData("reviewer")]
    [InlineData("reviewer KH")]
    public void Only_the_secretariat_closes_a_round(string who)
    {
        RoundDecisions.Close(OpenQ2, null, Who(who)).ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void A_closed_round_cannot_be_closed_again()
    {
        RoundDecisions.Close(ClosedQ2, null, Given.Secretariat).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Closing_note_over_the_text_limit_is_invalid()
    {
        RoundDecisions.Close(OpenQ2, new string('n', Codes.MaxTextLength + 1), Given.Secretariat).ShouldBeRejected(RejectionKind.Validation, "note");
    }

    // ============================================ Submissions and rounds ============================================

    [Fact]
    public void A_value_goes_to_the_open_round_whose_period_holds_its_date()
    {
        var submitted = Submit(InQ2, null, [ClosedQ1, OpenQ2]).ShouldAcceptSingle<ValueSubmitted>();

        submitted.Round.ShouldBe("2025-Q2");
        submitted.Late.ShouldBeFalse();
        Commitment.Evolve(Given.CommitmentIn(CommitmentStatus.InProgress), submitted, Given.FocalPointKH.Id)
            .FindValue(ValueId).ShouldNotBeNull().Round.ShouldBe("2025-Q2");
    }

    [Fact]
    public void Of_two_open_rounds_holding_the_date_the_value_goes_to_the_one_ending_first()
    {
        var year = RoundOf(Opened("2025", new(2025, 1, 1), new(2025, 12, 31), new(2026, 1, 31), YearId));

        Submit(InQ2, null, [year, OpenQ2]).ShouldAcceptSingle<ValueSubmitted>().Round.ShouldBe("2025-Q2");
    }

    [Fact]
    public void A_value_goes_to_the_round_named()
    {
        var year = RoundOf(Opened("2025", new(2025, 1, 1), new(2025, 12, 31), new(2026, 1, 31), YearId));

        Submit(InQ2, "2025", [year, OpenQ2]).ShouldAcceptSingle<ValueSubmitted>().Round.ShouldBe("2025");
    }

    [Theory]
    [InlineData("focal point KH")]
    [InlineData("secretariat")]
    public void A_closed_round_takes_no_more_values(string who)
    {
        Submit(InQ2, "2025-Q2", [ClosedQ2], Who(who)).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Naming_an_unknown_round_is_invalid()
    {
        Submit(InQ2, "2025-Q9", [OpenQ2]).ShouldBeRejected(RejectionKind.Validation, "round");
    }

    [Fact]
    public void Naming_a_round_whose_period_does_not_hold_the_date_is_invalid()
    {
        Submit(InQ1, "2025-Q2", [OpenQ2]).ShouldBeRejected(RejectionKind.Validation, "asOf");
    }

    [Fact]
    public void A_focal_points_value_outside_every_open_round_is_refused_once_the_plan_has_rounds()
    {
        Submit(InQ1, null, [OpenQ2]).ShouldBeRejected(RejectionKind.Conflict);
        Submit(InQ1, null, [ClosedQ1, OpenQ2]).ShouldBeRejected(RejectionKind.Conflict);
        Submit(InQ2, null, [ClosedQ2]).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Theory]
    [InlineData("secretariat")]
    [InlineData("admin")]
    public void The_secretariats_value_outside_every_open_round_is_taken_without_a_round(string who)
    {
        var decision = Submit(InQ1, null, [ClosedQ1, OpenQ2], Who(who));

        decision.IsAccepted.ShouldBeTrue(decision.Rejection?.Message);
        var submitted = decision.Events[0].ShouldBeOfType<ValueSubmitted>();
        submitted.Round.ShouldBeNull();
        submitted.Late.ShouldBeFalse();
        decision.Events[1].ShouldBeOfType<ValueAccepted>().ValueId.ShouldBe(ValueId);
    }

    [Fact]
    public void A_plan_without_rounds_takes_any_value_without_a_round()
    {
        var submitted = Submit(InQ1, null, []).ShouldAcceptSingle<ValueSubmitted>();

        submitted.Round.ShouldBeNull();
        submitted.Late.ShouldBeFalse();
    }

    [Fact]
    public void A_value_sent_on_the_deadline_day_is_on_time()
    {
        Submit(Q2End, null, [OpenQ2], today: Q2Deadline).ShouldAcceptSingle<ValueSubmitted>().Late.ShouldBeFalse();
    }

    [Fact]
    public void A_value_sent_the_day_after_the_deadline_is_taken_late()
    {
        var submitted = Submit(Q2End, null, [OpenQ2], today: Q2Deadline.AddDays(1)).ShouldAcceptSingle<ValueSubmitted>();

        submitted.Round.ShouldBe("2025-Q2");
        submitted.Late.ShouldBeTrue();
    }

    [Fact]
    public void A_value_sent_late_to_a_named_round_is_marked_late()
    {
        Submit(Q2End, "2025-Q2", [OpenQ2], today: Q2Deadline.AddDays(1)).ShouldAcceptSingle<ValueSubmitted>().Late.ShouldBeTrue();
    }

    [Fact]
    public void Moving_the_deadline_later_makes_a_later_submission_on_time()
    {
        var moved = RoundDecisions.MoveDeadline(OpenQ2, new(2025, 7, 31), "Holidays in July", Given.Secretariat).ShouldAcceptSingle<RoundDeadlineMoved>();
        var extended = Round.Evolve(OpenQ2, moved);
        var dayAfterOldDeadline = Q2Deadline.AddDays(1);

        Submit(Q2End, null, [OpenQ2], today: dayAfterOldDeadline).ShouldAcceptSingle<ValueSubmitted>().Late.ShouldBeTrue();
        Submit(Q2End, null, [extended], today: dayAfterOldDeadline).ShouldAcceptSingle<ValueSubmitted>().Late.ShouldBeFalse();
        Submit(Q2End, null, [extended], today: new(2025, 8, 1)).ShouldAcceptSingle<ValueSubmitted>().Late.ShouldBeTrue();
    }
}
