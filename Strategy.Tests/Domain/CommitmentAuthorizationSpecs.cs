using Strategy.Domain;
using Strategy.Domain.Commitments;

namespace Strategy.Tests.Domain;

/// <summary>Who may write to a commitment at all: the country rule, read-only reviewers, withdrawal.</summary>
public class CommitmentAuthorizationSpecs
{
    private static readonly ReviseCommitment NewTitle = new("Host regional dialogues", null, null, null, null, "Scope widened");

    private static MakeCommitment MakeFor(string country) =>
        new(null, country, "G1.O1", "Host national dialogues", null, "Ministry of Environment", Given.Due, "G1.O1.I1", null, 10);

    // --- A focal point acts for its own country only ---

    [Fact]
    public void Focal_point_cannot_update_another_countrys_commitment()
    {
        var state = Given.CommitmentIn(CommitmentStatus.NotStarted);

        CommitmentDecisions.ChangeStatus(state, CommitmentStatus.InProgress, null, Given.FocalPointTH).ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void Focal_point_cannot_report_progress_on_another_countrys_commitment()
    {
        var state = Given.CommitmentIn(CommitmentStatus.InProgress);

        ValueDecisions.Submit(state, new SubmitValue(3, Given.Today, null, null, null, [], null), [], Guid.NewGuid(), Given.FocalPointTH, Given.Today)
            .ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void Focal_point_cannot_revise_another_countrys_commitment()
    {
        var state = Given.CommitmentIn(CommitmentStatus.InProgress);

        CommitmentDecisions.Revise(state, NewTitle, Given.FocalPointTH).ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void Focal_point_cannot_make_a_commitment_for_another_country()
    {
        CommitmentDecisions.Make(Given.TestPlan, MakeFor("KH"), "KH-G1.O1-02", Guid.NewGuid(), Given.FocalPointTH, Given.Today)
            .ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void Focal_point_without_a_country_claim_acts_for_no_country()
    {
        var noCountry = Given.FocalPointKH with { Country = null };
        var state = Given.CommitmentIn(CommitmentStatus.NotStarted);

        CommitmentDecisions.ChangeStatus(state, CommitmentStatus.InProgress, null, noCountry).ShouldBeRejected(RejectionKind.Forbidden);
        CommitmentDecisions.Make(Given.TestPlan, MakeFor("KH"), "KH-G1.O1-02", Guid.NewGuid(), noCountry, Given.Today).ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void Country_claims_are_compared_exactly()
    {
        var lowerCase = Given.FocalPointKH with { Country = "kh" };
        var state = Given.CommitmentIn(CommitmentStatus.NotStarted);

        CommitmentDecisions.ChangeStatus(state, CommitmentStatus.InProgress, null, lowerCase).ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void Focal_point_acts_on_its_own_countrys_commitment()
    {
        var state = Given.CommitmentIn(CommitmentStatus.InProgress);

        ValueDecisions.Submit(state, new SubmitValue(3, Given.Today, null, null, null, [], null), [], Guid.NewGuid(), Given.FocalPointKH, Given.Today).IsAccepted.ShouldBeTrue();
        CommitmentDecisions.Revise(state, NewTitle, Given.FocalPointKH).IsAccepted.ShouldBeTrue();
        CommitmentDecisions.Make(Given.TestPlan, MakeFor("KH"), "KH-G1.O1-02", Guid.NewGuid(), Given.FocalPointKH, Given.Today).IsAccepted.ShouldBeTrue();
    }

    [Theory]
    [InlineData(Role.Secretariat)]
    [InlineData(Role.Admin)]
    public void Secretariat_and_admin_act_for_every_country(Role role)
    {
        var actor = new Actor("x", "Staff", role, null);
        var state = Given.CommitmentIn(CommitmentStatus.InProgress, Given.Made(country: "TH"));

        CommitmentDecisions.ChangeStatus(state, CommitmentStatus.OnHold, null, actor).IsAccepted.ShouldBeTrue();
        ValueDecisions.Submit(state, new SubmitValue(3, Given.Today, null, null, null, [], null), [], Guid.NewGuid(), actor, Given.Today).IsAccepted.ShouldBeTrue();
        CommitmentDecisions.Revise(state, NewTitle, actor).IsAccepted.ShouldBeTrue();
        CommitmentDecisions.Make(Given.TestPlan, MakeFor("TH"), "TH-G1.O1-02", Guid.NewGuid(), actor, Given.Today).IsAccepted.ShouldBeTrue();
        CommitmentDecisions.Withdraw(state, "Superseded", actor).IsAccepted.ShouldBeTrue();
    }

    // --- Withdrawal belongs to the secretariat ---

    [Fact]
    public void Focal_point_cannot_withdraw_even_its_own_countrys_commitment()
    {
        var state = Given.CommitmentIn(CommitmentStatus.InProgress);

        CommitmentDecisions.Withdraw(state, "Made in error", Given.FocalPointKH).ShouldBeRejected(RejectionKind.Forbidden);
        CommitmentDecisions.Withdraw(state, "Made in error", Given.FocalPointTH).ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void Secretariat_withdraws_a_commitment_with_a_reason()
    {
        var state = Given.CommitmentIn(CommitmentStatus.InProgress);

        var withdrawn = CommitmentDecisions.Withdraw(state, "Superseded by KH-G1.O1-02", Given.Secretariat).ShouldAcceptSingle<CommitmentWithdrawn>();

        withdrawn.CommitmentId.ShouldBe(Given.CommitmentId);
        withdrawn.Reason.ShouldBe("Superseded by KH-G1.O1-02");
        var after = Commitment.Evolve(state, withdrawn, Given.Secretariat.Id);
        after.Withdrawn.ShouldBeTrue();
        after.Status.ShouldBe(CommitmentStatus.InProgress);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Withdrawal_needs_a_reason(string reason)
    {
        var state = Given.CommitmentIn(CommitmentStatus.InProgress);

        CommitmentDecisions.Withdraw(state, reason, Given.Secretariat).ShouldBeRejected(RejectionKind.Validation, "reason");
    }

    // --- Reviewers write nothing ---

    [Fact]
    public void Reviewer_cannot_change_status()
    {
        var state = Given.CommitmentIn(CommitmentStatus.NotStarted);

        CommitmentDecisions.ChangeStatus(state, CommitmentStatus.InProgress, null, Given.Reviewer).ShouldBeRejected(RejectionKind.Forbidden);
        CommitmentDecisions.ChangeStatus(state, CommitmentStatus.InProgress, null, Given.ReviewerKH).ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void Reviewer_cannot_reopen_a_final_commitment()
    {
        var state = Given.CommitmentIn(CommitmentStatus.Completed);

        CommitmentDecisions.ChangeStatus(state, CommitmentStatus.InProgress, "note", Given.Reviewer).ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void Reviewer_cannot_report_progress()
    {
        var state = Given.CommitmentIn(CommitmentStatus.InProgress);

        ValueDecisions.Submit(state, new SubmitValue(3, Given.Today, null, null, null, [], null), [], Guid.NewGuid(), Given.Reviewer, Given.Today).ShouldBeRejected(RejectionKind.Forbidden);
        ValueDecisions.Submit(state, new SubmitValue(3, Given.Today, null, null, null, [], null), [], Guid.NewGuid(), Given.ReviewerKH, Given.Today).ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void Reviewer_cannot_revise()
    {
        var state = Given.CommitmentIn(CommitmentStatus.InProgress);

        CommitmentDecisions.Revise(state, NewTitle, Given.Reviewer).ShouldBeRejected(RejectionKind.Forbidden);
        CommitmentDecisions.Revise(state, NewTitle, Given.ReviewerKH).ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void Reviewer_cannot_make_a_commitment()
    {
        CommitmentDecisions.Make(Given.TestPlan, MakeFor("KH"), "KH-G1.O1-02", Guid.NewGuid(), Given.Reviewer, Given.Today).ShouldBeRejected(RejectionKind.Forbidden);
        CommitmentDecisions.Make(Given.TestPlan, MakeFor("KH"), "KH-G1.O1-02", Guid.NewGuid(), Given.ReviewerKH, Given.Today).ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void Reviewer_cannot_withdraw()
    {
        var state = Given.CommitmentIn(CommitmentStatus.InProgress);

        CommitmentDecisions.Withdraw(state, "Audit", Given.Reviewer).ShouldBeRejected(RejectionKind.Forbidden);
    }

    // --- A withdrawn commitment accepts nothing more ---

    [Theory]
    [InlineData(CommitmentStatus.NotStarted)]
    [InlineData(CommitmentStatus.InProgress)]
    [InlineData(CommitmentStatus.OnHold)]
    [InlineData(CommitmentStatus.Completed)]
    [InlineData(CommitmentStatus.Cancelled)]
    public void Withdrawn_commitment_accepts_no_status_change(CommitmentStatus to)
    {
        var state = Given.Withdrawn(CommitmentStatus.InProgress);

        CommitmentDecisions.ChangeStatus(state, to, "note", Given.FocalPointKH).ShouldBeRejected(RejectionKind.Conflict);
        CommitmentDecisions.ChangeStatus(state, to, "note", Given.Secretariat).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Withdrawn_final_commitment_cannot_be_reopened()
    {
        var state = Given.Withdrawn(CommitmentStatus.Completed);

        CommitmentDecisions.ChangeStatus(state, CommitmentStatus.InProgress, "Reopen", Given.Secretariat).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Withdrawn_commitment_accepts_no_progress()
    {
        var state = Given.Withdrawn();

        ValueDecisions.Submit(state, new SubmitValue(3, Given.Today, null, null, null, [], null), [], Guid.NewGuid(), Given.FocalPointKH, Given.Today).ShouldBeRejected(RejectionKind.Conflict);
        ValueDecisions.Submit(state, new SubmitValue(3, Given.Today, null, null, null, [], null), [], Guid.NewGuid(), Given.Secretariat, Given.Today).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Withdrawn_commitment_accepts_no_revision()
    {
        var state = Given.Withdrawn();

        CommitmentDecisions.Revise(state, NewTitle, Given.FocalPointKH).ShouldBeRejected(RejectionKind.Conflict);
        CommitmentDecisions.Revise(state, NewTitle, Given.Secretariat).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Withdrawn_commitment_cannot_be_withdrawn_again()
    {
        var state = Given.Withdrawn();

        CommitmentDecisions.Withdraw(state, "Twice", Given.Secretariat).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Focal_point_of_another_country_is_forbidden_before_withdrawal_is_considered()
    {
        var state = Given.Withdrawn();

        ValueDecisions.Submit(state, new SubmitValue(3, Given.Today, null, null, null, [], null), [], Guid.NewGuid(), Given.FocalPointTH, Given.Today).ShouldBeRejected(RejectionKind.Forbidden);
    }
}
