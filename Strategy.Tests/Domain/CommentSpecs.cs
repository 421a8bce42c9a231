using Strategy.Domain;
using Strategy.Domain.Commitments;

namespace Strategy.Tests.Domain;

/// <summary>
/// The thread between the secretariat and a country's focal point; restoring a withdrawal made in error; and where a
/// commitment's expected progress starts.
/// </summary>
public class CommentSpecs
{
    private static readonly Guid CommentId = Guid.Parse("0197e000-0000-7000-8000-0000000000c1");
    private static readonly Guid ValueId = Guid.Parse("0197e000-0000-7000-8000-0000000000a1");
    private static readonly Guid MadeId = Guid.Parse("0197e000-0000-7000-8000-0000000000d1");
    private static readonly DateOnly March2025 = new(2025, 3, 31);

    private static Commitment WithValue() =>
        Given.Commitment(Given.Made(), new ValueSubmitted(Given.CommitmentId, ValueId, 4, March2025, null, false, null, null, [], null));

    private static Decision Post(string? text, Actor actor, Guid? valueId = null, int posted = 0) =>
        CommentDecisions.Post(WithValue(), CommentId, text, valueId, actor, posted);

    // ==================================================== Comments ====================================================

    [Fact]
    public void The_secretariat_posts_a_comment_with_its_text_trimmed()
    {
        Post("  Please attach the minutes.  ", Given.Secretariat).ShouldAcceptSingle<CommentPosted>()
            .ShouldBe(new CommentPosted(Given.CommitmentId, CommentId, "Please attach the minutes.", null));
    }

    [Fact]
    public void The_focal_point_of_the_commitments_country_comments_on_one_of_its_values()
    {
        Post("The minutes are attached to the value.", Given.FocalPointKH, ValueId).ShouldAcceptSingle<CommentPosted>()
            .ShouldBe(new CommentPosted(Given.CommitmentId, CommentId, "The minutes are attached to the value.", ValueId));
    }

