using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Strategy.Api.Auth;
using Strategy.Api.Http;

namespace Strategy.Tests.Api;

/// <summary>
/// The real API on a real PostgreSQL (ConnectionStrings__Strategy, set by test.sh), in a schema of its own that is
/// dropped afterwards, so test classes never see each other's events.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string SigningKey = "strategy-tests-signing-key-0123456789abcdef";
    public string Schema { get; }
    public string ConnectionString { get; }

    /// <summary>Whether this host creates its schema on start-up and drops it afterwards (the default).</summary>
    protected bool OwnsSchema { get; }

    public static string OwnerConnectionString => Environment.GetEnvironmentVariable("ConnectionStrings__Strategy")
        ?? throw new InvalidOperationException("Set ConnectionStrings__Strategy (./test.sh does) to a PostgreSQL database for the API tests.");

    public ApiFactory() : this("t_" + Guid.NewGuid().ToString("N")[..12], OwnerConnectionString, ownsSchema: true) { }

    /// <summary>
    /// A host on an existing <paramref name="schema"/> when <paramref name="ownsSchema"/> is false: it neither applies
    /// the schema on start-up nor drops it afterwards (for a second node, or one connecting as another role).
    /// </summary>
    protected ApiFactory(string schema, string connectionString, bool ownsSchema)
    {
        Schema = schema;
        ConnectionString = connectionString;
        OwnsSchema = ownsSchema;
    }

    public static readonly JsonSerializerOptions JsonOptions = CreateJsonOptions();

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Json.Configure(o);
        o.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip;
        return o;
    }

    protected virtual bool SeedDemoPlan => false;

    /// <summary>Database:DaemonMode for this host (HotCold, Solo or Disabled); null keeps the service's default.</summary>
    protected virtual string? DaemonMode => null;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Strategy", ConnectionString);
        builder.UseSetting("Database:Schema", Schema);
        builder.UseSetting("Auth:SigningKey", SigningKey);
        builder.UseSetting("Seed:DemoPlan", SeedDemoPlan ? "true" : "false");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // No recurring jobs: the overdue check at 00:30 UTC would add events in the middle of a test.
        builder.UseSetting("Jobs:Recurring", "false");
        // Tests poll and page with one caller; the read limit has tests of its own (RateLimitTests).
        builder.UseSetting("RateLimits:ReadsPerMinute", "0");
        if (!OwnsSchema) builder.UseSetting("Database:ApplySchemaOnStartup", "false");
        if (DaemonMode is { } mode) builder.UseSetting("Database:DaemonMode", mode);
    }

    public AuthSettings Auth => new() { SigningKey = SigningKey };

    public string Token(string role, string? country = null, string? sub = null, string? name = null) =>
        TokenCommand.Issue(Auth, sub ?? $"{role}-{country ?? "x"}-user", name ?? $"{role} {country}".Trim(), role, country, TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

    public HttpClient As(string role, string? country = null, string? sub = null, string? name = null)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(role, country, sub, name));
        return client;
    }

    public HttpClient Secretariat() => As("secretariat", sub: "sec-1", name: "Secretariat Officer");
    public HttpClient Reviewer() => As("reviewer", sub: "rev-1", name: "Reviewer One");
    public HttpClient FocalPoint(string country) => As("focal-point", country, sub: $"fp-{country.ToLowerInvariant()}", name: $"Ministry of Environment {country}");

    /// <summary>How many events the store holds: the measure of "nothing was appended".</summary>
    public Task<long> EventCount() => AuditSupport.SqlScalar<long>($"select count(*) from {Schema}.mt_events");

    /// <summary>Starts the host: in memory (TestServer) here; on a real socket for browser tests.</summary>
    protected virtual void StartHost() => _ = Server;

    public virtual async Task InitializeAsync()
    {
        // Starting the host applies the schema (and seeds when asked), so every test starts from a ready store.
        StartHost();
        // Hangfire's log provider is process-wide: each host that configures Hangfire makes it its own LoggerFactory,
        // and once that host is disposed, any Hangfire object created later in another host (its job client on the
        // first POST /api/reports, say) fails with ObjectDisposedException, a 500. So configure this host's Hangfire
        // now, job client included, and then leave the process a provider that belongs to no host.
        _ = Services.GetRequiredService<Hangfire.IBackgroundJobClient>();
        Hangfire.GlobalConfigurationExtensions.UseNoOpLogProvider(Hangfire.GlobalConfiguration.Configuration);
        await Task.CompletedTask;
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (!OwnsSchema) return;
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"drop schema if exists {Schema} cascade; drop schema if exists {Schema}_hangfire cascade", connection);
        await command.ExecuteNonQueryAsync();
    }
}

