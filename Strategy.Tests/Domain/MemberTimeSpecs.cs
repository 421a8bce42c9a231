using System.Globalization;
using Strategy.Domain;
using Strategy.Domain.Commitments;

namespace Strategy.Tests.Domain;

/// <summary>
/// Dates a person means are dates in the member's own time zone (ARCHITECTURE.md): KH, LA, TH, VN UTC+7, MM UTC+6:30,
/// CN UTC+8, the secretariat's UTC+8; instants stay UTC.
/// </summary>
public class MemberTimeSpecs
{
    private static DateTimeOffset At(string instant) =>
        DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static DateOnly Day(string date) => DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static readonly DateOnly July1 = new(2026, 7, 1);
    private static readonly DateOnly July2 = new(2026, 7, 2);

    // ================================================ MemberTime.Today ================================================

    [Theory]
    [InlineData("KH", "2026-07-01T16:59:59Z", "2026-07-01")]
    [InlineData("KH", "2026-07-01T17:00:00Z", "2026-07-02")]
    [InlineData("LA", "2026-07-01T16:59:59Z", "2026-07-01")]
    [InlineData("LA", "2026-07-01T17:00:00Z", "2026-07-02")]
    [InlineData("TH", "2026-07-01T16:59:59Z", "2026-07-01")]
    [InlineData("TH", "2026-07-01T17:00:00Z", "2026-07-02")]
    [InlineData("VN", "2026-07-01T16:59:59Z", "2026-07-01")]
    [InlineData("VN", "2026-07-01T17:00:00Z", "2026-07-02")]
    [InlineData("MM", "2026-07-01T17:29:59Z", "2026-07-01")]
    [InlineData("MM", "2026-07-01T17:30:00Z", "2026-07-02")]
    [InlineData("CN", "2026-07-01T15:59:59Z", "2026-07-01")]
    [InlineData("CN", "2026-07-01T16:00:00Z", "2026-07-02")]
    public void A_members_day_turns_at_midnight_in_its_own_time_zone(string country, string instant, string date)
    {
        MemberTime.Today(country, At(instant)).ShouldBe(Day(date));
    }

    [Theory]
    [InlineData("XX", "2026-07-01T17:00:00Z", "2026-07-01")]
    [InlineData("XX", "2026-07-01T23:59:59Z", "2026-07-01")]
    [InlineData("XX", "2026-07-02T00:00:00Z", "2026-07-02")]
    [InlineData(null, "2026-07-01T23:59:59Z", "2026-07-01")]
    [InlineData(null, "2026-07-02T00:00:00Z", "2026-07-02")]
    public void A_country_without_a_known_time_zone_uses_utc(string? country, string instant, string date)
    {
        MemberTime.Today(country, At(instant)).ShouldBe(Day(date));
    }

    [Fact]
    public void The_instant_is_read_as_an_instant_whatever_its_offset()
    {
        // 2026-07-02T00:00+07:00 is 2026-07-01T17:00Z: already 2 July in Phnom Penh, still 1 July in Yangon.
        var instant = new DateTimeOffset(2026, 7, 2, 0, 0, 0, TimeSpan.FromHours(7));

        MemberTime.Today("KH", instant).ShouldBe(July2);
        MemberTime.Today("MM", instant).ShouldBe(July1);
    }

    // ============================================== MemberTime.TodayFor ==============================================

    [Fact]
    public void A_focal_points_day_is_its_countrys()
    {
        MemberTime.TodayFor(Given.FocalPointKH, At("2026-07-01T17:00:00Z")).ShouldBe(July2);
        MemberTime.TodayFor(Given.FocalPointTH, At("2026-07-01T16:59:59Z")).ShouldBe(July1);
        MemberTime.TodayFor(Given.FocalPointKH with { Country = "MM" }, At("2026-07-01T17:15:00Z")).ShouldBe(July1);
    }

    [Fact]
    public void Everyone_else_uses_the_secretariats_day()
    {
        foreach (var actor in new[] { Given.Secretariat, Given.Admin, Given.Reviewer, Given.ReviewerKH })
        {
            MemberTime.TodayFor(actor, At("2026-07-01T15:59:59Z")).ShouldBe(July1, actor.Id);
            MemberTime.TodayFor(actor, At("2026-07-01T16:00:00Z")).ShouldBe(July2, actor.Id);
            MemberTime.TodayFor(actor, At("2026-07-01T16:30:00Z")).ShouldBe(MemberTime.Today("CN", At("2026-07-01T16:30:00Z")), actor.Id);
        }
    }

    [Fact]
    public void A_reviewer_with_a_country_claim_still_uses_the_secretariats_day()
    {
        // 16:30Z is 23:30 on 1 July in Phnom Penh, 00:30 on 2 July in Shanghai.
        MemberTime.TodayFor(Given.ReviewerKH, At("2026-07-01T16:30:00Z")).ShouldBe(July2);
    }

    // =================================== Submitting a value for today, early in Asia ===================================

