using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Domain.Progress;
using Strategy.Domain.Reports;

namespace Strategy.Tests.Domain;

/// <summary>
/// The report functions without a database, on a fixed evaluation day: what the API tests cannot reach (a stale
/// commitment, the day a due date passes, empty groups) and the report-run decisions.
/// </summary>
public sealed class ReportSpecs
{
    private static readonly DateTimeOffset Noon = new(2025, 6, 30, 12, 0, 0, TimeSpan.Zero);

    private static CommitmentSnapshot Snapshot(string code, string country = "KH", CommitmentStatus status = CommitmentStatus.InProgress,
        DateOnly? due = null, double? value = null, DateTimeOffset? lastUpdatedAt = null, bool withdrawn = false)
    {
        var id = Guid.NewGuid();
        var events = new List<object>
        {
            new CommitmentMade(id, Given.PlanCode, code, country, "G1", "G1.O1", $"Commitment {code}", null, "Ministry", Given.PlanStart, Given.PlanEnd,
                Given.PlanStart, due ?? Given.Due, "G1.O1.I1", "count", 0, 10, false, true),
        };
        if (status != CommitmentStatus.NotStarted) events.Add(new CommitmentStatusChanged(id, CommitmentStatus.NotStarted, status, null));
        if (value is { } v) events.Add(Given.Accepted(v, new DateOnly(2025, 1, 15), commitmentId: id));
        if (withdrawn) events.Add(new CommitmentWithdrawn(id, "Made in error"));
        return new CommitmentSnapshot(Given.Summary([.. events]), Noon.AddYears(-1), lastUpdatedAt ?? Noon.AddDays(-1), "fp-kh");
    }

    private static ProgressReportContent Build(DateOnly on, params CommitmentSnapshot[] commitments) =>
        ProgressReport.Build(Given.TestPlan, commitments, [], new ReportBasis(42, new string('a', 64), on, 5), HealthThresholds.Default, null, []);

    [Fact]
    public void A_report_from_rows_computed_one_by_one_in_any_order_is_the_report_from_its_commitments()
    {
        var basis = new ReportBasis(42, new string('a', 64), Given.Today, 5);
        CommitmentSnapshot[] commitments =
        [
            Snapshot("C", value: 2), Snapshot("A", value: 9, lastUpdatedAt: Noon.AddYears(-1)), Snapshot("B", country: "TH", value: 5),
            Snapshot("E", status: CommitmentStatus.Completed), Snapshot("D", withdrawn: true), Snapshot("F", due: new DateOnly(2025, 3, 1)),
        ];
        var fromCommitments = ProgressReport.Build(Given.TestPlan, commitments, ["KH"], basis, HealthThresholds.Default, null, []);
        var rows = new ProgressRows([.. commitments.Reverse().Select(c => ProgressReport.Row(c, Given.Today, HealthThresholds.Default))], Given.Today, HealthThresholds.Default);
        var fromRows = ProgressReport.Build(Given.TestPlan, rows, ["KH"], basis, null, []);

        Json(fromRows).ShouldBe(Json(fromCommitments));
        // A not updated for a year, C off-track (0.2 of its target against 0.83 of the time), F overdue; in code order.
        fromRows.Attention.Select(a => a.Code).ShouldBe(["A", "C", "F"]);
        fromRows.Totals.Commitments.ShouldBe(4);
    }

    [Fact]
    public void Rows_evaluated_on_another_day_than_the_report_are_refused()
    {
        var rows = new ProgressRows([ProgressReport.Row(Snapshot("A"), Given.Today.AddDays(-1), HealthThresholds.Default)], Given.Today.AddDays(-1), HealthThresholds.Default);
        Should.Throw<ArgumentException>(() => ProgressReport.Build(Given.TestPlan, rows, [], new ReportBasis(42, new string('a', 64), Given.Today, 5), null, []));
    }

    private static string Json(ProgressReportContent content) =>
        System.Text.Json.JsonSerializer.Serialize(content, Strategy.Infrastructure.Reports.ReportGenerator.CanonicalJson);

