using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace Strategy.Tests.Api;

/// <summary>
/// A commitment as of an instant is folded from its stream under a statement timeout (Limits:AsOfSeconds), so a fold
/// that cannot finish in time is stopped with a 503 problem document (Retry-After) instead of holding its connection.
/// The test holds the event table locked, which keeps any read of it waiting: without the timeout the read waits
/// for as long as the lock is held.
/// </summary>
public sealed class AsOfLimitTests(AsOfLimitTests.OneSecondFactory api) : IClassFixture<AsOfLimitTests.OneSecondFactory>
{
    public sealed class OneSecondFactory : ApiFactory
    {
        protected override string? DaemonMode => "Disabled";

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Limits:AsOfSeconds", "1");
            builder.UseSetting("Jobs:RunServer", "false");
        }
    }

    [Fact]
    public async Task An_as_of_read_that_outlasts_its_limit_gets_503_and_the_same_read_answers_once_it_can()
    {
        var plan = "AOL-" + Guid.NewGuid().ToString("N")[..8];
        var secretariat = api.Secretariat();
        (await secretariat.PostJson("/api/plans", TestPlan.Document(plan))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var made = await secretariat.PostJson($"/api/plans/{plan}/commitments", TestPlan.Commitment());
        made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
        var id = (await made.Json()).GetProperty("id").GetGuid();
        var url = $"/api/commitments/{id}?asOf={AuditSupport.Iso(DateTimeOffset.UtcNow)}";
        var reviewer = api.Reviewer();
        reviewer.Timeout = TimeSpan.FromSeconds(30);
        (await reviewer.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.OK);

        await AuditSupport.ShouldBeStoppedAtOneSecondWhileEventsAreLocked(api, async () =>
        {
            var stopped = await reviewer.GetAsync(url);
            // The current state does not read the event table: it answers while the fold waits.
            (await reviewer.GetAsync($"/api/commitments/{id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
            return stopped;
        });

        (await reviewer.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
