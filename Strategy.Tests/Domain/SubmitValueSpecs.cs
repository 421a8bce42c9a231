using Strategy.Domain;
using Strategy.Domain.Commitments;

namespace Strategy.Tests.Domain;

public class SubmitValueSpecs
{
    private static readonly DateOnly Today = Given.Today;

    private static Decision Report(Commitment state, double value, DateOnly? asOf = null, string? evidenceUrl = null, Actor? actor = null) =>
        ValueDecisions.Submit(state, new SubmitValue(value, asOf ?? Today, null, null, "Quarterly figures", [], evidenceUrl), [], Guid.NewGuid(),
            actor ?? Given.FocalPointKH, Today);

    private static Commitment Percent() =>
        Given.CommitmentIn(CommitmentStatus.InProgress, Given.Made(indicator: "G1.O1.I2", unit: "percent", baseline: 70, target: 80));

    [Fact]
    public void Focal_point_reports_a_value_with_evidence()
    {
        var state = Given.CommitmentIn(CommitmentStatus.InProgress);

        var reported = Report(state, 4, new DateOnly(2025, 3, 31), "https://example.org/kh/dialogues-q1.pdf").ShouldAcceptSingle<ValueSubmitted>();

        reported.CommitmentId.ShouldBe(Given.CommitmentId);
        reported.Value.ShouldBe(4);
        reported.AsOf.ShouldBe(new DateOnly(2025, 3, 31));
        reported.Note.ShouldBe("Quarterly figures");
        reported.EvidenceUrl.ShouldBe("https://example.org/kh/dialogues-q1.pdf");
    }

    [Fact]
    public void A_commitment_holding_the_most_values_takes_no_more()
    {
        var full = Given.CommitmentIn(CommitmentStatus.InProgress) with
        {
            Values = [.. Enumerable.Range(0, ValueDecisions.MaxValues).Select(i => new ReportedValue(Guid.NewGuid(), Today, 1, ValueState.Accepted, "kh-1", null))],
        };
        Report(full with { Values = full.Values.Skip(1).ToList() }, 4).ShouldAcceptSingle<ValueSubmitted>();
        Report(full, 4).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Fact]
    public void A_focal_points_value_is_submitted_and_does_not_count_until_accepted()
    {
        var state = Given.CommitmentIn(CommitmentStatus.InProgress);

        var submitted = Report(state, 4).ShouldAcceptSingle<ValueSubmitted>();
        var summary = Given.Summary(Given.Made(), submitted);

        summary.Latest.ShouldBeNull();
        summary.Progress.ShouldBeNull();
        summary.Pending.ShouldHaveSingleItem().Value.ShouldBe(4);
        Commitment.Evolve(state, submitted, Given.FocalPointKH.Id).FindValue(submitted.ValueId).ShouldNotBeNull().State.ShouldBe(ValueState.Submitted);
    }

    [Fact]
    public void The_secretariats_value_is_accepted_on_entry_and_sets_progress()
    {
        var state = Given.CommitmentIn(CommitmentStatus.InProgress);

        var decision = Report(state, 4, actor: Given.Secretariat);

        decision.IsAccepted.ShouldBeTrue();
        decision.Events.Select(e => e.GetType()).ShouldBe([typeof(ValueSubmitted), typeof(ValueAccepted)]);
        var summary = Given.Summary([Given.Made(), .. decision.Events]);
        summary.Latest.ShouldBe(new Measurement(Today, 4));
        summary.Progress.ShouldBe(0.4); // (4 - 0) / (10 - 0)
        summary.Pending.ShouldBeEmpty();
    }

    [Fact]
    public void Without_review_a_focal_points_value_counts_on_entry()
    {
        var state = Given.CommitmentIn(CommitmentStatus.InProgress, Given.Made(review: false));

        var decision = Report(state, 4);

        decision.Events.Select(e => e.GetType()).ShouldBe([typeof(ValueSubmitted), typeof(ValueAccepted)]);
        Given.Summary([Given.Made(review: false), .. decision.Events]).Latest.ShouldBe(new Measurement(Today, 4));
    }

    [Fact]
    public void Reporting_on_today_is_allowed()
    {
        Report(Given.CommitmentIn(CommitmentStatus.InProgress), 1, Today).IsAccepted.ShouldBeTrue();
    }

    [Fact]
    public void As_of_date_in_the_future_is_invalid()
    {
        Report(Given.CommitmentIn(CommitmentStatus.InProgress), 1, Today.AddDays(1)).ShouldBeRejected(RejectionKind.Validation, "asOf");
    }