public sealed class DemoPlanFactory : ApiFactory
{
    protected override bool SeedDemoPlan => true;
}

/// <summary>The owner's host without the async daemon: it creates and drops the schema; a <see cref="SecondHostFactory"/> on the schema runs the daemon, or none does.</summary>
public sealed class OwnerWithoutDaemonFactory : ApiFactory
{
    protected override string? DaemonMode => "Disabled";
}

/// <summary>A second host on an existing schema (another node, or one connecting as another role): it neither applies nor drops the schema.</summary>
public sealed class SecondHostFactory(string schema, string connectionString) : ApiFactory(schema, connectionString, ownsSchema: false);

public static class HttpExtensions
{
    public static async Task<T> Read<T>(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<T>(ApiFactory.JsonOptions))!;

    public static async Task<JsonElement> Json(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string url, object body, long? ifMatch = null, string? idempotencyKey = null) =>
        client.SendJson(HttpMethod.Post, url, body, ifMatch, idempotencyKey);

    public static Task<HttpResponseMessage> PutJson(this HttpClient client, string url, object body, long? ifMatch = null) =>
        client.SendJson(HttpMethod.Put, url, body, ifMatch);

    public static async Task<HttpResponseMessage> SendJson(this HttpClient client, HttpMethod method, string url, object body, long? ifMatch = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(method, url)
        {
            Content = body is string raw
                ? new StringContent(raw, System.Text.Encoding.UTF8, "application/json")
                : JsonContent.Create(body, options: ApiFactory.JsonOptions),
        };
        if (ifMatch is { } v) request.Headers.TryAddWithoutValidation("If-Match", $"\"{v}\"");
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await client.SendAsync(request);
    }

    public static long ETag(this HttpResponseMessage response) => long.Parse(response.Headers.ETag!.Tag.Trim('"'));

    /// <summary>Asserts an RFC 9457 problem document with the status, and returns it.</summary>
    public static async Task<JsonElement> ShouldBeProblem(this HttpResponseMessage response, int status, string? field = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(status, body);
        response.Content.Headers.ContentType.ShouldNotBeNull().MediaType.ShouldBe("application/problem+json", body);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        problem.GetProperty("status").GetInt32().ShouldBe(status);
        problem.TryGetProperty("title", out _).ShouldBeTrue();
        problem.TryGetProperty("traceId", out _).ShouldBeTrue();
        problem.TryGetProperty("type", out _).ShouldBeTrue();
        if (field is not null)
        {
            problem.TryGetProperty("errors", out var errors).ShouldBeTrue(body);
            errors.EnumerateObject().Select(p => p.Name).ShouldContain(field, body);
        }
        return problem;
    }
}

/// <summary>A clock a test sets: "today" in the service is what the test says, whatever the date it runs on.</summary>
public sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    private DateTimeOffset? stopped = now;

    /// <summary>The instant the service sees; setting it stops the clock there.</summary>
    public DateTimeOffset Now
    {
        get => stopped ?? DateTimeOffset.UtcNow;
        set => stopped = value;
    }

    /// <summary>
    /// Lets the clock run with the real one until <see cref="Now"/> is set again: for a test whose instants come from
    /// stored events (which carry the real time), such as a report as of the moment of a change.
    /// </summary>
    public void RunReal() => stopped = null;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>The real API whose clock (for "today", due dates, late submissions) is a <see cref="TestClock"/>.</summary>
public class FixedClockFactory : ApiFactory
{
    public TestClock Clock { get; } = new(new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.Zero));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => s.AddSingleton<TimeProvider>(Clock));
    }
}
