using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Strategy.Tests.Api;

namespace Strategy.Tests.Web;

/// <summary>
/// The real service on a real socket (Kestrel on a free port of 127.0.0.1), on a real PostgreSQL in a schema of its own,
/// with the development sign-in page, the clock fixed at 2026-07-01 12:00 UTC, and one headless Chromium (Debian's) for
/// the class's tests. A browser cannot reach the in-memory TestServer, hence Kestrel.
/// </summary>
public sealed class WebFactory : FixedClockFactory, IAsyncLifetime
{
    /// <summary>Bounded waits, generous for a loaded two-core machine shared with other builds.</summary>
    public const float TimeoutMs = 30_000;

    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";

    public WebFactory() => UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Auth:DevelopmentSignIn", "true");
        // The stylesheet and the framework's script from the build's manifest, as Development does by itself (a
        // published build serves them from its wwwroot).
        builder.UseStaticWebAssets();
    }

    protected override void StartHost()
    {
        StartServer();
        BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
    }

    public const string Plan = "WEB-2026";

    /// <summary>Commitment ids by code: KH-1 to KH-3 and TH-1 of <see cref="Plan"/>, whose round 2026-Q2 is open.</summary>
    public IReadOnlyDictionary<string, Guid> Ids { get; private set; } = new Dictionary<string, Guid>();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // The plan and its round through the API, as the secretariat's scripts would make them.
        var secretariat = Secretariat();
        (await secretariat.PostJson("/api/plans", TestPlan.Document(Plan, [
            TestPlan.Commitment("KH", code: "KH-1", target: 4), TestPlan.Commitment("KH", code: "KH-2", target: 4),
            TestPlan.Commitment("KH", code: "KH-3", target: 4), TestPlan.Commitment("TH", code: "TH-1", target: 4)]))).EnsureSuccessStatusCode();
        (await secretariat.PostJson($"/api/plans/{Plan}/rounds",
            new { code = "2026-Q2", title = "Second quarter 2026", periodStart = "2026-04-01", periodEnd = "2026-06-30", deadline = "2026-07-15" })).EnsureSuccessStatusCode();
        var list = await (await secretariat.GetAsync($"/api/plans/{Plan}/commitments")).Json();
        Ids = list.EnumerateArray().ToDictionary(c => c.GetProperty("code").GetString()!, c => c.GetProperty("id").GetGuid());

        if (!File.Exists(ChromiumPath)) throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium (test.sh does).");
        playwright = await Playwright.CreateAsync();
        // --no-sandbox: the tests run as root, where Chromium's sandbox refuses to start.
        Browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox"] });
    }

    public new async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        playwright?.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>
    /// A screen's form posted as a browser sends it (the form's handler name, a token of the page's session, the fields),
    /// whether or not the page offered that form: how a forged post is made.
    /// </summary>
    public static Task<IAPIResponse> PostFormAsync(IPage page, string url, string token, string handler, IReadOnlyDictionary<string, string> fields)
    {
        var form = page.Context.APIRequest.CreateFormData();
        form.Set("_handler", handler);
        form.Set("__RequestVerificationToken", token);
        foreach (var (name, value) in fields) form.Set(name, value);
        return page.Context.APIRequest.PostAsync(url, new() { Form = form });
    }

    /// <summary>A browser of its own (cookies apart from any other), signed in through the development sign-in page.</summary>
    public async Task<IPage> SignInAsync(string role, string name, string? country = null, int width = 1280, string? email = null)
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = BaseUrl, ViewportSize = new() { Width = width, Height = 900 } });
        context.SetDefaultTimeout(TimeoutMs);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("Role").SelectOptionAsync(role);
        await page.GetByLabel("Your name").FillAsync(name);
        if (country is not null) await page.GetByLabel("Country").SelectOptionAsync(country);
        if (email is not null) await page.GetByLabel("E-mail address").FillAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByText($"Signed in as {name}")).ToBeVisibleAsync(new() { Timeout = TimeoutMs });
        return page;
    }
}

/// <summary>
/// The service and browser of the plan structure and "as of" screens' tests: a plan of their own, since their changes to
/// it would show in the other classes' screens. Their tests run one after another.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PlanScreens : ICollectionFixture<WebFactory>
{
    public const string Name = "plan screens";
}
