using Strategy.Domain;
using Strategy.Domain.Commitments;

namespace Strategy.Tests.Domain;

/// <summary>Who may add evidence to a commitment, and the name its file is recorded under.</summary>
public class EvidenceDecisionSpecs
{
    private static readonly Guid EvidenceId = Guid.Parse("0197a000-0000-7000-8000-0000000000e1");
    private const string Sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private static Decision Upload(Actor actor, string country = "KH", bool withdrawn = false, string name = "minutes.pdf", long size = 1234) =>
        EvidenceDecisions.Upload(country, withdrawn, Given.CommitmentId, EvidenceId, name, size, EvidenceTypes.Pdf, Sha256, actor);

    [Fact]
    public void The_focal_point_of_the_commitments_country_adds_evidence_recorded_with_its_hash() =>
        Upload(Given.FocalPointKH).ShouldAcceptSingle<EvidenceUploaded>()
            .ShouldBe(new EvidenceUploaded(Given.CommitmentId, EvidenceId, "minutes.pdf", 1234, EvidenceTypes.Pdf, Sha256));

    [Fact]
    public void The_secretariat_and_admins_add_evidence_for_any_country()
    {
        Upload(Given.Secretariat, country: "TH").ShouldAcceptSingle<EvidenceUploaded>();
        Upload(Given.Admin, country: "KH").ShouldAcceptSingle<EvidenceUploaded>();
    }

    [Fact]
    public void A_reviewer_cannot_add_evidence_even_with_a_country_claim()
    {
        Upload(Given.Reviewer).ShouldBeRejected(RejectionKind.Forbidden);
        Upload(Given.ReviewerKH).ShouldBeRejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void Focal_point_cannot_add_evidence_to_another_countrys_commitment() =>
        Upload(Given.FocalPointTH).ShouldBeRejected(RejectionKind.Forbidden);

    [Fact]
    public void A_withdrawn_commitment_takes_no_evidence_even_from_the_secretariat() =>
        Upload(Given.Secretariat, withdrawn: true).ShouldBeRejected(RejectionKind.Conflict);

    [Fact]
    public void Who_may_act_is_decided_before_the_file_name() =>
        Upload(Given.FocalPointTH, name: "..").ShouldBeRejected(RejectionKind.Forbidden);

    [Theory]
    [InlineData(@"C:\Users\kh\scans\minutes.pdf", "minutes.pdf")]
    [InlineData("/home/kh/minutes.pdf", "minutes.pdf")]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData(@"..\..\boot.ini", "boot.ini")]
    [InlineData("minutes of 12 June (final).pdf", "minutes of 12 June (final).pdf")]
    [InlineData("របាយការណ៍ \"ចុងក្រោយ\".pdf", "របាយការណ៍ \"ចុងក្រោយ\".pdf")]
    [InlineData("photo 🌏.png", "photo 🌏.png")]
    public void Only_the_last_segment_of_a_path_is_kept_as_the_name(string sent, string recorded) =>
        Upload(Given.FocalPointKH, name: sent).ShouldAcceptSingle<EvidenceUploaded>().Name.ShouldBe(recorded);

    [Fact]
    public void A_name_of_255_characters_is_kept_whole() =>
        Upload(Given.FocalPointKH, name: new string('n', 251) + ".pdf").ShouldAcceptSingle<EvidenceUploaded>().Name.Length.ShouldBe(255);

    /// <summary>Not theory data: test names carrying NUL or a lone surrogate would not survive the result files.</summary>
    private static readonly string[] BadNames =
    [
        "", "   ", ".", "..", "scans/", @"scans\", "a\0b.pdf", "line\nbreak.pdf", "tab\t.pdf", "escape\u001b.pdf", "delete\u007f.pdf",
        "c1\u0085.pdf", "lone \ud800 surrogate.pdf", "reversed \udc00\ud800.pdf",
    ];

    [Fact]
    public void A_name_that_is_empty_a_dot_segment_or_has_control_characters_is_refused()
    {
        foreach (var name in BadNames)
        {
            var decision = Upload(Given.FocalPointKH, name: name);
            decision.IsAccepted.ShouldBeFalse(string.Join(" ", name.Select(c => $"U+{(int)c:X4}")));
            decision.ShouldBeRejected(RejectionKind.Validation, "file");
        }
    }

    [Fact]
    public void A_name_over_255_characters_is_refused() =>
        Upload(Given.FocalPointKH, name: new string('n', 252) + ".pdf").ShouldBeRejected(RejectionKind.Validation, "file");

    [Theory]
    [InlineData(0)]
    [InlineData(EvidenceDecisions.MaxBytes + 1)]
    public void A_file_that_is_empty_or_over_10_MiB_is_refused(long size) =>
        Upload(Given.FocalPointKH, size: size).ShouldBeRejected(RejectionKind.Validation, "file");

    [Fact]
    public void A_file_of_exactly_10_MiB_is_taken() =>
        Upload(Given.FocalPointKH, size: 10 * 1024 * 1024).ShouldAcceptSingle<EvidenceUploaded>().Size.ShouldBe(10 * 1024 * 1024);
}
