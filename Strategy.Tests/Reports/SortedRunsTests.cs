using Strategy.Infrastructure.Reports;

namespace Strategy.Tests.Reports;

/// <summary>The merge that puts a report's parsed batches, each sorted as it is parsed, into one order.</summary>
public sealed class SortedRunsTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 7)]
    [InlineData(3, 0)]
    [InlineData(5, 40)]
    [InlineData(40, 500)]
    public void Runs_merged_are_the_sort_of_all_their_elements(int runs, int longest)
    {
        var random = new Random(runs * 1000 + longest);
        var sorted = Enumerable.Range(0, runs)
            .Select(_ => Enumerable.Range(0, random.Next(longest + 1)).Select(_ => $"C{random.Next(100_000):D6}").Order(StringComparer.Ordinal).ToArray())
            .ToList();

        var merged = SortedRuns.Merge(sorted, string.CompareOrdinal);

        merged.ShouldBe(sorted.SelectMany(r => r).Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public void Equal_elements_keep_the_order_of_their_runs()
    {
        (string Code, int Run)[][] runs = [[("A", 0), ("B", 0)], [("A", 1), ("C", 1)], [("B", 2)]];

        SortedRuns.Merge(runs, (a, b) => string.CompareOrdinal(a.Code, b.Code))
            .ShouldBe([("A", 0), ("A", 1), ("B", 0), ("B", 2), ("C", 1)]);
    }
}
