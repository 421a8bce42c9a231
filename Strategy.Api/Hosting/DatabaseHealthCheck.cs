using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Hosting;

/// <summary>/health/ready's check: the database answers, asked over the probe's own small pool (<see cref="DatabaseProbe"/>).</summary>
public sealed class DatabaseHealthCheck(DatabaseProbe probe) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await probe.AnswerAsync(timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("The database does not answer.");
        }
    }
}
