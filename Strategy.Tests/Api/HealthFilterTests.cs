using System.Net;
using System.Text.Json;

namespace Strategy.Tests.Api;

/// <summary>
/// The health filter is SQL (HealthSql) and the health a commitment shows is C# (ProgressMath): at instants on either
/// side of each member's midnight, every health the filter gives must be exactly the health each commitment shows, so
/// the two rules, time zones included, cannot drift apart.
/// </summary>
public sealed class HealthFilterTests(FixedClockFactory api) : IClassFixture<FixedClockFactory>
{
    [Fact]
    public async Task The_health_filter_agrees_with_each_commitments_health_around_every_members_midnight()
    {
        var plan = "HLT-" + Guid.NewGuid().ToString("N")[..8];
        var secretariat = api.Secretariat();
        object[] countries =
        [
            new { code = "KH", iso3 = "KHM", name = "Cambodia" }, new { code = "MM", iso3 = "MMR", name = "Myanmar" },
            new { code = "CN", iso3 = "CHN", name = "China" }, new { code = "FR", iso3 = "FRA", name = "France" },
        ];
        var commitments = new List<object>();
        foreach (var c in new[] { "KH", "MM", "CN", "FR" })
        {
            // Due on the boundary day: overdue only once the country's own 2 July has begun.
            commitments.Add(new { code = $"{c}-DUE", country = c, outcome = "G1.O1", title = "Due 1 July", leadAgency = "Ministry", due = "2026-07-01", indicator = "G1.O1.I1", target = 4 });
            // Started 2026-01-01, due 2026-12-31: on 1 July expected progress is 181/364; values put them on either side of the bands.
            foreach (var (suffix, target) in new[] { ("A", 10.0), ("B", 100.0), ("C", 1000.0) })
                commitments.Add(new { code = $"{c}-{suffix}", country = c, outcome = "G1.O1", title = "Running", leadAgency = "Ministry", due = "2026-12-31", start = "2026-01-01", indicator = "G1.O1.I1", target });
        }
        var created = await secretariat.PostJson("/api/plans", TestPlan.Document(plan, [.. commitments], countries));
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var ids = (await (await secretariat.GetAsync($"/api/plans/{plan}/commitments?pageSize=200")).Json()).EnumerateArray()
            .ToDictionary(c => c.GetProperty("code").GetString()!, c => c.GetProperty("id").GetGuid());
        foreach (var (code, id) in ids.Where(i => !i.Key.EndsWith("-DUE")))
            (await secretariat.PostJson($"/api/commitments/{id}/progress", new { value = 4.9, asOf = "2026-06-30" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        var instants = new[]
        {
            new DateTimeOffset(2026, 7, 1, 15, 59, 0, TimeSpan.Zero), new DateTimeOffset(2026, 7, 1, 16, 0, 0, TimeSpan.Zero),   // CN
            new DateTimeOffset(2026, 7, 1, 16, 59, 0, TimeSpan.Zero), new DateTimeOffset(2026, 7, 1, 17, 0, 0, TimeSpan.Zero),   // KH
            new DateTimeOffset(2026, 7, 1, 17, 29, 0, TimeSpan.Zero), new DateTimeOffset(2026, 7, 1, 17, 30, 0, TimeSpan.Zero),  // MM
            new DateTimeOffset(2026, 7, 1, 23, 59, 0, TimeSpan.Zero), new DateTimeOffset(2026, 7, 2, 0, 0, 0, TimeSpan.Zero),    // FR (UTC)
        };
        var overdueCounts = new List<int>();
        foreach (var instant in instants)
        {
            api.Clock.Now = instant;
            var shown = (await (await api.Reviewer().GetAsync($"/api/plans/{plan}/commitments?pageSize=200")).Json()).EnumerateArray()
                .ToDictionary(c => c.GetProperty("code").GetString()!, c => c.GetProperty("health").GetString()!);
            foreach (var health in new[] { "on-track", "at-risk", "off-track", "overdue", "done", "unknown" })
            {
                var filtered = (await (await api.Reviewer().GetAsync($"/api/plans/{plan}/commitments?pageSize=200&health={health}")).Json())
                    .EnumerateArray().Select(c => c.GetProperty("code").GetString()!).Order().ToList();
                filtered.ShouldBe(shown.Where(s => s.Value == health).Select(s => s.Key).Order().ToList(), $"{health} at {instant:O}");
            }
            overdueCounts.Add(shown.Count(s => s.Value == "overdue"));
        }
        // Each member's due commitment turns overdue at its own midnight, one after another.
        overdueCounts.ShouldBe([0, 1, 1, 2, 2, 3, 3, 4]);
    }
}
