using System.Text.Json;
using Marten;
using Mediator;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Strategy.Api.Features.Plans;
using Strategy.Infrastructure.ReferenceData;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Hosting;

/// <summary>With <c>Seed:DemoPlan=true</c>, loads the LMEC demo plan once, as the system actor, through the normal import.</summary>
public sealed class DemoPlanSeeder(IServiceScopeFactory scopes, IOptions<JsonOptions> json, ILogger<DemoPlanSeeder> log) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var stream = Resources.Open(Resources.DemoPlan);
        var document = await JsonSerializer.DeserializeAsync<PlanDocument>(stream, json.Value.SerializerOptions, ct)
            ?? throw new InvalidOperationException("The demo plan resource is empty.");
        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IQuerySession>();
        if (await session.Events.FetchStreamStateAsync(StreamIds.ForPlan(document.Code!), ct) is not null)
        {
            log.LogInformation("Demo plan {Code} is already loaded", document.Code);
            return;
        }
        scope.ServiceProvider.GetRequiredService<Auth.CurrentActor>().ActAsSystem();
        var plan = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new ImportPlan(document), ct);
        log.LogInformation("Loaded demo plan {Code}: {Goals} goals, {Outcomes} outcomes, {Commitments} commitments",
            plan.Code, plan.Counts.Goals, plan.Counts.Outcomes, plan.Counts.Commitments);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
