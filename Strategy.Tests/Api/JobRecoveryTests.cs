using System.Net;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Strategy.Domain.Reports;
using static Strategy.Tests.Api.AuditSupport;

namespace Strategy.Tests.Api;

/// <summary>
/// A report job whose node died while running it (fetched from Hangfire's queue, report started, never finished) is
/// fetched again by a live node once Jobs:InvisibilityTimeoutSeconds has passed, and the report then succeeds once.
/// bench/crash-job.sh checks the same with a real SIGKILL.
/// </summary>
public sealed class JobRecoveryTests
{
    /// <summary>Creates and drops the schema; runs no Hangfire workers, so a requested report's job stays queued.</summary>
    private sealed class NoWorkers : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Jobs:RunServer", "false");
        }
    }

    /// <summary>A second node on the same schema with workers and a short invisibility timeout.</summary>
    private sealed class Worker(string schema, string connectionString, int invisibilitySeconds) : ApiFactory(schema, connectionString, ownsSchema: false)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Jobs:InvisibilityTimeoutSeconds", invisibilitySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static async Task<long> Scalar(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ApiFactory.OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private static Task<long> EventsOfType(ApiFactory api, Guid stream, string type) =>
        Scalar($"select count(*) from {api.Schema}.mt_events where stream_id = @id and type = @type", ("id", stream), ("type", type));

    [Fact]
    public void An_invisibility_timeout_under_five_seconds_is_refused()
    {
        var host = new BadTimeout();
        var refused = Should.Throw<Exception>(() => host.Server);
        refused.ToString().ShouldContain("Jobs:InvisibilityTimeoutSeconds");
        host.Dispose();
    }

    private sealed class BadTimeout : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Jobs:InvisibilityTimeoutSeconds", "2");
        }
    }
}