    [Fact]
    public void A_full_thread_takes_no_more_comments()
    {
        Post("One more.", Given.Secretariat, posted: CommentDecisions.MaxComments - 1).ShouldAcceptSingle<CommentPosted>();
        Post("One more.", Given.Secretariat, posted: CommentDecisions.MaxComments).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void An_admin_posts_in_any_countrys_thread()
    {
        Post("Checked.", Given.Admin).ShouldAcceptSingle<CommentPosted>().Text.ShouldBe("Checked.");
    }

    [Fact]
    public void Focal_point_cannot_write_in_another_countrys_thread()
    {
        Post("Looks low.", Given.FocalPointTH).ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void A_reviewer_reads_threads_but_does_not_write_in_them()
    {
        Post("Looks low.", Given.Reviewer).ShouldBeRejected(RejectionKind.Forbidden);
        Post("Looks low.", Given.ReviewerKH).ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_comment_needs_text(string? text)
    {
        Post(text, Given.Secretariat).ShouldBeRejected(RejectionKind.Validation, "text");
    }

    [Fact]
    public void A_comment_over_the_text_limit_is_invalid()
    {
        Post(new string('c', Codes.MaxTextLength + 1), Given.Secretariat).ShouldBeRejected(RejectionKind.Validation, "text");
    }

    [Fact]
    public void A_comment_about_a_value_not_on_the_commitment_is_invalid()
    {
        Post("About this value.", Given.FocalPointKH, Guid.Parse("0197e000-0000-7000-8000-0000000000ff"))
            .ShouldBeRejected(RejectionKind.Validation, "value");
    }

    // ==================================================== Restore =====================================================

    [Theory]
    [InlineData(Role.Secretariat)]
    [InlineData(Role.Admin)]
    public void The_secretariat_restores_a_withdrawn_commitment_which_then_takes_writes_again(Role role)
    {
        var withdrawn = Given.Withdrawn();
        var actor = role == Role.Admin ? Given.Admin : Given.Secretariat;
        CommitmentDecisions.ChangeStatus(withdrawn, CommitmentStatus.OnHold, null, Given.FocalPointKH).ShouldBeRejected(RejectionKind.Conflict);

        var restored = CommitmentDecisions.Restore(withdrawn, "Withdrawn by mistake", actor).ShouldAcceptSingle<CommitmentRestored>();

        restored.ShouldBe(new CommitmentRestored(Given.CommitmentId, "Withdrawn by mistake"));
        var state = Commitment.Evolve(withdrawn, restored, actor.Id);
        state.Withdrawn.ShouldBeFalse();
        CommitmentDecisions.ChangeStatus(state, CommitmentStatus.OnHold, null, Given.FocalPointKH).ShouldAcceptSingle<CommitmentStatusChanged>();
        ValueDecisions.Submit(state, new SubmitValue(4, March2025, null, null, null, [], null), [], ValueId, Given.FocalPointKH, Given.Today)
            .ShouldAcceptSingle<ValueSubmitted>();
        Given.Summary(Given.Made(), new CommitmentWithdrawn(Given.CommitmentId, "Made in error"), restored).Withdrawn.ShouldBeFalse();
    }

    [Fact]
    public void Restoring_a_commitment_that_is_not_withdrawn_is_a_conflict()
    {
        CommitmentDecisions.Restore(Given.CommitmentIn(CommitmentStatus.InProgress), "Just in case", Given.Secretariat)
            .ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Only_the_secretariat_restores_a_withdrawn_commitment()
    {
        CommitmentDecisions.Restore(Given.Withdrawn(), "Withdrawn by mistake", Given.FocalPointKH).ShouldBeRejected(RejectionKind.Forbidden);
        CommitmentDecisions.Restore(Given.Withdrawn(), "Withdrawn by mistake", Given.Reviewer).ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Restoring_needs_a_reason(string reason)
    {
        CommitmentDecisions.Restore(Given.Withdrawn(), reason, Given.Secretariat).ShouldBeRejected(RejectionKind.Validation, "reason");
    }

    // ============================================ Where expected progress starts ============================================

    private static MakeCommitment Command(DateOnly? start = null, DateOnly? due = null) =>
        new(null, "KH", "G1.O1", "Host national dialogues", null, "Ministry of Environment", due ?? Given.Due, "G1.O1.I1", null, 10, start);

    private static Decision Make(MakeCommitment cmd, DateOnly madeOn) =>
        CommitmentDecisions.Make(Given.TestPlan, cmd, "KH-G1.O1-01", MadeId, Given.FocalPointKH, madeOn);

    [Fact]
    public void A_commitment_starts_on_the_day_it_is_made_when_no_start_is_given()
    {
        Make(Command(), new DateOnly(2024, 5, 10)).ShouldAcceptSingle<CommitmentMade>().Start.ShouldBe(new DateOnly(2024, 5, 10));
    }

    [Fact]
    public void A_commitment_made_before_its_plan_starts_starts_with_the_plan()
    {
        Make(Command(), Given.PlanStart.AddDays(-45)).ShouldAcceptSingle<CommitmentMade>().Start.ShouldBe(Given.PlanStart);
    }

    [Fact]
    public void A_commitment_made_after_its_due_date_starts_on_its_due_date()
    {
        Make(Command(), Given.Due.AddDays(30)).ShouldAcceptSingle<CommitmentMade>().Start.ShouldBe(Given.Due);
    }

    [Fact]
    public void A_given_start_within_the_plan_is_kept()
    {
        Make(Command(start: new DateOnly(2023, 6, 1)), new DateOnly(2024, 5, 10)).ShouldAcceptSingle<CommitmentMade>()
            .Start.ShouldBe(new DateOnly(2023, 6, 1));
        Make(Command(start: Given.Due), new DateOnly(2024, 5, 10)).ShouldAcceptSingle<CommitmentMade>().Start.ShouldBe(Given.Due);
    }

    [Fact]
    public void A_given_start_before_the_plan_starts_is_invalid()
    {
        Make(Command(start: Given.PlanStart.AddDays(-1)), new DateOnly(2024, 5, 10)).ShouldBeRejected(RejectionKind.Validation, "start");
    }

    [Fact]
    public void A_given_start_after_the_plan_ends_is_invalid()
    {
        Make(Command(start: Given.PlanEnd.AddDays(1), due: Given.PlanEnd), new DateOnly(2024, 5, 10)).ShouldBeRejected(RejectionKind.Validation, "start");
    }

    [Fact]
    public void A_given_start_after_the_due_date_is_invalid()
    {
        Make(Command(start: Given.Due.AddDays(1)), new DateOnly(2024, 5, 10)).ShouldBeRejected(RejectionKind.Validation, "start");
    }

    [Fact]
    public void A_revised_due_date_before_the_commitments_start_is_invalid()
    {
        var state = Given.CommitmentIn(CommitmentStatus.InProgress, Given.Made(start: new DateOnly(2024, 1, 1)));

        CommitmentDecisions.Revise(state, new ReviseCommitment(null, null, null, new DateOnly(2023, 12, 31), null, "Earlier"), Given.FocalPointKH)
            .ShouldBeRejected(RejectionKind.Validation, "due");
        CommitmentDecisions.Revise(state, new ReviseCommitment(null, null, null, new DateOnly(2024, 1, 1), null, "Earlier"), Given.FocalPointKH)
            .ShouldAcceptSingle<CommitmentRevised>().After.Due.ShouldBe(new DateOnly(2024, 1, 1));
    }
}
