using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Strategy.Infrastructure.Store;

namespace Strategy.Tests.Api;

/// <summary>
/// A database that does not answer at all (its host down, a network partition: connections are accepted, or not,
/// but nothing comes back) gets answers within 5 s: 503 problem documents with Retry-After, and /health/ready 503.
/// Without a short connect timeout every request would wait Npgsql's default 15 s.
/// </summary>
public sealed class UnreachableDatabaseTests(UnreachableDatabaseTests.SilentDatabaseFactory api) : IClassFixture<UnreachableDatabaseTests.SilentDatabaseFactory>
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Reads_and_writes_answer_503_with_retry_after_within_5_seconds()
    {
        var reviewer = api.Reviewer();
        var secretariat = api.Secretariat();
        var timer = Stopwatch.StartNew();
        var answers = await Task.WhenAll(
            reviewer.GetAsync("/api/plans/LMEC-2023-2027"),
            reviewer.GetAsync($"/api/commitments/{Guid.NewGuid()}"),
            secretariat.PostJson($"/api/commitments/{Guid.NewGuid()}/progress", new { value = 1, asOf = "2025-06-30" }, idempotencyKey: "silent-1"),
            secretariat.PostJson($"/api/commitments/{Guid.NewGuid()}/status", new { status = "in-progress" }));
        timer.Elapsed.ShouldBeLessThan(Budget);
        foreach (var answer in answers)
        {
            await answer.ShouldBeProblem(503);
            answer.Headers.RetryAfter.ShouldNotBeNull();
        }
    }

    [Fact]
    public async Task Health_ready_answers_503_within_5_seconds_and_live_stays_200()
    {
        var client = api.CreateClient();
        var timer = Stopwatch.StartNew();
        (await client.GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        timer.Elapsed.ShouldBeLessThan(Budget);
        (await client.GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("Host=db;Database=strategy;Username=app", "Host=db;Database=strategy;Username=app;Timeout=3;Max Auto Prepare=100")]
    [InlineData("Host=db;Database=strategy;Timeout=20", "Host=db;Database=strategy;Timeout=20;Max Auto Prepare=100")]
    [InlineData("host=db;timeout=15;command timeout=60", "Host=db;Timeout=15;Command Timeout=60;Max Auto Prepare=100")]
    [InlineData("Host=db;Command Timeout=10", "Host=db;Command Timeout=10;Timeout=3;Max Auto Prepare=100")]
    [InlineData("Host=db;Max Auto Prepare=0", "Host=db;Max Auto Prepare=0;Timeout=3")]
    [InlineData("host=db;max auto prepare=20;timeout=5", "Host=db;Max Auto Prepare=20;Timeout=5")]
    public void The_connect_timeout_defaults_to_3_seconds_and_statements_are_auto_prepared_unless_the_connection_string_says_otherwise(string given, string used) =>
        ConnectionDefaults.Apply(given).ShouldBe(used);

    /// <summary>The API on a "database" that accepts TCP connections and never says a word.</summary>
    public sealed class SilentDatabaseFactory : ApiFactory, IAsyncLifetime
    {
        private readonly TcpListener listener;
        private readonly List<Socket> held = [];
        private readonly CancellationTokenSource stop = new();

        public SilentDatabaseFactory() : this(Listen()) { }

        private SilentDatabaseFactory(TcpListener listener)
            : base("t_silent", $"Host=127.0.0.1;Port={((IPEndPoint)listener.LocalEndpoint).Port};Database=strategy;Username=nobody", ownsSchema: false)
        {
            this.listener = listener;
            _ = AcceptForever();
        }

        private static TcpListener Listen()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            return l;
        }

        private async Task AcceptForever()
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var socket = await listener.AcceptSocketAsync(stop.Token);
                    lock (held) held.Add(socket);
                }
            }
            catch (OperationCanceledException) { }
            catch (ObjectDisposedException) { }
        }

        protected override string? DaemonMode => "Disabled";

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Jobs:RunServer", "false");
        }

        public new async Task DisposeAsync()
        {
            await base.DisposeAsync();
            stop.Cancel();
            listener.Stop();
            lock (held) foreach (var s in held) s.Dispose();
        }
    }
}
