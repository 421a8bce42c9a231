using Strategy.Domain.Commitments;

namespace Strategy.Domain.Rounds;

/// <summary>A value sent to a round, as completeness counts it.</summary>
public sealed record RoundValue(Guid CommitmentId, ValueState State, bool Late, bool Superseded);

public sealed record RoundCommitment(Guid Id, string Country);

/// <summary>Per country: how many commitments have no value in the round, and where the others stand.</summary>
public sealed record CountryCompleteness(string Country, int Commitments, int Missing, int Submitted, int Returned, int Accepted, int Late);

public static class RoundCompleteness
{
    /// <summary>
    /// Each commitment counts once, by its furthest value in the round: accepted, else submitted (awaiting review),
    /// else returned (awaiting correction); retracted and voided values, and returned ones already corrected, do not
    /// count, so a commitment with only those is missing. Late counts commitments whose counting value came after the
    /// deadline.
    /// </summary>
    public static IReadOnlyList<CountryCompleteness> Compute(IEnumerable<string> countries, IEnumerable<RoundCommitment> commitments, IEnumerable<RoundValue> values)
    {
        var best = Counting(values);
        var byCountry = commitments.ToLookup(c => c.Country);
        return [.. countries.Select(country =>
        {
            var counted = byCountry[country].Select(c => best.GetValueOrDefault(c.Id)).ToList();
            return new CountryCompleteness(country, counted.Count,
                counted.Count(v => v is null),
                counted.Count(v => v?.State == ValueState.Submitted),
                counted.Count(v => v?.State == ValueState.Returned),
                counted.Count(v => v?.State == ValueState.Accepted),
                counted.Count(v => v is { Late: true }));
        })];
    }

    /// <summary>Each commitment's counting value in the round (see <see cref="Compute"/>); a commitment without one is missing.</summary>
    public static IReadOnlyDictionary<Guid, RoundValue> Counting(IEnumerable<RoundValue> values)
    {
        var best = new Dictionary<Guid, RoundValue>();
        foreach (var v in values)
        {
            if (Rank(v) == 0) continue;
            if (!best.TryGetValue(v.CommitmentId, out var current) || Rank(v) > Rank(current) || (Rank(v) == Rank(current) && !v.Late && current.Late))
                best[v.CommitmentId] = v;
        }
        return best;
    }

    private static int Rank(RoundValue v) => v.State switch
    {
        ValueState.Accepted => 3,
        ValueState.Submitted => 2,
        ValueState.Returned when !v.Superseded => 1,
        _ => 0,
    };
}
