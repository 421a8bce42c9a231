using System.Net;
using System.Net.Http.Headers;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace Strategy.Tests.Api;

/// <summary>The Hangfire dashboard: the secretariat looks, only an admin acts (triggers, deletes, requeues jobs).</summary>
public sealed class DashboardTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private async Task<HttpResponseMessage> Trigger(string role)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", api.Token(role));
        // A recurring job of the host's own (Jobs:Recurring is off in tests): trigger it as the dashboard's button does.
        api.Services.GetRequiredService<Hangfire.IRecurringJobManager>()
            .AddOrUpdate<Strategy.Api.Features.Reports.ScheduledJobs>("dashboard-test", j => j.Sweep(CancellationToken.None), "0 0 1 1 *");
        return await client.PostAsync("/hangfire/recurring/trigger", new FormUrlEncodedContent([new("jobs[]", "dashboard-test")]));
    }

    [Fact]
    public async Task The_secretariat_may_look_at_the_dashboard_but_not_trigger_a_job()
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", api.Token("secretariat"));
        (await client.GetAsync("/hangfire/recurring")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var response = await Trigger("secretariat");

        ((int)response.StatusCode).ShouldBeOneOf(401, 403);
    }

    [Fact]
    public async Task An_admin_may_trigger_a_job_from_the_dashboard()
    {
        var response = await Trigger("admin");

        ((int)response.StatusCode).ShouldBe(204, await response.Content.ReadAsStringAsync());
    }
}