    [Fact]
    public void A_value_for_today_sent_before_seven_in_the_morning_in_Phnom_Penh_is_not_in_the_future()
    {
        var now = At("2026-07-01T18:00:00Z"); // 01:00 on 2 July in Phnom Penh; the UTC date is still 1 July
        var today = MemberTime.TodayFor(Given.FocalPointKH, now);
        DateOnly.FromDateTime(now.UtcDateTime).ShouldBe(July1);

        var submitted = ValueDecisions.Submit(Given.CommitmentIn(CommitmentStatus.InProgress),
            new SubmitValue(5, July2, null, null, null, [], null), [], Guid.NewGuid(), Given.FocalPointKH, today).ShouldAcceptSingle<ValueSubmitted>();

        submitted.AsOf.ShouldBe(July2);
    }

    [Fact]
    public void A_value_dated_tomorrow_in_Phnom_Penh_is_still_in_the_future()
    {
        var today = MemberTime.TodayFor(Given.FocalPointKH, At("2026-07-01T18:00:00Z"));

        ValueDecisions.Submit(Given.CommitmentIn(CommitmentStatus.InProgress), new SubmitValue(5, July2.AddDays(1), null, null, null, [], null), [],
            Guid.NewGuid(), Given.FocalPointKH, today).ShouldBeRejected(RejectionKind.Validation, "asOf");
    }

    // ================================================== OverdueCheck ==================================================

    private static CommitmentSummary DueJuly1(string country = "KH", params object[] more) =>
        Given.Summary([Given.Made(country: country, due: July1), .. more]);

    [Fact]
    public void A_commitment_is_not_overdue_until_its_due_day_ends_in_its_country()
    {
        OverdueCheck.Check(DueJuly1(), null, At("2026-07-01T16:59:00Z")).ShouldBeNull();
    }

    [Fact]
    public void A_commitment_is_overdue_from_midnight_after_its_due_day_in_its_country()
    {
        var overdue = OverdueCheck.Check(DueJuly1(), null, At("2026-07-01T17:00:00Z")).ShouldNotBeNull();

        overdue.ShouldBe(new CommitmentBecameOverdue(Given.CommitmentId, "KH-G1.O1-01", "KH", July1, July2));
    }

    [Fact]
    public void The_day_of_the_check_is_the_commitments_country_not_the_checkers()
    {
        // 17:00Z is already 2 July in Phnom Penh but 23:30 on 1 July in Yangon.
        OverdueCheck.Check(DueJuly1("MM"), null, At("2026-07-01T17:00:00Z")).ShouldBeNull();
        OverdueCheck.Check(DueJuly1("MM"), null, At("2026-07-01T17:30:00Z")).ShouldNotBeNull().DetectedOn.ShouldBe(July2);
    }

    [Fact]
    public void Overdue_is_recorded_once_per_due_date()
    {
        var later = At("2026-07-05T03:00:00Z");

        OverdueCheck.Check(DueJuly1(), July1, later).ShouldBeNull();
    }

    [Fact]
    public void A_commitment_whose_due_date_moved_is_recorded_again_for_the_new_one()
    {
        var summary = DueJuly1("KH", new CommitmentRevised(Given.CommitmentId, new CommitmentTerms(Due: July1),
            new CommitmentTerms(Due: new DateOnly(2026, 7, 3)), "More time"));

        OverdueCheck.Check(summary, July1, At("2026-07-03T17:00:00Z")).ShouldNotBeNull().Due.ShouldBe(new DateOnly(2026, 7, 3));
    }

    [Theory]
    [InlineData(CommitmentStatus.NotStarted)]
    [InlineData(CommitmentStatus.InProgress)]
    [InlineData(CommitmentStatus.OnHold)]
    public void An_open_commitment_past_due_is_overdue(CommitmentStatus status)
    {
        object[] changed = status == CommitmentStatus.NotStarted ? [] : [new CommitmentStatusChanged(Given.CommitmentId, CommitmentStatus.NotStarted, status, null)];

        OverdueCheck.Check(DueJuly1("KH", changed), null, At("2026-07-02T12:00:00Z")).ShouldNotBeNull().DetectedOn.ShouldBe(July2);
    }

    [Theory]
    [InlineData(CommitmentStatus.Completed)]
    [InlineData(CommitmentStatus.Cancelled)]
    public void A_completed_or_cancelled_commitment_is_never_overdue(CommitmentStatus status)
    {
        var summary = DueJuly1("KH", new CommitmentStatusChanged(Given.CommitmentId, CommitmentStatus.NotStarted, status, null));

        OverdueCheck.Check(summary, null, At("2026-08-01T00:00:00Z")).ShouldBeNull();
    }

    [Fact]
    public void A_withdrawn_commitment_is_never_overdue()
    {
        var summary = DueJuly1("KH", new CommitmentWithdrawn(Given.CommitmentId, "Made in error"));

        OverdueCheck.Check(summary, null, At("2026-08-01T00:00:00Z")).ShouldBeNull();
    }
}
