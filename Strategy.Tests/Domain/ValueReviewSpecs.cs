using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Domain.Progress;

namespace Strategy.Tests.Domain;

/// <summary>
/// The review cycle of a reported value (ARCHITECTURE.md, "The reporting cycle"): submitted -> accepted | returned;
/// returned -> superseded by a corrected submission; submitted | returned -> retracted by its submitter; any value
/// not yet retracted or voided -> voided by the secretariat. Official figures read accepted values only.
/// </summary>
public class ValueReviewSpecs
{
    private static readonly Guid Value1 = Guid.Parse("0197b000-0000-7000-8000-0000000000a1");
    private static readonly Guid Value2 = Guid.Parse("0197b000-0000-7000-8000-0000000000a2");
    private static readonly Guid Value3 = Guid.Parse("0197b000-0000-7000-8000-0000000000a3");
    private static readonly Guid Value4 = Guid.Parse("0197b000-0000-7000-8000-0000000000a4");
    private static readonly Guid Unknown = Guid.Parse("0197b000-0000-7000-8000-0000000000ff");
    private static readonly Guid CommentId = Guid.Parse("0197b000-0000-7000-8000-0000000000c1");

    private static readonly DateOnly June2024 = new(2024, 6, 30);
    private static readonly DateOnly December2024 = new(2024, 12, 31);
    private static readonly DateOnly March2025 = new(2025, 3, 31);

    /// <summary>Another user of KH's focal-point role: same country, not the submitter.</summary>
    private static readonly Actor OtherFocalPointKH = new("fp-kh-2", "Ministry of Planning KH", Role.FocalPoint, "KH");

    private static readonly string TooLong = new('x', Codes.MaxTextLength + 1);

    /// <summary>One list instance, so events holding it compare equal as records.</summary>
    private static readonly IReadOnlyList<EvidenceRef> NoEvidence = [];

    // --- Given: events on the commitment's stream (Given.Commitment attributes every value to KH's focal point) ---

    private static ValueSubmitted Submitted(Guid id, double value, DateOnly asOf, Guid? supersedes = null) =>
        new(Given.CommitmentId, id, value, asOf, null, false, supersedes, null, [], null);

    private static ValueAccepted AcceptedAs(Guid id, double value, DateOnly asOf, ValueRef? replaces = null) =>
        new(Given.CommitmentId, id, asOf, value, null, replaces);

    private static ValueReturned ReturnedAs(Guid id) => new(Given.CommitmentId, id, CommentId, "The count includes 2024.");