    [Fact]
    public void As_of_date_before_the_plan_starts_is_invalid()
    {
        Report(Given.CommitmentIn(CommitmentStatus.InProgress), 1, Given.PlanStart.AddDays(-1)).ShouldBeRejected(RejectionKind.Validation, "asOf");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(-1)]
    [InlineData(-0.001)]
    public void Non_finite_or_negative_count_is_invalid(double value)
    {
        Report(Given.CommitmentIn(CommitmentStatus.InProgress), value).ShouldBeRejected(RejectionKind.Validation, "value");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Non_finite_value_is_invalid_even_without_a_unit(double value)
    {
        var state = Given.CommitmentIn(CommitmentStatus.InProgress, Given.Made(indicator: null, unit: null));

        Report(state, value).ShouldBeRejected(RejectionKind.Validation, "value");
    }

    [Fact]
    public void Negative_value_is_allowed_without_a_unit()
    {
        var state = Given.CommitmentIn(CommitmentStatus.InProgress, Given.Made(indicator: null, unit: null));

        Report(state, -2).ShouldAcceptSingle<ValueSubmitted>().Value.ShouldBe(-2);
    }

    [Fact]
    public void Percent_above_100_is_invalid()
    {
        Report(Percent(), 100.5).ShouldBeRejected(RejectionKind.Validation, "value");
    }

    [Fact]
    public void Percent_of_exactly_100_is_valid()
    {
        Report(Percent(), 100).ShouldAcceptSingle<ValueSubmitted>().Value.ShouldBe(100);
    }

    [Fact]
    public void Cancelled_commitment_takes_no_progress()
    {
        Report(Given.CommitmentIn(CommitmentStatus.Cancelled), 5).ShouldBeRejected(RejectionKind.Conflict);
        Report(Given.CommitmentIn(CommitmentStatus.Cancelled), 5, actor: Given.Secretariat).ShouldBeRejected(RejectionKind.Conflict);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://example.org/report.pdf")]
    [InlineData("file:///etc/passwd")]
    [InlineData("javascript:alert(1)")]
    [InlineData("/reports/q1.pdf")]
    [InlineData("")]
    public void Evidence_url_must_be_an_absolute_http_or_https_url(string url)
    {
        Report(Given.CommitmentIn(CommitmentStatus.InProgress), 1, evidenceUrl: url).ShouldBeRejected(RejectionKind.Validation, "evidenceUrl");
    }

    [Fact]
    public void Evidence_url_longer_than_2000_characters_is_invalid()
    {
        var url = "https://example.org/" + new string('a', 1981); // 20 + 1981 = 2001 characters

        Report(Given.CommitmentIn(CommitmentStatus.InProgress), 1, evidenceUrl: url).ShouldBeRejected(RejectionKind.Validation, "evidenceUrl");
    }

    [Theory]
    [InlineData("http://example.org/evidence")]
    [InlineData("https://example.org/evidence?q=1")]
    public void Http_and_https_evidence_urls_are_accepted(string url)
    {
        Report(Given.CommitmentIn(CommitmentStatus.InProgress), 1, evidenceUrl: url).ShouldAcceptSingle<ValueSubmitted>().EvidenceUrl.ShouldBe(url);
    }

    [Fact]
    public void A_later_accepted_value_for_the_same_date_replaces_the_earlier_one()
    {
        var date = new DateOnly(2025, 3, 31);
        var events = new List<object> { Given.Made() };
        foreach (var (value, asOf) in new[] { (2.0, new DateOnly(2024, 12, 31)), (3.0, date), (5.0, date) })
            events.AddRange(ValueDecisions.Submit(Given.Commitment([.. events]), new SubmitValue(value, asOf, null, null, null, [], null), [],
                Guid.NewGuid(), Given.Secretariat, Today).Events);

        var accepted = events.OfType<ValueAccepted>().ToList();
        accepted[2].Replaces.ShouldNotBeNull().ValueId.ShouldBe(accepted[1].ValueId);
        var summary = Given.Summary([.. events]);
        summary.Latest.ShouldBe(new Measurement(date, 5));
        summary.ValuesAccepted.ShouldBe(2);
        Given.Commitment([.. events]).Values.Where(v => v.Standing).Select(v => v.Value).ShouldBe([2, 5]);
    }

    [Fact]
    public void A_back_dated_value_does_not_replace_the_latest_value()
    {
        var summary = Given.Summary(Given.Made(), Given.Accepted(6, new DateOnly(2025, 3, 31)), Given.Accepted(2, new DateOnly(2024, 6, 30)));

        summary.Latest.ShouldBe(new Measurement(new DateOnly(2025, 3, 31), 6));
        summary.Progress.ShouldBe(0.6); // (6 - 0) / (10 - 0)
        summary.ValuesAccepted.ShouldBe(2);
    }

    [Theory]
    [InlineData("Percent")]
    [InlineData("PERCENT")]
    public void Percent_above_100_is_invalid_whatever_the_case_of_the_unit(string unit)
    {
        // Units are matched ignoring case for the non-negative rule (so -1 "Percent" is refused);
        // the at-most-100 rule must recognise the same unit.
        var state = Given.CommitmentIn(CommitmentStatus.InProgress, Given.Made(indicator: "G1.O1.I2", unit: unit, baseline: 70, target: 80));

        Report(state, -1).ShouldBeRejected(RejectionKind.Validation, "value");
        Report(state, 120).ShouldBeRejected(RejectionKind.Validation, "value");
    }
}
