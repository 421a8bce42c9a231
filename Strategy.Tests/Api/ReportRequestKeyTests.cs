using System.Net;

namespace Strategy.Tests.Api;

/// <summary>A report requested with an Idempotency-Key is queued only once its request has committed, and once.</summary>
public sealed class ReportRequestKeyTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_report_requested_with_an_Idempotency_Key_runs_and_a_retry_returns_the_same_report()
    {
        var plan = "KEY-" + Guid.NewGuid().ToString("N")[..8];
        (await api.Secretariat().PostJson("/api/plans", TestPlan.Document(plan))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var key = Guid.NewGuid().ToString("N");
        var body = new { kind = "progress", plan };

        var first = await api.Secretariat().PostJson("/api/reports", body, idempotencyKey: key);
        first.StatusCode.ShouldBe(HttpStatusCode.Accepted, await first.Content.ReadAsStringAsync());
        var id = (await first.Json()).GetProperty("id").GetGuid();

        var retry = await api.Secretariat().PostJson("/api/reports", body, idempotencyKey: key);
        retry.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await retry.Json()).GetProperty("id").GetGuid().ShouldBe(id);

        // The job was queued after the request's transaction committed, so it found the report and ran it.
        var done = await (await api.Reviewer().GetAsync($"/api/reports/{id}?wait=30")).Json();
        done.GetProperty("status").GetString().ShouldBe("succeeded");
        var reports = await (await api.Reviewer().GetAsync($"/api/reports?plan={plan}")).Json();
        reports.GetArrayLength().ShouldBe(1);
    }
}
