using Strategy.Domain;
using Strategy.Domain.Commitments;

namespace Strategy.Tests.Domain;

public class ReviseCommitmentSpecs
{
    // Given.Made(): title "Host national dialogues", no description, lead agency "Ministry of Environment",
    // due 2025-12-31, target 10, count unit.
    private static Commitment State() => Given.CommitmentIn(CommitmentStatus.InProgress);

    private static Decision Revise(ReviseCommitment cmd, Actor? actor = null) =>
        CommitmentDecisions.Revise(State(), cmd, actor ?? Given.FocalPointKH);

    [Fact]
    public void Revision_records_only_the_changed_title_with_its_old_value()
    {
        var revised = Revise(new ReviseCommitment("Host regional dialogues", null, null, null, null, "Scope widened"))
            .ShouldAcceptSingle<CommitmentRevised>();

        revised.CommitmentId.ShouldBe(Given.CommitmentId);
        revised.Reason.ShouldBe("Scope widened");
        revised.After.ShouldBe(new CommitmentTerms(Title: "Host regional dialogues"));
        revised.Before.ShouldBe(new CommitmentTerms(Title: "Host national dialogues"));
    }

    [Fact]
    public void Revision_records_due_and_target_with_their_old_values()
    {
        var revised = Revise(new ReviseCommitment(null, null, null, new DateOnly(2026, 6, 30), 14, "Budget approved"))
            .ShouldAcceptSingle<CommitmentRevised>();

        revised.After.ShouldBe(new CommitmentTerms(Due: new DateOnly(2026, 6, 30), Target: 14));
        revised.Before.ShouldBe(new CommitmentTerms(Due: new DateOnly(2025, 12, 31), Target: 10));
    }

    [Fact]
    public void Fields_given_with_their_current_value_are_not_recorded()
    {
        var revised = Revise(new ReviseCommitment("Host national dialogues", null, "Ministry of Environment", Given.Due, 12, "Target raised"))
            .ShouldAcceptSingle<CommitmentRevised>();

        revised.After.ShouldBe(new CommitmentTerms(Target: 12));
        revised.Before.ShouldBe(new CommitmentTerms(Target: 10));
    }

    [Fact]
    public void Adding_a_description_records_an_empty_old_value()
    {
        var revised = Revise(new ReviseCommitment(null, "Two dialogues a year", null, null, null, "Clarified"))
            .ShouldAcceptSingle<CommitmentRevised>();

        revised.After.ShouldBe(new CommitmentTerms(Description: "Two dialogues a year"));
        revised.Before.ShouldBe(new CommitmentTerms(Description: ""));
    }

    [Fact]
    public void Titles_and_lead_agencies_are_trimmed_before_comparing()
    {
        Revise(new ReviseCommitment("  Host national dialogues ", null, " Ministry of Environment", null, null, "No-op"))
            .ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Revision_folds_into_the_commitment()
    {
        var state = State();
        var revised = CommitmentDecisions.Revise(state,
            new ReviseCommitment("Host regional dialogues", null, "Ministry of Foreign Affairs", new DateOnly(2026, 6, 30), 14, "Re-scoped"),
            Given.FocalPointKH).ShouldAcceptSingle<CommitmentRevised>();

        var after = Commitment.Evolve(state, revised, Given.FocalPointKH.Id);

        after.Title.ShouldBe("Host regional dialogues");
        after.LeadAgency.ShouldBe("Ministry of Foreign Affairs");
        after.Due.ShouldBe(new DateOnly(2026, 6, 30));
        after.Target.ShouldBe(14);
        after.Description.ShouldBeNull();
    }

    [Fact]
    public void Revision_that_changes_nothing_is_a_conflict()
    {
        Revise(new ReviseCommitment("Host national dialogues", null, null, Given.Due, 10, "Nothing really"))
            .ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Revision_without_any_field_is_invalid()
    {
        Revise(new ReviseCommitment(null, null, null, null, null, "Why not")).ShouldBeRejected(RejectionKind.Validation, "body");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Revision_needs_a_reason(string reason)
    {
        Revise(new ReviseCommitment("Host regional dialogues", null, null, null, null, reason)).ShouldBeRejected(RejectionKind.Validation, "reason");
    }

    [Fact]
    public void Revision_with_a_null_reason_is_invalid()
    {
        Revise(new ReviseCommitment("Host regional dialogues", null, null, null, null, null!)).ShouldBeRejected(RejectionKind.Validation, "reason");
    }

    [Fact]
    public void Revised_title_must_not_be_empty()
    {
        Revise(new ReviseCommitment("  ", null, null, null, null, "Rename")).ShouldBeRejected(RejectionKind.Validation, "title");
    }

    [Fact]
    public void Revised_title_over_500_characters_is_invalid()
    {
        Revise(new ReviseCommitment(new string('t', 501), null, null, null, null, "Rename")).ShouldBeRejected(RejectionKind.Validation, "title");
    }

    [Theory]
    [InlineData(2022, 12, 31)]
    [InlineData(2028, 1, 1)]
    public void Revised_due_date_outside_the_plan_period_is_invalid(int year, int month, int day)
    {
        Revise(new ReviseCommitment(null, null, null, new DateOnly(year, month, day), null, "Delay")).ShouldBeRejected(RejectionKind.Validation, "due");
    }

    [Fact]
    public void Revised_target_must_suit_the_unit()
    {
        Revise(new ReviseCommitment(null, null, null, null, -4, "Lower")).ShouldBeRejected(RejectionKind.Validation, "target");
        Revise(new ReviseCommitment(null, null, null, null, double.NaN, "Lower")).ShouldBeRejected(RejectionKind.Validation, "target");
    }

    [Fact]
    public void Revising_an_absent_description_to_an_empty_one_changes_nothing()
    {
        // The commitment has no description; an empty one is no description either. The revision must be refused
        // as changing nothing rather than recorded as Before.Description "" -> After.Description "".
        Revise(new ReviseCommitment(null, "", null, null, null, "Clear the description")).ShouldBeRejected(RejectionKind.Conflict);
    }
}
