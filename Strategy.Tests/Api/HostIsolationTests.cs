using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace Strategy.Tests.Api;

/// <summary>
/// Several test hosts live in one process, and Hangfire keeps some state process-wide. A host that has come and gone
/// must not break report jobs in the others.
/// </summary>
public sealed class HostIsolationTests
{
    [Fact]
    public async Task Reports_still_run_in_a_host_after_another_host_was_disposed()
    {
        var first = new ManualJobsFactory();
        try
        {
            await first.InitializeAsync();
            var plan = await ReportFixture.Seed(first);
            var second = new ManualJobsFactory();
            try
            {
                await second.InitializeAsync();
                (await second.Secretariat().GetAsync("/api/plans")).StatusCode.ShouldBe(HttpStatusCode.OK);
            }
            finally { await second.DisposeAsync(); }

            // Hangfire objects made after the second host has gone (the job client, the retry filter) still work.
            var id = await ReportFixture.Request(first.Secretariat(), new { kind = "progress", plan = plan.Plan });
            await using var scope = first.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<Strategy.Api.Features.Reports.ReportJob>().Run(id, CancellationToken.None);
            (await ReportFixture.Succeeded(first.Secretariat(), id)).S("status").ShouldBe("succeeded");
        }
        finally { await first.DisposeAsync(); }
    }
}
