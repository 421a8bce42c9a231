using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Strategy.Infrastructure.Store;

namespace Strategy.Tests.Api;

/// <summary>The readiness probe gives up on a database that accepts connections and never answers within its own bound.</summary>
public sealed class HealthProbeTimeoutTests
{
    [Fact]
    public async Task A_silent_database_fails_the_probe_within_its_connect_bound_not_the_main_connection_strings()
    {
        // Accepts TCP connections and never says a word: the PostgreSQL startup exchange never completes.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var settings = new StoreSettings($"Host=127.0.0.1;Port={port};Database=strategy;Username=postgres;Timeout=30");
        await using var probe = new DatabaseProbe(settings);

        var watch = Stopwatch.StartNew();
        await Should.ThrowAsync<Exception>(() => probe.AnswerAsync(CancellationToken.None));
        // The bound is DatabaseProbe.ConnectSeconds (3 s); the main string's 30 s would be far past this, even on a loaded machine.
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(15));
        watch.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(DatabaseProbe.ConnectSeconds - 0.5));
    }
}
