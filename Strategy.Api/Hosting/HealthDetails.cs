using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Strategy.Infrastructure.Notifications;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Hosting;

/// <summary>
/// /health/ready's detail on mail: how many mails wait for the SMTP server and how many of those failed their last
/// attempt. Always healthy: a mail server that is away must not take the service out of its load balancer (mail waits
/// and is retried); the counts are for the operator who looks.
/// </summary>
public sealed class MailHealthCheck(DatabaseProbe probe, StoreSettings settings) : IHealthCheck
{
    private readonly string sql = $"select {OutboxMail.WaitingSql(settings.Schema)}, {OutboxMail.FailedSql(settings.Schema)}";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            var counts = await probe.CountsAsync(sql, timeout.Token);
            return HealthCheckResult.Healthy("Mail that the SMTP server has not taken yet.",
                new Dictionary<string, object> { ["waiting"] = counts[0], ["failed"] = counts[1] });
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            // The database check says the database is away; this one has no counts to give.
            return HealthCheckResult.Healthy("The outbox could not be counted.");
        }
    }
}

/// <summary>The readiness answer as JSON: the overall status (what probes read, with the status code) and each check's.</summary>
public static class HealthDetails
{
    public static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(http.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
        }, JsonSerializerOptions.Web, http.RequestAborted);
    }
}
