using Strategy.Domain;
using Strategy.Domain.Commitments;
using static Strategy.Domain.Commitments.CommitmentStatus;

namespace Strategy.Tests.Domain;

public class StatusTransitionSpecs
{
    /// <summary>
    /// The whole from x to matrix for a focal point of the commitment's own country, written out by hand from the
    /// status rules: open statuses move forward or pause (never back to not-started), completed and cancelled are
    /// final, and a move to the status the commitment already has is refused.
    /// </summary>
    public static TheoryData<CommitmentStatus, CommitmentStatus, bool> Matrix => new()
    {
        { NotStarted, NotStarted, false },
        { NotStarted, InProgress, true },
        { NotStarted, OnHold, true },
        { NotStarted, Completed, true },
        { NotStarted, Cancelled, true },

        { InProgress, NotStarted, false },
        { InProgress, InProgress, false },
        { InProgress, OnHold, true },
        { InProgress, Completed, true },
        { InProgress, Cancelled, true },

        { OnHold, NotStarted, false },
        { OnHold, InProgress, true },
        { OnHold, OnHold, false },
        { OnHold, Completed, true },
        { OnHold, Cancelled, true },

        { Completed, NotStarted, false },
        { Completed, InProgress, false },
        { Completed, OnHold, false },
        { Completed, Completed, false },
        { Completed, Cancelled, false },

        { Cancelled, NotStarted, false },
        { Cancelled, InProgress, false },
        { Cancelled, OnHold, false },
        { Cancelled, Completed, false },
        { Cancelled, Cancelled, false },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Focal_point_of_own_country_changes_status_only_along_allowed_transitions(CommitmentStatus from, CommitmentStatus to, bool allowed)
    {
        var state = Given.CommitmentIn(from);

        var decision = CommitmentDecisions.ChangeStatus(state, to, "quarterly update", Given.FocalPointKH);

        if (allowed)
        {
            var changed = decision.ShouldAcceptSingle<CommitmentStatusChanged>();
            changed.CommitmentId.ShouldBe(Given.CommitmentId);
            changed.From.ShouldBe(from);
            changed.To.ShouldBe(to);
            changed.Note.ShouldBe("quarterly update");
            Commitment.Evolve(state, changed, Given.FocalPointKH.Id).Status.ShouldBe(to);
        }
        else
        {
            decision.ShouldBeRejected(RejectionKind.Conflict);
        }
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void CanMove_agrees_with_the_matrix(CommitmentStatus from, CommitmentStatus to, bool allowed) =>
        CommitmentDecisions.CanMove(from, to).ShouldBe(allowed);

    [Theory]
    [InlineData(NotStarted)]
    [InlineData(InProgress)]
    [InlineData(OnHold)]
    [InlineData(Completed)]
    [InlineData(Cancelled)]
    public void Moving_to_the_current_status_is_a_conflict_even_for_the_secretariat(CommitmentStatus status)
    {
        var state = Given.CommitmentIn(status);

        CommitmentDecisions.ChangeStatus(state, status, "again", Given.Secretariat).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Theory]
    [InlineData(InProgress, NotStarted)]
    [InlineData(OnHold, NotStarted)]
    public void Secretariat_follows_the_same_rules_on_open_commitments(CommitmentStatus from, CommitmentStatus to)
    {
        var state = Given.CommitmentIn(from);

        CommitmentDecisions.ChangeStatus(state, to, null, Given.Secretariat).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Secretariat_changes_status_of_any_countrys_commitment()
    {
        var state = Given.CommitmentIn(InProgress, Given.Made(country: "TH"));

        var changed = CommitmentDecisions.ChangeStatus(state, OnHold, null, Given.Secretariat).ShouldAcceptSingle<CommitmentStatusChanged>();

        changed.From.ShouldBe(InProgress);
        changed.To.ShouldBe(OnHold);
        changed.Note.ShouldBeNull();
    }

    [Theory]
    [InlineData(Completed, NotStarted)]
    [InlineData(Completed, InProgress)]
    [InlineData(Completed, OnHold)]
    [InlineData(Cancelled, NotStarted)]
    [InlineData(Cancelled, InProgress)]
    [InlineData(Cancelled, OnHold)]
    public void Focal_point_cannot_reopen_a_final_commitment(CommitmentStatus final, CommitmentStatus to)
    {
        var state = Given.CommitmentIn(final);

        CommitmentDecisions.ChangeStatus(state, to, "we resumed the work", Given.FocalPointKH).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Theory]
    [InlineData(Completed, NotStarted)]
    [InlineData(Completed, InProgress)]
    [InlineData(Completed, OnHold)]
    [InlineData(Cancelled, NotStarted)]
    [InlineData(Cancelled, InProgress)]
    [InlineData(Cancelled, OnHold)]
    public void Secretariat_reopens_a_final_commitment_to_an_open_status_with_a_note(CommitmentStatus final, CommitmentStatus to)
    {
        var state = Given.CommitmentIn(final);

        var reopened = CommitmentDecisions.ChangeStatus(state, to, "Closed by mistake", Given.Secretariat).ShouldAcceptSingle<CommitmentReopened>();

        reopened.CommitmentId.ShouldBe(Given.CommitmentId);
        reopened.From.ShouldBe(final);
        reopened.To.ShouldBe(to);
        reopened.Reason.ShouldBe("Closed by mistake");
        Commitment.Evolve(state, reopened, Given.Secretariat.Id).Status.ShouldBe(to);
    }

    [Theory]
    [InlineData(Completed, InProgress)]
    [InlineData(Cancelled, NotStarted)]
    public void Admin_reopens_a_final_commitment_like_the_secretariat(CommitmentStatus final, CommitmentStatus to)
    {
        var state = Given.CommitmentIn(final);

        var reopened = CommitmentDecisions.ChangeStatus(state, to, "Audit finding", Given.Admin).ShouldAcceptSingle<CommitmentReopened>();

        reopened.From.ShouldBe(final);
        reopened.To.ShouldBe(to);
        reopened.Reason.ShouldBe("Audit finding");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Secretariat_cannot_reopen_without_a_note(string? note)
    {
        var state = Given.CommitmentIn(Completed);

        CommitmentDecisions.ChangeStatus(state, InProgress, note, Given.Secretariat).ShouldBeRejected(RejectionKind.Validation, "note");
    }

    [Fact]
    public void Admin_cannot_reopen_without_a_note_either()
    {
        var state = Given.CommitmentIn(Cancelled);

        CommitmentDecisions.ChangeStatus(state, OnHold, null, Given.Admin).ShouldBeRejected(RejectionKind.Validation, "note");
    }

    [Theory]
    [InlineData(Completed, Cancelled)]
    [InlineData(Cancelled, Completed)]
    public void Secretariat_cannot_reopen_straight_to_another_final_status(CommitmentStatus final, CommitmentStatus to)
    {
        var state = Given.CommitmentIn(final);

        CommitmentDecisions.ChangeStatus(state, to, "Wrong final status", Given.Secretariat).ShouldBeRejected(RejectionKind.Conflict);
        CommitmentDecisions.ChangeStatus(state, to, "Wrong final status", Given.Admin).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void A_reopened_commitment_moves_on_under_the_normal_rules()
    {
        var state = Given.Commitment(
            Given.Made(),
            new CommitmentStatusChanged(Given.CommitmentId, NotStarted, Completed, null),
            new CommitmentReopened(Given.CommitmentId, Completed, InProgress, "Closed by mistake"));

        var changed = CommitmentDecisions.ChangeStatus(state, Completed, "done for real", Given.FocalPointKH).ShouldAcceptSingle<CommitmentStatusChanged>();

        changed.From.ShouldBe(InProgress);
        changed.To.ShouldBe(Completed);
    }

    [Fact]
    public void A_status_note_longer_than_4000_characters_is_invalid()
    {
        var state = Given.CommitmentIn(InProgress);

        CommitmentDecisions.ChangeStatus(state, OnHold, new string('n', 4001), Given.FocalPointKH).ShouldBeRejected(RejectionKind.Validation, "note");
    }
}
