using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Strategy.Infrastructure.Store;

namespace Strategy.Tests.Api;

/// <summary>
/// /health/ready asks the database over a pool of its own: with every connection of the main pool taken (by slow
/// reads, say), readiness still says the truth, at once, and names its connection in pg_stat_activity.
/// </summary>
public sealed class HealthPoolTests(HealthPoolTests.SmallPoolFactory api) : IClassFixture<HealthPoolTests.SmallPoolFactory>
{
    /// <summary>A host whose main pool holds 3 connections (production sets its own Maximum Pool Size the same way).</summary>
    public sealed class SmallPoolFactory() : ApiFactory("t_" + Guid.NewGuid().ToString("N")[..12], OwnerConnectionString + ";Maximum Pool Size=3", ownsSchema: true)
    {
        protected override string? DaemonMode => "Disabled";

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Jobs:RunServer", "false");
        }
    }

    [Fact]
    public async Task Readiness_answers_200_at_once_while_every_connection_of_the_main_pool_is_taken()
    {
        var client = api.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(30);
        (await client.GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The connections the service opens from ConnectionStrings:Strategy come from one pool per process and string:
        // the test takes all three of them, as slow reads in the service would.
        var main = api.Services.GetRequiredService<StoreSettings>().ConnectionString;
        var held = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var connection = new NpgsqlConnection(main);
                await connection.OpenAsync();
                held.Add(connection);
            }
            await using (var oneMore = new NpgsqlConnection(main))
                (await Should.ThrowAsync<NpgsqlException>(() => oneMore.OpenAsync())).Message.ShouldContain("pool", Case.Insensitive);

            var timer = Stopwatch.StartNew();
            var ready = await client.GetAsync("/health/ready");
            ready.StatusCode.ShouldBe(HttpStatusCode.OK, await ready.Content.ReadAsStringAsync());
            timer.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));

            await using var owner = new NpgsqlConnection(ApiFactory.OwnerConnectionString);
            await owner.OpenAsync();
            await using var named = new NpgsqlCommand("select count(*) from pg_stat_activity where application_name = @name", owner);
            named.Parameters.AddWithValue("name", DatabaseProbe.ApplicationName);
            ((long)(await named.ExecuteScalarAsync())!).ShouldBeGreaterThanOrEqualTo(1);
        }
        finally
        {
            foreach (var connection in held) await connection.DisposeAsync();
        }
    }
}
