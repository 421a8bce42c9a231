using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Strategy.Infrastructure.Store;

namespace Strategy.Tests.Api;

/// <summary>
/// The backlog the operations metrics report: values awaiting review, and those of rounds whose deadline has passed,
/// each round taken with its own plan (two plans may both have a round 2025-Q3, with different deadlines).
/// </summary>
public sealed class WorkBacklogTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Values_awaiting_review_count_as_past_their_deadline_by_their_own_plans_round()
    {
        var early = await PlanWithRound("2025-10-15");
        var late = await PlanWithRound("2026-01-15");
        await SubmitValue(early);
        await SubmitValue(late);
        var backlog = api.Services.GetRequiredService<WorkBacklog>();

        var before = await backlog.ReadAsync(new DateOnly(2025, 10, 1), CancellationToken.None);
        var between = await backlog.ReadAsync(new DateOnly(2025, 11, 1), CancellationToken.None);
        var after = await backlog.ReadAsync(new DateOnly(2026, 2, 1), CancellationToken.None);

        before.PendingReviews.ShouldBe(2);
        before.PendingReviewsPastDeadline.ShouldBe(0);
        // Only the plan whose round's deadline has passed, though the other plan's round has the same code.
        between.PendingReviewsPastDeadline.ShouldBe(1);
        after.PendingReviewsPastDeadline.ShouldBe(2);
    }

    private async Task<string> PlanWithRound(string deadline)
    {
        var plan = "WB-" + Guid.NewGuid().ToString("N")[..8];
        var created = await api.Secretariat().PostJson("/api/plans", TestPlan.Document(plan));
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var opened = await api.Secretariat().PostJson($"/api/plans/{plan}/rounds",
            new { code = "2025-Q3", periodStart = "2025-07-01", periodEnd = "2025-09-30", deadline });
        opened.StatusCode.ShouldBe(HttpStatusCode.Created, await opened.Content.ReadAsStringAsync());
        return plan;
    }

    private async Task SubmitValue(string plan)
    {
        var made = await api.FocalPoint("KH").PostJson($"/api/plans/{plan}/commitments", TestPlan.Commitment());
        made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
        var commitment = (await made.Json()).GetProperty("id").GetGuid();
        var submitted = await api.FocalPoint("KH").PostJson($"/api/commitments/{commitment}/progress", new { value = 1, asOf = "2025-08-31" });
        submitted.StatusCode.ShouldBe(HttpStatusCode.OK, await submitted.Content.ReadAsStringAsync());
    }
}
