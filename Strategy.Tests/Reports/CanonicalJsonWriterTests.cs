using System.Text.Json;
using Strategy.Domain.Commitments;
using Strategy.Domain.Progress;
using Strategy.Domain.Reports;
using Strategy.Domain.Rounds;
using Strategy.Infrastructure.ReferenceData;
using Strategy.Infrastructure.Reports;
using Strategy.Tests.Domain;

namespace Strategy.Tests.Reports;

/// <summary>
/// The report content written in parts on all cores is the serializer's canonical JSON, byte for byte: the content hash
/// of a report must not depend on how its bytes were written.
/// </summary>
public sealed class CanonicalJsonWriterTests
{
    private static readonly DateTimeOffset Noon = new(2025, 6, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Codes = [.. Given.Countries.Select(c => c.Code)];
    private static readonly (string Goal, string Outcome, string Indicator)[] Indicators =
        [("G1", "G1.O1", "G1.O1.I1"), ("G1", "G1.O1", "G1.O1.I2"), ("G1", "G1.O1", "G1.O1.I3"), ("G2", "G2.O1", "G2.O1.I1")];

    /// <summary>
    /// Enough commitments that every long list (indicator rows, attention items, changes) is split into parts, with
    /// text the encoder escapes (quotes, non-ASCII, markup), values, stale and overdue ones, and a withdrawal.
    /// </summary>
    private static List<CommitmentSnapshot> Commitments(int count)
    {
        var commitments = new List<CommitmentSnapshot>();
        for (var i = 0; i < count; i++)
        {
            var id = Guid.NewGuid();
            var (goal, outcome, indicator) = Indicators[i % Indicators.Length];
            var events = new List<object>
            {
                new CommitmentMade(id, Given.PlanCode, $"C-{i:D5}", Codes[i % Codes.Length], goal, outcome, $"Commitment \"{i}\" <ສ້າງ> & 河流 {i}",
                    null, "Ministry", Given.PlanStart, Given.PlanEnd, Given.PlanStart, i % 7 == 0 ? new DateOnly(2025, 3, 31) : Given.Due,
                    i % 5 == 0 ? null : indicator, "count", 0, 10, false, true),
            };
            if (i % 3 != 0) events.Add(new CommitmentStatusChanged(id, CommitmentStatus.NotStarted, i % 11 == 0 ? CommitmentStatus.Completed : CommitmentStatus.InProgress, null));
            if (i % 2 == 0) events.Add(Given.Accepted(i % 13, new DateOnly(2024, 1 + i % 12, 15), commitmentId: id));
            if (i % 4 == 0) events.Add(Given.Accepted(i % 17 * 0.37, new DateOnly(2025, 1 + i % 5, 20), commitmentId: id));
            if (i % 97 == 0) events.Add(new CommitmentWithdrawn(id, "Made in error"));
            commitments.Add(new CommitmentSnapshot(Given.Summary([.. events]), Noon.AddYears(-2), Noon.AddDays(-(i % 400)), $"fp-{Codes[i % Codes.Length].ToLowerInvariant()}"));
        }
        return commitments;
    }

    private static List<CommitmentChange> Changes(int count) =>
        [.. Enumerable.Range(1, count).Select(i => new CommitmentChange(i, Noon.AddMinutes(-i), (ChangeKind)(i % 4), $"C-{i:D5}", Codes[i % Codes.Length],
            i % 2 == 0 ? "in-progress" : null, i % 2 == 0 ? "on-hold" : null, i % 3 == 0 ? $"Reason «{i}»" : null))];

    private static async Task ShouldWriteTheSerializersBytes(object content)
    {
        var expected = JsonSerializer.SerializeToUtf8Bytes(content, content.GetType(), ReportGenerator.CanonicalJson);
        var written = await CanonicalJsonWriter.WriteAsync(content, ReportGenerator.CanonicalJson);
        var bytes = written.Segments.SelectMany(s => s.ToArray()).ToArray();
        written.Length.ShouldBe(expected.Length);
        bytes.SequenceEqual(expected).ShouldBeTrue("the bytes differ from the serializer's");
        written.Sha256().ShouldBe(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(expected)));
    }

    [Fact]
    public async Task A_progress_report_written_in_parts_is_the_serializers_canonical_json()
    {
        var basis = new ReportBasis(4242, new string('b', 64), Given.Today, 7);
        var content = ProgressReport.Build(Given.TestPlan, Commitments(3000), [], basis, HealthThresholds.Default, new PreviousReport(Guid.NewGuid(), 4000), Changes(600));

        // Each long list is long enough to be split; the indicators are few, each with many rows.
        content.Attention.Count.ShouldBeGreaterThan(200);
        content.Indicators.Count.ShouldBeLessThan(10);
        content.Indicators.ShouldAllBe(i => i.Countries.Count > 100);
        content.ChangesSincePrevious.StatusChanges.Count.ShouldBeGreaterThan(100);
        content.Round.ShouldBeNull();
        await ShouldWriteTheSerializersBytes(content);
    }

    [Fact]
    public async Task A_round_report_for_some_countries_written_in_parts_is_the_serializers_canonical_json()
    {
        var basis = new ReportBasis(17, new string('c', 64), Given.Today, 3);
        var round = new RoundSection("2025-Q2", "Q2 \"2025\"", new DateOnly(2025, 4, 1), new DateOnly(2025, 6, 30), new DateOnly(2025, 7, 31), true,
            [.. Codes.Select((c, i) => new CountryCompleteness(c, 100 + i, i, 2 * i, 1, 90, i % 2))]);
        var content = ProgressReport.Build(Given.TestPlan, Commitments(1500), ["TH"], basis, HealthThresholds.Default, null, Changes(300), round);

        content.Round.ShouldNotBeNull().Completeness.Select(c => c.Country).ShouldBe(["TH"]);
        await ShouldWriteTheSerializersBytes(content);
    }

    [Fact]
    public async Task An_sdg_alignment_report_written_in_parts_is_the_serializers_canonical_json()
    {
        var sdg = new SdgCatalog();
        var content = SdgAlignmentReport.Build(Given.TestPlan, Commitments(2000), [], new ReportBasis(9, new string('d', 64), Given.Today, 2),
            HealthThresholds.Default, sdg.Goals.ToDictionary(g => g.Goal, g => g.Title), sdg.Targets.ToDictionary(t => t.Target, t => t.Title));
        await ShouldWriteTheSerializersBytes(content);
    }
}
