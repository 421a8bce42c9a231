using Strategy.Domain.Commitments;
using Strategy.Domain.Rounds;

namespace Strategy.Tests.Domain;

/// <summary>
/// A round's completeness per country: each commitment counts once, by its furthest value in the round (accepted, else
/// submitted, else returned and not yet corrected); with none of those it is missing.
/// </summary>
public class RoundCompletenessSpecs
{
    private static readonly RoundCommitment KH1 = new(Guid.Parse("0197d000-0000-7000-8000-000000000001"), "KH");
    private static readonly RoundCommitment KH2 = new(Guid.Parse("0197d000-0000-7000-8000-000000000002"), "KH");
    private static readonly RoundCommitment KH3 = new(Guid.Parse("0197d000-0000-7000-8000-000000000003"), "KH");
    private static readonly RoundCommitment KH4 = new(Guid.Parse("0197d000-0000-7000-8000-000000000004"), "KH");
    private static readonly RoundCommitment TH1 = new(Guid.Parse("0197d000-0000-7000-8000-000000000011"), "TH");

    private static RoundValue Value(RoundCommitment c, ValueState state, bool late = false, bool superseded = false) =>
        new(c.Id, state, late, superseded);

    private static CountryCompleteness Only(IEnumerable<RoundCommitment> commitments, params RoundValue[] values) =>
        RoundCompleteness.Compute(["KH"], commitments, values).ShouldHaveSingleItem();

    [Fact]
    public void Each_country_counts_its_commitments_by_where_their_values_stand()
    {
        var result = RoundCompleteness.Compute(["KH", "TH"], [KH1, KH2, KH3, KH4, TH1],
        [
            Value(KH1, ValueState.Accepted),
            Value(KH2, ValueState.Submitted),
            Value(KH3, ValueState.Returned),
            Value(TH1, ValueState.Submitted, late: true),
        ]);

        result.ShouldBe(
        [
            new CountryCompleteness("KH", Commitments: 4, Missing: 1, Submitted: 1, Returned: 1, Accepted: 1, Late: 0),
            new CountryCompleteness("TH", Commitments: 1, Missing: 0, Submitted: 1, Returned: 0, Accepted: 0, Late: 1),
        ]);
    }

    [Fact]
    public void A_commitment_counts_once_by_its_furthest_value_whatever_their_order()
    {
        var kh1 = new[] { Value(KH1, ValueState.Returned), Value(KH1, ValueState.Accepted), Value(KH1, ValueState.Submitted) };
        var kh2 = new[] { Value(KH2, ValueState.Submitted), Value(KH2, ValueState.Returned) };
        var kh3 = new[] { Value(KH3, ValueState.Returned), Value(KH3, ValueState.Returned) };

        var forwards = Only([KH1, KH2, KH3], [.. kh1, .. kh2, .. kh3]);
        var backwards = Only([KH1, KH2, KH3], [.. Enumerable.Reverse(kh3), .. Enumerable.Reverse(kh2), .. Enumerable.Reverse(kh1)]);

        var expected = new CountryCompleteness("KH", Commitments: 3, Missing: 0, Submitted: 1, Returned: 1, Accepted: 1, Late: 0);
        forwards.ShouldBe(expected);
        backwards.ShouldBe(expected);
    }

    [Fact]
    public void Retracted_and_voided_values_do_not_count_so_their_commitment_is_missing()
    {
        Only([KH1, KH2], Value(KH1, ValueState.Retracted), Value(KH2, ValueState.Voided), Value(KH2, ValueState.Retracted, late: true))
            .ShouldBe(new CountryCompleteness("KH", Commitments: 2, Missing: 2, Submitted: 0, Returned: 0, Accepted: 0, Late: 0));
    }

    [Fact]
    public void A_voided_value_beside_a_submitted_one_leaves_the_commitment_submitted()
    {
        Only([KH1], Value(KH1, ValueState.Voided), Value(KH1, ValueState.Submitted))
            .ShouldBe(new CountryCompleteness("KH", Commitments: 1, Missing: 0, Submitted: 1, Returned: 0, Accepted: 0, Late: 0));
    }

    [Fact]
    public void A_corrected_returned_value_does_not_count_its_correction_does()
    {
        Only([KH1, KH2],
                Value(KH1, ValueState.Returned, superseded: true), Value(KH1, ValueState.Submitted),
                Value(KH2, ValueState.Returned, superseded: true), Value(KH2, ValueState.Retracted))
            .ShouldBe(new CountryCompleteness("KH", Commitments: 2, Missing: 1, Submitted: 1, Returned: 0, Accepted: 0, Late: 0));
    }

    [Fact]
    public void Late_counts_commitments_whose_counting_value_came_late()
    {
        Only([KH1, KH2, KH3, KH4],
                Value(KH1, ValueState.Accepted, late: true),
                Value(KH2, ValueState.Submitted),
                Value(KH3, ValueState.Returned, late: true, superseded: true), Value(KH3, ValueState.Accepted),
                Value(KH4, ValueState.Returned), Value(KH4, ValueState.Submitted, late: true))
            .ShouldBe(new CountryCompleteness("KH", Commitments: 4, Missing: 0, Submitted: 2, Returned: 0, Accepted: 2, Late: 2));
    }

    [Fact]
    public void A_commitment_with_an_on_time_value_of_its_furthest_state_is_not_late()
    {
        Only([KH1], Value(KH1, ValueState.Accepted, late: true), Value(KH1, ValueState.Accepted))
            .ShouldBe(new CountryCompleteness("KH", Commitments: 1, Missing: 0, Submitted: 0, Returned: 0, Accepted: 1, Late: 0));
    }

    [Fact]
    public void A_country_without_commitments_has_zeros()
    {
        RoundCompleteness.Compute(["LA"], [KH1], [Value(KH1, ValueState.Accepted)])
            .ShouldBe([new CountryCompleteness("LA", 0, 0, 0, 0, 0, 0)]);
    }

    [Fact]
    public void Countries_appear_in_the_order_given()
    {
        RoundCompleteness.Compute(["TH", "LA", "KH"], [KH1, TH1], []).Select(c => c.Country).ShouldBe(["TH", "LA", "KH"]);
    }

    [Fact]
    public void A_round_without_values_has_every_commitment_missing()
    {
        RoundCompleteness.Compute(["KH", "TH"], [KH1, KH2, TH1], []).ShouldBe(
        [
            new CountryCompleteness("KH", Commitments: 2, Missing: 2, Submitted: 0, Returned: 0, Accepted: 0, Late: 0),
            new CountryCompleteness("TH", Commitments: 1, Missing: 1, Submitted: 0, Returned: 0, Accepted: 0, Late: 0),
        ]);
    }
}