    /// <summary>The history in which Value1 (4 dialogues as of March 2025) has reached <paramref name="state"/>.</summary>
    private static object[] Value1In(ValueState state) => state switch
    {
        ValueState.Submitted => [Given.Made(), Submitted(Value1, 4, March2025)],
        ValueState.Accepted => [Given.Made(), Submitted(Value1, 4, March2025), AcceptedAs(Value1, 4, March2025)],
        ValueState.Returned => [Given.Made(), Submitted(Value1, 4, March2025), ReturnedAs(Value1)],
        ValueState.Retracted => [Given.Made(), Submitted(Value1, 4, March2025),
            new ValueRetracted(Given.CommitmentId, Value1, ValueState.Submitted, "Sent twice")],
        ValueState.Voided => [Given.Made(), Submitted(Value1, 4, March2025),
            new ValueVoided(Given.CommitmentId, Value1, ValueState.Submitted, "Duplicate", new ValueRef(Value1, March2025, 4), false, null, null)],
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    private static Actor Who(string name) => name switch
    {
        "secretariat" => Given.Secretariat,
        "admin" => Given.Admin,
        "focal point KH" => Given.FocalPointKH,
        "other focal point KH" => OtherFocalPointKH,
        "focal point TH" => Given.FocalPointTH,
        "reviewer" => Given.Reviewer,
        "reviewer KH" => Given.ReviewerKH,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    // --- When: commands, through the decide functions ---

    private static Decision Submit(object[] history, Guid id, double value, DateOnly asOf, Actor? actor = null, Guid? supersedes = null) =>
        ValueDecisions.Submit(Given.Commitment(history), new SubmitValue(value, asOf, null, supersedes, null, [], null), [], id,
            actor ?? Given.FocalPointKH, Given.Today);

    /// <summary>Decides on the history so far and appends what was decided, as the handler would.</summary>
    private static IReadOnlyList<object> Record(List<object> history, Func<Commitment, Decision> decide)
    {
        var decision = decide(Given.Commitment([.. history]));
        decision.IsAccepted.ShouldBeTrue(decision.Rejection?.Message);
        history.AddRange(decision.Events);
        return decision.Events;
    }

    private static double? AnticipatedFrom(params Measurement[] values) =>
        ProgressMath.AnticipatedRatio(values, 0, 10, Given.Due, false);

    // ==================================================== Accept ====================================================

    [Theory]
    [InlineData("secretariat")]
    [InlineData("admin")]
    public void The_secretariat_accepts_a_submitted_value_which_then_counts(string who)
    {
        var history = Value1In(ValueState.Submitted);

        var accepted = ValueDecisions.Accept(Given.Commitment(history), Value1, "Checked against the minutes", Who(who))
            .ShouldAcceptSingle<ValueAccepted>();

        accepted.ShouldBe(new ValueAccepted(Given.CommitmentId, Value1, March2025, 4, "Checked against the minutes", null));
        var value = Given.Commitment([.. history, accepted]).FindValue(Value1).ShouldNotBeNull();
        value.State.ShouldBe(ValueState.Accepted);
        value.Standing.ShouldBeTrue();
        var summary = Given.Summary([.. history, accepted]);
        summary.Latest.ShouldBe(new Measurement(March2025, 4));
        summary.Progress.ShouldBe(0.4); // (4 - 0) / (10 - 0)
        summary.Pending.ShouldBeEmpty();
    }

    [Fact]
    public void Accepting_without_a_note_records_no_note()
    {
        ValueDecisions.Accept(Given.Commitment(Value1In(ValueState.Submitted)), Value1, null, Given.Secretariat)
            .ShouldAcceptSingle<ValueAccepted>().Note.ShouldBeNull();
    }

    [Fact]
    public void Accepting_a_value_for_a_date_that_already_has_an_accepted_value_replaces_it()
    {
        object[] history = [Given.Made(), Submitted(Value1, 3, March2025), AcceptedAs(Value1, 3, March2025), Submitted(Value2, 5, March2025)];

        var accepted = ValueDecisions.Accept(Given.Commitment(history), Value2, null, Given.Secretariat).ShouldAcceptSingle<ValueAccepted>();

        accepted.Replaces.ShouldBe(new ValueRef(Value1, March2025, 3));
        var state = Given.Commitment([.. history, accepted]);
        var replaced = state.FindValue(Value1).ShouldNotBeNull();
        replaced.State.ShouldBe(ValueState.Accepted);
        replaced.Standing.ShouldBeFalse();
        state.FindValue(Value2).ShouldNotBeNull().Standing.ShouldBeTrue();
        var summary = Given.Summary([.. history, accepted]);
        summary.Latest.ShouldBe(new Measurement(March2025, 5));
        summary.ValuesAccepted.ShouldBe(1);
    }

    [Fact]
    public void Accepting_a_value_for_another_date_replaces_nothing()
    {
        object[] history = [Given.Made(), Submitted(Value1, 3, December2024), AcceptedAs(Value1, 3, December2024), Submitted(Value2, 5, March2025)];

        ValueDecisions.Accept(Given.Commitment(history), Value2, null, Given.Secretariat).ShouldAcceptSingle<ValueAccepted>().Replaces.ShouldBeNull();
    }

    [Theory]
    [InlineData("focal point KH")]
    [InlineData("focal point TH")]
    [InlineData("reviewer")]
    [InlineData("reviewer KH")]
    public void Only_the_secretariat_accepts_values(string who)
    {
        ValueDecisions.Accept(Given.Commitment(Value1In(ValueState.Submitted)), Value1, null, Who(who)).ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Theory]
    [InlineData(ValueState.Accepted)]
    [InlineData(ValueState.Returned)]
    [InlineData(ValueState.Retracted)]
    [InlineData(ValueState.Voided)]
    public void Only_a_submitted_value_can_be_accepted(ValueState state)
    {
        ValueDecisions.Accept(Given.Commitment(Value1In(state)), Value1, null, Given.Secretariat).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Accepting_an_unknown_value_is_not_found()
    {
        ValueDecisions.Accept(Given.Commitment(Value1In(ValueState.Submitted)), Unknown, null, Given.Secretariat).ShouldBeRejected(RejectionKind.NotFound);
    }

    [Fact]
    public void A_withdrawn_commitments_values_are_not_reviewed()
    {
        var state = Given.Commitment([.. Value1In(ValueState.Submitted), new CommitmentWithdrawn(Given.CommitmentId, "Made in error")]);

        ValueDecisions.Accept(state, Value1, null, Given.Secretariat).ShouldBeRejected(RejectionKind.Conflict);
        ValueDecisions.Return(state, Value1, "Check the count", CommentId, Given.Secretariat).ShouldBeRejected(RejectionKind.Conflict);
        ValueDecisions.Retract(state, Value1, "Duplicate", Given.Secretariat).ShouldBeRejected(RejectionKind.Conflict);
        ValueDecisions.Retract(state, Value1, "Sent twice", Given.FocalPointKH).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Acceptance_note_over_the_text_limit_is_invalid()
    {
        ValueDecisions.Accept(Given.Commitment(Value1In(ValueState.Submitted)), Value1, TooLong, Given.Secretariat)
            .ShouldBeRejected(RejectionKind.Validation, "note");
    }

    [Fact]
    public void Acceptance_note_of_exactly_the_text_limit_is_kept()
    {
        var note = new string('x', Codes.MaxTextLength);

        ValueDecisions.Accept(Given.Commitment(Value1In(ValueState.Submitted)), Value1, note, Given.Secretariat)
            .ShouldAcceptSingle<ValueAccepted>().Note.ShouldBe(note);
    }

    // ==================================================== Return ====================================================

    [Theory]
    [InlineData("secretariat")]
    [InlineData("admin")]
    public void The_secretariat_returns_a_submitted_value_with_a_comment(string who)
    {
        var history = Value1In(ValueState.Submitted);

        var returned = ValueDecisions.Return(Given.Commitment(history), Value1, "The count includes 2024.", CommentId, Who(who))
            .ShouldAcceptSingle<ValueReturned>();

        returned.ShouldBe(new ValueReturned(Given.CommitmentId, Value1, CommentId, "The count includes 2024."));
        Given.Commitment([.. history, returned]).FindValue(Value1).ShouldNotBeNull().State.ShouldBe(ValueState.Returned);
        var summary = Given.Summary([.. history, returned]);
        summary.Pending.ShouldBeEmpty();
        summary.Latest.ShouldBeNull();
        summary.ValuesAccepted.ShouldBe(0);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Returning_a_value_needs_a_comment(string? comment)
    {
        ValueDecisions.Return(Given.Commitment(Value1In(ValueState.Submitted)), Value1, comment, CommentId, Given.Secretariat)
            .ShouldBeRejected(RejectionKind.Validation, "comment");
    }

    [Fact]
    public void Return_comment_over_the_text_limit_is_invalid()
    {
        ValueDecisions.Return(Given.Commitment(Value1In(ValueState.Submitted)), Value1, TooLong, CommentId, Given.Secretariat)
            .ShouldBeRejected(RejectionKind.Validation, "comment");
    }

    [Theory]
    [InlineData("focal point KH")]
    [InlineData("focal point TH")]
    [InlineData("reviewer")]
    [InlineData("reviewer KH")]
    public void Only_the_secretariat_returns_values(string who)
    {
        ValueDecisions.Return(Given.Commitment(Value1In(ValueState.Submitted)), Value1, "Check the count", CommentId, Who(who))
            .ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Theory]
    [InlineData(ValueState.Accepted)]
    [InlineData(ValueState.Returned)]
    [InlineData(ValueState.Retracted)]
    [InlineData(ValueState.Voided)]
    public void Only_a_submitted_value_can_be_returned(ValueState state)
    {
        ValueDecisions.Return(Given.Commitment(Value1In(state)), Value1, "Check the count", CommentId, Given.Secretariat)
            .ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Returning_an_unknown_value_is_not_found()
    {
        ValueDecisions.Return(Given.Commitment(Value1In(ValueState.Submitted)), Unknown, "Check the count", CommentId, Given.Secretariat)
            .ShouldBeRejected(RejectionKind.NotFound);
    }

    // =================================================== Retract ====================================================

    [Theory]
    [InlineData(ValueState.Submitted)]
    [InlineData(ValueState.Returned)]
    public void The_submitter_retracts_a_value_not_yet_accepted(ValueState from)
    {
        var history = Value1In(from);

        var retracted = ValueDecisions.Retract(Given.Commitment(history), Value1, "Sent for the wrong commitment", Given.FocalPointKH)
            .ShouldAcceptSingle<ValueRetracted>();

        retracted.ShouldBe(new ValueRetracted(Given.CommitmentId, Value1, from, "Sent for the wrong commitment"));
        Given.Commitment([.. history, retracted]).FindValue(Value1).ShouldNotBeNull().State.ShouldBe(ValueState.Retracted);
        Given.Summary([.. history, retracted]).Pending.ShouldBeEmpty();
    }

    [Fact]
    public void Another_focal_point_of_the_same_country_cannot_retract_a_value_it_did_not_submit()
    {
        ValueDecisions.Retract(Given.Commitment(Value1In(ValueState.Submitted)), Value1, "Sent twice", OtherFocalPointKH)
            .ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Theory]
    [InlineData("focal point TH")]
    [InlineData("reviewer")]
    [InlineData("reviewer KH")]
    public void Only_the_submitter_or_the_secretariat_takes_a_value_back(string who)
    {
        ValueDecisions.Retract(Given.Commitment(Value1In(ValueState.Submitted)), Value1, "Sent twice", Who(who))
            .ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void The_submitter_cannot_retract_an_accepted_value()
    {
        ValueDecisions.Retract(Given.Commitment(Value1In(ValueState.Accepted)), Value1, "Wrong figure", Given.FocalPointKH)
            .ShouldBeRejected(RejectionKind.Conflict);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Taking_a_value_back_needs_a_reason(string? reason)
    {
        var state = Given.Commitment(Value1In(ValueState.Submitted));

        ValueDecisions.Retract(state, Value1, reason, Given.FocalPointKH).ShouldBeRejected(RejectionKind.Validation, "reason");
        ValueDecisions.Retract(state, Value1, reason, Given.Secretariat).ShouldBeRejected(RejectionKind.Validation, "reason");
    }

    [Theory]
    [InlineData(ValueState.Retracted)]
    [InlineData(ValueState.Voided)]
    public void A_value_already_taken_back_cannot_be_taken_back_again(ValueState state)
    {
        var commitment = Given.Commitment(Value1In(state));

        ValueDecisions.Retract(commitment, Value1, "Again", Given.FocalPointKH).ShouldBeRejected(RejectionKind.Conflict);
        ValueDecisions.Retract(commitment, Value1, "Again", Given.Secretariat).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Retracting_an_unknown_value_is_not_found()
    {
        var state = Given.Commitment(Value1In(ValueState.Submitted));

        ValueDecisions.Retract(state, Unknown, "Sent twice", Given.FocalPointKH).ShouldBeRejected(RejectionKind.NotFound);
        ValueDecisions.Retract(state, Unknown, "Duplicate", Given.Secretariat).ShouldBeRejected(RejectionKind.NotFound);
    }

    // ===================================================== Void =====================================================

    [Theory]
    [InlineData(ValueState.Submitted, "secretariat")]
    [InlineData(ValueState.Returned, "secretariat")]
    [InlineData(ValueState.Accepted, "secretariat")]
    [InlineData(ValueState.Submitted, "admin")]
    [InlineData(ValueState.Accepted, "admin")]
    public void The_secretariat_voids_a_value_in_any_state_not_yet_taken_back(ValueState from, string who)
    {
        var history = Value1In(from);

        var voided = ValueDecisions.Retract(Given.Commitment(history), Value1, "Duplicate of another report", Who(who))
            .ShouldAcceptSingle<ValueVoided>();

        voided.CommitmentId.ShouldBe(Given.CommitmentId);
        voided.ValueId.ShouldBe(Value1);
        voided.From.ShouldBe(from);
        voided.Reason.ShouldBe("Duplicate of another report");
        voided.Voided.ShouldBe(new ValueRef(Value1, March2025, 4));
        voided.Stood.ShouldBe(from == ValueState.Accepted);
        var value = Given.Commitment([.. history, voided]).FindValue(Value1).ShouldNotBeNull();
        value.State.ShouldBe(ValueState.Voided);
        value.Standing.ShouldBeFalse();
        var summary = Given.Summary([.. history, voided]);
        summary.Pending.ShouldBeEmpty();
        summary.Latest.ShouldBeNull();
        summary.ValuesAccepted.ShouldBe(0);
    }

    [Fact]
    public void Voiding_the_latest_standing_value_falls_back_to_the_latest_remaining_one()
    {
        object[] history =
        [
            Given.Made(), Submitted(Value1, 2, December2024), AcceptedAs(Value1, 2, December2024),
            Submitted(Value2, 6, March2025), AcceptedAs(Value2, 6, March2025),
        ];

        var voided = ValueDecisions.Retract(Given.Commitment(history), Value2, "Wrong year", Given.Secretariat).ShouldAcceptSingle<ValueVoided>();

        voided.ShouldBe(new ValueVoided(Given.CommitmentId, Value2, ValueState.Accepted, "Wrong year",
            new ValueRef(Value2, March2025, 6), true, null, new ValueRef(Value1, December2024, 2)));
        var summary = Given.Summary([.. history, voided]);
        summary.Latest.ShouldBe(new Measurement(December2024, 2));
        summary.Progress.ShouldBe(0.2); // (2 - 0) / (10 - 0)
        summary.ValuesAccepted.ShouldBe(1);
    }

    [Fact]
    public void Voiding_the_only_counting_value_leaves_no_latest_value()
    {
        var history = Value1In(ValueState.Accepted);

        var voided = ValueDecisions.Retract(Given.Commitment(history), Value1, "Wrong year", Given.Secretariat).ShouldAcceptSingle<ValueVoided>();

        voided.Stood.ShouldBeTrue();
        voided.Restored.ShouldBeNull();
        voided.LatestAfter.ShouldBeNull();
        var summary = Given.Summary([.. history, voided]);
        summary.Latest.ShouldBeNull();
        summary.Progress.ShouldBeNull();
        summary.ValuesAccepted.ShouldBe(0);
    }

    [Fact]
    public void Voiding_an_older_standing_value_keeps_the_latest()
    {
        object[] history =
        [
            Given.Made(), Submitted(Value1, 2, December2024), AcceptedAs(Value1, 2, December2024),
            Submitted(Value2, 6, March2025), AcceptedAs(Value2, 6, March2025),
        ];

        var voided = ValueDecisions.Retract(Given.Commitment(history), Value1, "Wrong year", Given.Secretariat).ShouldAcceptSingle<ValueVoided>();

        voided.Stood.ShouldBeTrue();
        voided.LatestAfter.ShouldBe(new ValueRef(Value2, March2025, 6));
        var summary = Given.Summary([.. history, voided]);
        summary.Latest.ShouldBe(new Measurement(March2025, 6));
        summary.ValuesAccepted.ShouldBe(1);
    }

    [Fact]
    public void Voiding_a_replacement_restores_the_value_it_replaced()
    {
        object[] history =
        [
            Given.Made(), Submitted(Value1, 2, December2024), AcceptedAs(Value1, 2, December2024),
            Submitted(Value2, 3, March2025), AcceptedAs(Value2, 3, March2025),
            Submitted(Value3, 9, March2025), AcceptedAs(Value3, 9, March2025, new ValueRef(Value2, March2025, 3)),
        ];

        var voided = ValueDecisions.Retract(Given.Commitment(history), Value3, "Typo: 9 for 3", Given.Secretariat).ShouldAcceptSingle<ValueVoided>();

        voided.Stood.ShouldBeTrue();
        voided.Restored.ShouldBe(new ValueRef(Value2, March2025, 3));
        voided.LatestAfter.ShouldBe(new ValueRef(Value2, March2025, 3));
        var state = Given.Commitment([.. history, voided]);
        state.FindValue(Value2).ShouldNotBeNull().Standing.ShouldBeTrue();
        state.FindValue(Value3).ShouldNotBeNull().Standing.ShouldBeFalse();
        state.Values.Where(v => v.Standing).Select(v => v.Id).ShouldBe([Value1, Value2], ignoreOrder: true);
        state.StandingAt(March2025).ShouldNotBeNull().Id.ShouldBe(Value2);
        var summary = Given.Summary([.. history, voided]);
        summary.Latest.ShouldBe(new Measurement(March2025, 3));
        summary.ValuesAccepted.ShouldBe(2);
        var expected = AnticipatedFrom(new(December2024, 2), new(March2025, 3)).ShouldNotBeNull();
        summary.AnticipatedRatio.ShouldNotBeNull().ShouldBe(expected, 1e-9);
    }

    [Fact]
    public void Voiding_a_second_replacement_restores_the_most_recently_accepted_value_before_it()
    {
        object[] history =
        [
            Given.Made(),
            Submitted(Value1, 3, March2025), AcceptedAs(Value1, 3, March2025),
            Submitted(Value2, 4, March2025), AcceptedAs(Value2, 4, March2025, new ValueRef(Value1, March2025, 3)),
            Submitted(Value3, 5, March2025), AcceptedAs(Value3, 5, March2025, new ValueRef(Value2, March2025, 4)),
        ];

        var voided = ValueDecisions.Retract(Given.Commitment(history), Value3, "Typo", Given.Secretariat).ShouldAcceptSingle<ValueVoided>();

        voided.Restored.ShouldBe(new ValueRef(Value2, March2025, 4));
        Given.Commitment([.. history, voided]).StandingAt(March2025).ShouldNotBeNull().Id.ShouldBe(Value2);
        Given.Summary([.. history, voided]).Latest.ShouldBe(new Measurement(March2025, 4));
    }

    [Fact]
    public void Voiding_a_replaced_value_changes_no_official_figure()
    {
        object[] history =
        [
            Given.Made(), Submitted(Value1, 2, December2024), AcceptedAs(Value1, 2, December2024),
            Submitted(Value2, 3, March2025), AcceptedAs(Value2, 3, March2025),
            Submitted(Value3, 5, March2025), AcceptedAs(Value3, 5, March2025, new ValueRef(Value2, March2025, 3)),
        ];
        var before = Given.Summary(history);

        var voided = ValueDecisions.Retract(Given.Commitment(history), Value2, "Superseded figure", Given.Secretariat).ShouldAcceptSingle<ValueVoided>();

        voided.ShouldBe(new ValueVoided(Given.CommitmentId, Value2, ValueState.Accepted, "Superseded figure",
            new ValueRef(Value2, March2025, 3), false, null, null));
        var after = Given.Summary([.. history, voided]);
        after.Latest.ShouldBe(before.Latest);
        after.Trend.ShouldBe(before.Trend);
        after.ValuesAccepted.ShouldBe(2);
        Given.Commitment([.. history, voided]).Values.Where(v => v.Standing).Select(v => v.Id).ShouldBe([Value1, Value3], ignoreOrder: true);
    }

    [Fact]
    public void Voiding_a_submitted_value_changes_no_official_figure()
    {
        object[] history =
        [
            Given.Made(), Submitted(Value1, 2, December2024), AcceptedAs(Value1, 2, December2024),
            Submitted(Value2, 7, March2025),
        ];
        var before = Given.Summary(history);

        var voided = ValueDecisions.Retract(Given.Commitment(history), Value2, "Duplicate", Given.Secretariat).ShouldAcceptSingle<ValueVoided>();

        voided.Stood.ShouldBeFalse();
        voided.Restored.ShouldBeNull();
        voided.LatestAfter.ShouldBeNull();
        var after = Given.Summary([.. history, voided]);
        after.Latest.ShouldBe(new Measurement(December2024, 2));
        after.Trend.ShouldBe(before.Trend);
        after.Pending.ShouldBeEmpty();
    }

    // ============================================ The summary (read side) ============================================

    [Fact]
    public void Pending_rises_on_each_submission_and_falls_on_each_review_step()
    {
        var history = new List<object> { Given.Made() };
        history.AddRange([Submitted(Value1, 1, June2024), Submitted(Value2, 2, December2024), Submitted(Value3, 3, March2025), Submitted(Value4, 4, Given.Today)]);
        Given.Summary([.. history]).Pending.ShouldBe(
        [
            new PendingValue(Value1, June2024, 1), new PendingValue(Value2, December2024, 2),
            new PendingValue(Value3, March2025, 3), new PendingValue(Value4, Given.Today, 4),
        ]);

        Record(history, s => ValueDecisions.Accept(s, Value1, null, Given.Secretariat));
        Given.Summary([.. history]).Pending.Select(p => p.ValueId).ShouldBe([Value2, Value3, Value4]);

        Record(history, s => ValueDecisions.Return(s, Value2, "Check the count", CommentId, Given.Secretariat));
        Given.Summary([.. history]).Pending.Select(p => p.ValueId).ShouldBe([Value3, Value4]);

        Record(history, s => ValueDecisions.Retract(s, Value3, "Sent twice", Given.FocalPointKH));
        Given.Summary([.. history]).Pending.Select(p => p.ValueId).ShouldBe([Value4]);

        Record(history, s => ValueDecisions.Retract(s, Value4, "Duplicate", Given.Secretariat));
        Given.Summary([.. history]).Pending.ShouldBeEmpty();
    }

    [Fact]
    public void Latest_and_trend_follow_accepted_values_only()
    {
        var history = new List<object> { Given.Made() };
        Record(history, s => ValueDecisions.Submit(s, new SubmitValue(2, June2024, null, null, null, [], null), [], Value1, Given.FocalPointKH, Given.Today));
        Record(history, s => ValueDecisions.Submit(s, new SubmitValue(9, March2025, null, null, null, [], null), [], Value2, Given.FocalPointKH, Given.Today));
        Record(history, s => ValueDecisions.Submit(s, new SubmitValue(8, Given.Today, null, null, null, [], null), [], Value3, Given.FocalPointKH, Given.Today));
        var submittedOnly = Given.Summary([.. history]);
        submittedOnly.Latest.ShouldBeNull();
        submittedOnly.Trend.ShouldBe(Trend.Empty);

        Record(history, s => ValueDecisions.Accept(s, Value1, null, Given.Secretariat));
        Record(history, s => ValueDecisions.Return(s, Value2, "Check the count", CommentId, Given.Secretariat));
        Record(history, s => ValueDecisions.Retract(s, Value3, "Sent twice", Given.FocalPointKH));

        var summary = Given.Summary([.. history]);
        summary.Latest.ShouldBe(new Measurement(June2024, 2));
        summary.ValuesAccepted.ShouldBe(1);
        summary.Trend.ShouldBe(Trend.Of(Given.PlanStart, [(June2024, 2.0)]));
    }

    [Fact]
    public void Voiding_the_middle_of_three_accepted_values_corrects_the_running_trend()
    {
        var history = new List<object> { Given.Made() };
        foreach (var (id, value, asOf) in new[] { (Value1, 2.0, June2024), (Value2, 9.0, December2024), (Value3, 5.0, March2025) })
        {
            Record(history, s => ValueDecisions.Submit(s, new SubmitValue(value, asOf, null, null, null, [], null), [], id, Given.FocalPointKH, Given.Today));
            Record(history, s => ValueDecisions.Accept(s, id, null, Given.Secretariat));
        }
        var allThree = AnticipatedFrom(new(June2024, 2), new(December2024, 9), new(March2025, 5)).ShouldNotBeNull();
        Given.Summary([.. history]).AnticipatedRatio.ShouldNotBeNull().ShouldBe(allThree, 1e-9);

        Record(history, s => ValueDecisions.Retract(s, Value2, "Counted twice", Given.Secretariat));

        var twoLeft = AnticipatedFrom(new(June2024, 2), new(March2025, 5)).ShouldNotBeNull();
        Math.Abs(twoLeft - allThree).ShouldBeGreaterThan(0.01, "the void must make a difference for this spec to prove anything");
        var summary = Given.Summary([.. history]);
        summary.AnticipatedRatio.ShouldNotBeNull().ShouldBe(twoLeft, 1e-9);
        summary.ValuesAccepted.ShouldBe(2);
        summary.Latest.ShouldBe(new Measurement(March2025, 5));
    }

    [Fact]
    public void Replacing_a_value_on_the_same_date_corrects_the_running_trend()
    {
        var history = new List<object> { Given.Made() };
        foreach (var (id, value, asOf) in new[] { (Value1, 2.0, June2024), (Value2, 3.0, March2025), (Value3, 9.0, March2025) })
        {
            Record(history, s => ValueDecisions.Submit(s, new SubmitValue(value, asOf, null, null, null, [], null), [], id, Given.FocalPointKH, Given.Today));
            Record(history, s => ValueDecisions.Accept(s, id, null, Given.Secretariat));
        }

        var replaced = AnticipatedFrom(new(June2024, 2), new(March2025, 9)).ShouldNotBeNull();
        var summary = Given.Summary([.. history]);
        summary.AnticipatedRatio.ShouldNotBeNull().ShouldBe(replaced, 1e-9);
        summary.ValuesAccepted.ShouldBe(2);
        summary.Latest.ShouldBe(new Measurement(March2025, 9));

        Record(history, s => ValueDecisions.Retract(s, Value3, "Typo: 9 for 3", Given.Secretariat));

        var restored = AnticipatedFrom(new(June2024, 2), new(March2025, 3)).ShouldNotBeNull();
        Math.Abs(restored - replaced).ShouldBeGreaterThan(0.01, "the void must make a difference for this spec to prove anything");
        var after = Given.Summary([.. history]);
        after.AnticipatedRatio.ShouldNotBeNull().ShouldBe(restored, 1e-9);
        after.ValuesAccepted.ShouldBe(2);
        after.Latest.ShouldBe(new Measurement(March2025, 3));
    }

    // =================================================== Supersede ==================================================

    [Fact]
    public void A_corrected_submission_supersedes_the_returned_value()
    {
        var history = Value1In(ValueState.Returned);

        var corrected = Submit(history, Value2, 3, March2025, supersedes: Value1).ShouldAcceptSingle<ValueSubmitted>();

        corrected.Supersedes.ShouldBe(Value1);
        var state = Given.Commitment([.. history, corrected]);
        var old = state.FindValue(Value1).ShouldNotBeNull();
        old.SupersededBy.ShouldBe(Value2);
        old.State.ShouldBe(ValueState.Returned);
        var replacement = state.FindValue(Value2).ShouldNotBeNull();
        replacement.State.ShouldBe(ValueState.Submitted);
        replacement.SupersededBy.ShouldBeNull();
        Given.Summary([.. history, corrected]).Pending.ShouldBe([new PendingValue(Value2, March2025, 3)]);
    }

    [Theory]
    [InlineData(ValueState.Submitted)]
    [InlineData(ValueState.Accepted)]
    [InlineData(ValueState.Retracted)]
    [InlineData(ValueState.Voided)]
    public void Only_a_returned_value_can_be_superseded(ValueState state)
    {
        Submit(Value1In(state), Value2, 3, March2025, supersedes: Value1).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Superseding_an_unknown_value_is_invalid()
    {
        Submit(Value1In(ValueState.Returned), Value2, 3, March2025, supersedes: Unknown).ShouldBeRejected(RejectionKind.Validation, "supersedes");
    }

    [Fact]
    public void A_returned_value_is_superseded_only_once()
    {
        object[] history = [.. Value1In(ValueState.Returned), Submitted(Value2, 3, March2025, supersedes: Value1)];

        Submit(history, Value3, 3, March2025, supersedes: Value1).ShouldBeRejected(RejectionKind.Conflict);
    }

    // ================================================== Full cycle ==================================================

    [Fact]
    public void Submit_return_correct_and_accept()
    {
        var history = new List<object> { Given.Made() };

        Record(history, s => ValueDecisions.Submit(s, new SubmitValue(7, March2025, null, null, "Q1", NoEvidence, null), [], Value1,
            Given.FocalPointKH, Given.Today));
        Record(history, s => ValueDecisions.Return(s, Value1, "7 includes the 2024 dialogues.", CommentId, Given.Secretariat));
        Record(history, s => ValueDecisions.Submit(s, new SubmitValue(4, March2025, null, Value1, "Q1 only", NoEvidence, null), [], Value2,
            Given.FocalPointKH, Given.Today));
        Record(history, s => ValueDecisions.Accept(s, Value2, "Matches the minutes", Given.Secretariat));

        history.ShouldBe(
        [
            Given.Made(),
            new ValueSubmitted(Given.CommitmentId, Value1, 7, March2025, null, false, null, "Q1", NoEvidence, null),
            new ValueReturned(Given.CommitmentId, Value1, CommentId, "7 includes the 2024 dialogues."),
            new ValueSubmitted(Given.CommitmentId, Value2, 4, March2025, null, false, Value1, "Q1 only", NoEvidence, null),
            new ValueAccepted(Given.CommitmentId, Value2, March2025, 4, "Matches the minutes", null),
        ]);

        var state = Given.Commitment([.. history]);
        state.Values.Count.ShouldBe(2);
        var returned = state.FindValue(Value1).ShouldNotBeNull();
        returned.State.ShouldBe(ValueState.Returned);
        returned.SupersededBy.ShouldBe(Value2);
        returned.Standing.ShouldBeFalse();
        var accepted = state.FindValue(Value2).ShouldNotBeNull();
        accepted.State.ShouldBe(ValueState.Accepted);
        accepted.Standing.ShouldBeTrue();
        accepted.SubmittedBy.ShouldBe(Given.FocalPointKH.Id);

        var summary = Given.Summary([.. history]);
        summary.Latest.ShouldBe(new Measurement(March2025, 4));
        summary.Progress.ShouldBe(0.4); // (4 - 0) / (10 - 0)
        summary.ValuesAccepted.ShouldBe(1);
        summary.Pending.ShouldBeEmpty();
    }
}
