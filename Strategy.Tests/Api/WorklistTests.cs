using System.Net;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Strategy.Api.Auth;
using Strategy.Api.Features.Commitments;

namespace Strategy.Tests.Api;

/// <summary>The focal point's worklist (its home screen): what needs the country, the most urgent first, only the first few read whole.</summary>
public sealed class WorklistTests(FixedClockFactory api) : IClassFixture<FixedClockFactory>
{
    private async Task<Worklist> Worklist(string plan, string country, int shown, int listed = 0)
    {
        using var scope = api.Services.CreateScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().ActAsSystem();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new GetCountryWorklist(plan, country, shown, listed));
    }

    [Fact]
    public async Task Needs_come_by_reason_then_code_and_only_the_first_are_shown_with_the_count_of_all()
    {
        var plan = "WL-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var sec = api.Secretariat();
        var kh = api.FocalPoint("KH");
        (await sec.PostJson("/api/plans", TestPlan.Document(plan))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            var made = await sec.PostJson($"/api/plans/{plan}/commitments", TestPlan.Commitment("KH", code: $"KH-{i}"));
            made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
            ids.Add((await made.Json()).GetProperty("id").GetGuid());
        }
        (await sec.PostJson($"/api/plans/{plan}/commitments", TestPlan.Commitment("TH"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await sec.PostJson($"/api/plans/{plan}/rounds", new { code = "2025-Q3", periodStart = "2025-07-01", periodEnd = "2025-09-30", deadline = "2025-10-15" }))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        // KH-0 done (submitted), KH-4's value returned, KH-3 completed (it reports nothing more); KH-1 and KH-2 have nothing.
        (await kh.PostJson($"/api/commitments/{ids[0]}/progress", new { value = 1, asOf = "2025-09-30" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await kh.PostJson($"/api/commitments/{ids[4]}/progress", new { value = 1, asOf = "2025-09-30" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var value = (await (await sec.GetAsync($"/api/commitments/{ids[4]}/values")).Json()).EnumerateArray().Single().GetProperty("id").GetGuid();
        (await sec.PostJson($"/api/commitments/{ids[4]}/values/{value}/return", new { comment = "Check the date" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await sec.PostJson($"/api/commitments/{ids[3]}/status", new { status = "completed" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        var all = await Worklist(plan, "KH", 25);
        all.Commitments.ShouldBe(5);
        all.NeedCount.ShouldBe(3);
        // A missing value first (the round's deadline is what the home is for), then a returned one.
        all.Needs.Select(n => n.Commitment.Code).ShouldBe(["KH-1", "KH-2", "KH-4"]);
        all.Needs[0].Reasons.ShouldBe([WorkReason.NoValueThisRound]);
        all.Needs[2].Reasons.ShouldBe([WorkReason.Returned]);
        all.Round.ShouldNotBeNull().Code.ShouldBe("2025-Q3");

        var first = await Worklist(plan, "KH", 2, listed: 3);
        first.NeedCount.ShouldBe(3);
        first.Needs.Select(n => n.Commitment.Code).ShouldBe(["KH-1", "KH-2"]);
        // The country's first commitments by code, needing something or not, as its list's first page has them.
        first.First.Select(c => c.Code).ShouldBe(["KH-0", "KH-1", "KH-2"]);
        first.Commitments.ShouldBe(5);
    }

    [Fact]
    public async Task Overdue_and_off_track_commitments_need_their_country_with_the_health_the_commitment_read_gives()
    {
        // The clock stands at 2026-07-01.
        var plan = "WL-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var sec = api.Secretariat();
        (await sec.PostJson("/api/plans", TestPlan.Document(plan))).StatusCode.ShouldBe(HttpStatusCode.Created);
        async Task<Guid> Make(object body)
        {
            var made = await sec.PostJson($"/api/plans/{plan}/commitments", body);
            made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
            return (await made.Json()).GetProperty("id").GetGuid();
        }
        var overdue = await Make(new { code = "KH-OVERDUE", country = "KH", outcome = "G1.O1", title = "Late", leadAgency = "MoE", start = "2025-01-01", due = "2026-06-30", indicator = "G1.O1.I1", target = 4 });
        var behind = await Make(new { code = "KH-BEHIND", country = "KH", outcome = "G1.O1", title = "Behind", leadAgency = "MoE", start = "2025-01-01", due = "2026-12-31", indicator = "G1.O1.I1", target = 4 });
        var onTrack = await Make(new { code = "KH-ONTRACK", country = "KH", outcome = "G1.O1", title = "Ahead", leadAgency = "MoE", start = "2025-01-01", due = "2026-12-31", indicator = "G1.O1.I1", target = 4 });
        // The secretariat's values are accepted on entry: an eighth of the target three quarters of the way, and all of it.
        (await sec.PostJson($"/api/commitments/{behind}/progress", new { value = 0.5, asOf = "2026-06-30" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await sec.PostJson($"/api/commitments/{onTrack}/progress", new { value = 4, asOf = "2026-06-30" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        var work = await Worklist(plan, "KH", 25);
        work.Round.ShouldBeNull();
        work.Commitments.ShouldBe(3);
        work.Needs.Select(n => n.Commitment.Code).ShouldBe(["KH-OVERDUE", "KH-BEHIND"]);
        work.Needs[0].Reasons.ShouldBe([WorkReason.Overdue]);
        work.Needs[1].Reasons.ShouldBe([WorkReason.OffTrack]);
        // The same rule as the commitment's own read, which the worklist takes from the views' stored inputs.
        foreach (var (id, health) in new[] { (overdue, "overdue"), (behind, "off-track"), (onTrack, "on-track") })
            (await (await sec.GetAsync($"/api/commitments/{id}")).Json()).GetProperty("health").GetString().ShouldBe(health);
    }
}
