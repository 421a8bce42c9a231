using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Strategy.Infrastructure.Store;

namespace Strategy.Tests.Api;

/// <summary>
/// A database that does not answer at all (its host down, a network partition: connections are accepted, or not,
/// but nothing comes back) gets answers within 5 s: 503 problem documents with Retry-After, and /health/ready 503.
/// Without a short connect timeout every request would wait Npgsql's default 15 s.
/// </summary>
/// <remarks>
/// The 5 s are measured by the server (<see cref="SilentDatabaseFactory.Timings"/>: from its first middleware to the end
/// of the response), on a host that has answered the same requests once: the first requests of a fresh process also
/// compile Marten's generated code and JIT the error path, which took the first /health/ready from 3.0 to 4.0 s idle
/// and past 5 s on a loaded machine, and the test client's own scheduling adds to what it measures. A request that
/// waits for the database longer than it should still fails the bound, and one that hangs fails the client's 30 s.
/// </remarks>
public sealed class UnreachableDatabaseTests(UnreachableDatabaseTests.SilentDatabaseFactory api) : IClassFixture<UnreachableDatabaseTests.SilentDatabaseFactory>
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    /// <summary>A client whose requests the server's timings name <paramref name="name"/>.</summary>
    private static HttpClient Named(HttpClient client, string name)
    {
        client.Timeout = HangGuard;
        client.DefaultRequestHeaders.Add(SilentDatabaseFactory.RequestName, name);
        return client;
    }

    private Task<HttpResponseMessage[]> ReadsAndWrites(string round) => Task.WhenAll(
        Named(api.Reviewer(), $"{round}:plan").GetAsync("/api/plans/LMEC-2023-2027"),
        Named(api.Reviewer(), $"{round}:commitment").GetAsync($"/api/commitments/{Guid.NewGuid()}"),
        Named(api.Secretariat(), $"{round}:progress").PostJson($"/api/commitments/{Guid.NewGuid()}/progress", new { value = 1, asOf = "2025-06-30" }, idempotencyKey: $"silent-{round}"),
        Named(api.Secretariat(), $"{round}:status").PostJson($"/api/commitments/{Guid.NewGuid()}/status", new { status = "in-progress" }));

    private void ServerTookLessThanTheBudget(string round, int requests)
    {
        var timings = api.Timings.Where(t => t.Name.StartsWith(round + ":", StringComparison.Ordinal)).ToList();
        timings.Count.ShouldBe(requests, string.Join("; ", timings));
        foreach (var t in timings) t.Elapsed.ShouldBeLessThan(Budget, $"{t.Name} answered {t.Status} after {t.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task Reads_and_writes_answer_503_with_retry_after_within_5_seconds()
    {
        foreach (var round in new[] { "first", "measured" })
        {
            var answers = await ReadsAndWrites(round);
            foreach (var answer in answers)
            {
                await answer.ShouldBeProblem(503);
                answer.Headers.RetryAfter.ShouldNotBeNull();
            }
        }
        ServerTookLessThanTheBudget("measured", 4);
    }

    [Fact]
    public async Task Health_ready_answers_503_within_5_seconds_and_live_stays_200()
    {
        foreach (var round in new[] { "health-first", "health-measured" })
            (await Named(api.CreateClient(), $"{round}:ready").GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        ServerTookLessThanTheBudget("health-measured", 1);
        (await Named(api.CreateClient(), "live").GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
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

        /// <summary>The request header that names a request in <see cref="Timings"/>.</summary>
        public const string RequestName = "X-Test-Request";

        /// <summary>How long the server took over each named request, from its first middleware to the end of the response.</summary>
        public ConcurrentQueue<(string Name, int Status, TimeSpan Elapsed)> Timings { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Jobs:RunServer", "false");
            builder.ConfigureServices(s => s.AddSingleton<IStartupFilter>(new Timing(Timings)));
        }

        private sealed class Timing(ConcurrentQueue<(string, int, TimeSpan)> timings) : IStartupFilter
        {
            public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
            {
                app.Use(async (http, call) =>
                {
                    var watch = Stopwatch.StartNew();
                    try
                    {
                        await call(http);
                    }
                    finally
                    {
                        if (http.Request.Headers[RequestName].ToString() is { Length: > 0 } name)
                            timings.Enqueue((name, http.Response.StatusCode, watch.Elapsed));
                    }
                });
                next(app);
            };
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