    [Fact]
    public void A_commitment_without_an_update_for_more_than_180_days_needs_attention_unless_it_is_finished()
    {
        // Evaluated on 2025-06-30. 2024-12-31 + 180 days = 2025-06-29, before the day: stale.
        // 2025-01-01 + 180 days = 2025-06-30, not before it: an update 180 days ago still counts as recent.
        var content = Build(Given.Today,
            Snapshot("A-STALE", value: 5, lastUpdatedAt: new DateTimeOffset(2024, 12, 31, 23, 0, 0, TimeSpan.Zero)),
            Snapshot("B-RECENT", value: 5, lastUpdatedAt: new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            Snapshot("C-DONE", status: CommitmentStatus.Completed, lastUpdatedAt: new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            Snapshot("D-CANCELLED", status: CommitmentStatus.Cancelled, lastUpdatedAt: new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)));

        // A-STALE: p = 5 / 10 = 0.5 against e = (2025-06-30 - 2023-01-01) / (2025-12-31 - 2023-01-01) = 911 / 1095 = 0.832:
        // 0.5 >= 0.6 * 0.832 = 0.499, at risk; so its only reason is the missing update.
        var stale = content.Attention.ShouldHaveSingleItem();
        (stale.Code, stale.Health, stale.LastUpdatedBy).ShouldBe(("A-STALE", "at-risk", "fp-kh"));
        stale.Reasons.ShouldBe(["no-update-in-180-days"]);
    }

    [Fact]
    public void Health_is_evaluated_on_the_report_day_a_commitment_is_overdue_the_day_after_its_due_date()
    {
        var due = new DateOnly(2025, 6, 30);
        var onTheDay = Build(due, Snapshot("A", due: due, value: 10));
        onTheDay.Totals.ByHealth.Single(h => h.Key == "on-track").Count.ShouldBe(1); // p = 1 >= 0.95 e = 0.95
        onTheDay.Attention.ShouldBeEmpty();

        var dayAfter = Build(due.AddDays(1), Snapshot("A", due: due, value: 10));
        dayAfter.Totals.ByHealth.Single(h => h.Key == "overdue").Count.ShouldBe(1);
        dayAfter.Attention.ShouldHaveSingleItem().Reasons.ShouldBe(["overdue"]);
    }

    [Fact]
    public void Groups_without_commitments_have_zero_counts_and_shares_and_no_mean()
    {
        // Only KH commitments under G1, one withdrawn: TH, G2 and its outcome are empty.
        var content = Build(Given.Today, Snapshot("A", value: 20), Snapshot("B", withdrawn: true, value: 5));

        // A: 20 / 10 = 2, capped to 1 in means.
        content.Totals.Commitments.ShouldBe(1);
        content.Totals.MeanProgress.ShouldBe(1);
        var th = content.ByCountry.Single(c => c.Code == "TH").Breakdown;
        var g2 = content.ByGoal.Single(g => g.Code == "G2").Breakdown;
        foreach (var empty in new[] { th, g2, content.ByOutcome.Single(o => o.Code == "G2.O1").Breakdown })
        {
            empty.Commitments.ShouldBe(0);
            empty.WithValue.ShouldBe(0);
            empty.MeanProgress.ShouldBeNull();
            empty.ByStatus.ShouldAllBe(s => s.Count == 0 && s.Share == 0);
            empty.ByHealth.ShouldAllBe(h => h.Count == 0 && h.Share == 0);
        }
        content.CountryGoalMeanProgress.Cells.SelectMany(r => r).ShouldBe([1.0, null, null, null]); // KH x G1, KH x G2, TH x G1, TH x G2
        content.Indicators.Single(i => i.Code == "G1.O1.I1").Countries.Select(c => c.Commitment).ShouldBe(["A"]);
    }

    [Fact]
    public void Changes_are_those_of_the_countries_in_scope_in_the_order_they_happened()
    {
        var previous = new PreviousReport(Guid.NewGuid(), 7);
        CommitmentChange Change(long sequence, ChangeKind kind, string code, string country) => new(sequence, Noon, kind, code, country, null, null, null);
        var changes = new[]
        {
            Change(12, ChangeKind.StatusChange, "A", "KH"), Change(9, ChangeKind.NewCommitment, "A", "KH"),
            Change(10, ChangeKind.NewCommitment, "T", "TH"), Change(11, ChangeKind.Withdrawal, "B", "KH"), Change(8, ChangeKind.StatusChange, "B", "KH"),
        };
        var content = ProgressReport.Build(Given.TestPlan, [Snapshot("A"), Snapshot("T", country: "TH")], ["KH"],
            new ReportBasis(12, new string('a', 64), Given.Today, 5), HealthThresholds.Default, previous, changes);

        content.ChangesSincePrevious.Previous.ShouldBe(previous);
        content.ChangesSincePrevious.NewCommitments.Select(c => c.Sequence).ShouldBe([9L]);
        content.ChangesSincePrevious.StatusChanges.Select(c => c.Sequence).ShouldBe([8L, 12L]);
        content.ChangesSincePrevious.Withdrawals.Select(c => c.Sequence).ShouldBe([11L]);
        content.Countries.ShouldBe(["KH"]);
        content.Totals.Commitments.ShouldBe(1);
    }

    // ---- report runs ----

    [Fact]
    public void The_secretariat_an_admin_or_a_reviewer_requests_a_report_for_members_and_not_for_the_future()
    {
        var id = Guid.NewGuid();
        Decision Request(Actor actor, DateTimeOffset? asOf = null, params string[] countries) =>
            ReportDecisions.Request(Given.TestPlan, id, ReportKind.Progress, asOf, countries, actor, Noon);

        Request(Given.FocalPointKH).ShouldBeRejected(RejectionKind.Forbidden);
        // A reviewer re-derives a published report as of its instant.
        Request(Given.Reviewer, Noon).ShouldAcceptSingle<ReportRequested>().AsOf.ShouldBe(Noon);
        Request(Given.Secretariat, Noon.AddTicks(1)).ShouldBeRejected(RejectionKind.Validation, "asOf");
        Request(Given.Secretariat, null, "KH", "VN").ShouldBeRejected(RejectionKind.Validation, "countries[1]");

        Request(Given.Admin, Noon).ShouldAcceptSingle<ReportRequested>().AsOf.ShouldBe(Noon);
        // An instant given with an offset is the same instant, kept in UTC (API.md shows every instant in UTC).
        var bangkok = Request(Given.Admin, Noon.ToOffset(TimeSpan.FromHours(7))).ShouldAcceptSingle<ReportRequested>().AsOf!.Value;
        (bangkok, bangkok.Offset).ShouldBe((Noon, TimeSpan.Zero));
        var requested = Request(Given.Secretariat, null, "TH", "KH", "TH").ShouldAcceptSingle<ReportRequested>();
        (requested.ReportId, requested.Kind, requested.Plan, requested.Schedule).ShouldBe((id, ReportKind.Progress, Given.PlanCode, (string?)null));
        requested.Countries.ShouldBe(["KH", "TH"]);
    }

    [Fact]
    public void A_run_starts_a_report_that_has_not_succeeded_and_never_one_that_has()
    {
        var id = Guid.NewGuid();
        var queued = Report.Evolve(null, new ReportRequested(id, ReportKind.SdgAlignment, Given.PlanCode, null, [], null))!;
        ReportDecisions.Start(queued).ShouldBe(new ReportStarted(id, 1));

        var failed = new object[] { new ReportStarted(id, 1), new ReportFailed(id, 1, "boom") }.Aggregate(queued, (s, e) => Report.Evolve(s, e)!);
        (failed.Status, failed.Error, failed.Attempts).ShouldBe((ReportStatus.Failed, "boom", 1));
        var retried = ReportDecisions.Start(failed).ShouldNotBeNull();
        retried.Attempt.ShouldBe(2);
        var running = Report.Evolve(failed, retried)!;
        (running.Status, running.Error).ShouldBe((ReportStatus.Running, (string?)null));

        var succeeded = Report.Evolve(running, new ReportSucceeded(id, 42, new string('a', 64), new string('b', 64)))!;
        (succeeded.Status, succeeded.EventSequence, succeeded.ContentHash).ShouldBe((ReportStatus.Succeeded, 42L, new string('b', 64)));
        ReportDecisions.Start(succeeded).ShouldBeNull();
    }
}
