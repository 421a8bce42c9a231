using System.Text.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Strategy.Api.Auth;
using Strategy.Tests.Api;
using Strategy.Translations;

namespace Strategy.Tests.Web;

/// <summary>
/// A person's own page (/me): the contact their sign-in made, and which notices they receive in which language, saved
/// through the same command as PUT /api/me/preferences.
/// </summary>
public sealed class PreferencesScreenTests(WebFactory web) : IClassFixture<WebFactory>
{
    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = WebFactory.TimeoutMs };

    private static Dictionary<string, string> Resource(string language) =>
        TranslationCheck.Read(Path.Combine(Translations.TranslationTests.Repository(), "Strategy.Api", "Web", "Resources",
            language == "en" ? "ScreenText.resx" : $"ScreenText.{language}.resx")).ToDictionary(t => t.Key, t => t.Value);

    /// <summary>The contact of the person the development sign-in makes for <paramref name="role"/>, as the API shows it to them.</summary>
    private async Task<JsonElement> ContactOf(string role, string? country)
    {
        var me = await (await web.As(role, country, sub: TokenCommand.DefaultSubject(role, country)).GetAsync("/api/me")).Json();
        return me.GetProperty("contact");
    }

    [Fact]
    public async Task A_focal_point_signs_in_with_an_address_and_chooses_the_notices_and_language_of_their_mail()
    {
        var page = await web.SignInAsync("focal-point", "Dara Keo", "KH", email: "dara.keo@moe.test");
        await page.GetByRole(AriaRole.Link, new() { Name = "Your mail" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your contact and mail" })).ToBeVisibleAsync(Visible);
        await Expect(page.GetByText("dara.keo@moe.test")).ToBeVisibleAsync(Visible);

        // A focal point's notices, as their defaults stand; the secretariat's digest is not one of them.
        await Expect(page.GetByLabel("A reporting round opened for your country")).ToBeCheckedAsync();
        await Expect(page.GetByLabel("A value you sent was accepted (off unless you turn it on)")).Not.ToBeCheckedAsync();
        (await page.GetByLabel("Each Monday", new() { Exact = false }).CountAsync()).ShouldBe(0);
        var axe = await page.RunAxe();
        axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => v.Id).ShouldBeEmpty();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Directory.CreateDirectory(ScreenTests.Shots).FullName, "me.png"), FullPage = true });

        await page.GetByLabel("Language of your mail").SelectOptionAsync(new SelectOptionValue { Label = "ខ្មែរ" });
        await page.GetByLabel("A reporting round opened for your country").UncheckAsync();
        await page.GetByLabel("A value you sent was accepted (off unless you turn it on)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByText("Your choices were saved.")).ToBeVisibleAsync(Visible);
        await Expect(page.GetByLabel("A value you sent was accepted (off unless you turn it on)")).ToBeCheckedAsync();

        var contact = await ContactOf("focal-point", "KH");
        contact.GetProperty("email").GetString().ShouldBe("dara.keo@moe.test");
        contact.GetProperty("language").GetString().ShouldBe("km");
        contact.GetProperty("updatedBy").GetString().ShouldBe(TokenCommand.DefaultSubject("focal-point", "KH"));
        var notices = contact.GetProperty("notices");
        notices.GetProperty("round-opened").GetBoolean().ShouldBeFalse();
        notices.GetProperty("value-accepted").GetBoolean().ShouldBeTrue();
        notices.GetProperty("value-returned").GetBoolean().ShouldBeTrue();

        // The form's antiforgery token is required: a post from elsewhere changes nothing.
        var forged = page.Context.APIRequest.CreateFormData();
        forged.Set("_handler", "preferences");
        forged.Set("Input.Language", "zh");
        (await page.Context.APIRequest.PostAsync("/me", new() { Form = forged, MaxRedirects = 0 })).Status.ShouldBe(400);
        (await ContactOf("focal-point", "KH")).GetProperty("language").GetString().ShouldBe("km");
    }

    [Fact]
    public async Task A_sign_in_on_a_Thai_screen_makes_a_Thai_contact_that_receives_the_weekly_digest()
    {
        var th = Resource("th");
        var context = await web.Browser.NewContextAsync(new() { BaseURL = web.BaseUrl, Locale = "th-TH",
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Accept-Language"] = "th-TH,th;q=0.9" } });
        context.SetDefaultTimeout(WebFactory.TimeoutMs);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.Locator("#role").SelectOptionAsync("secretariat");
        await page.Locator("#name").FillAsync("Somsak Digest");
        await page.Locator("#email").FillAsync("somsak@lmec.test");
        await page.GetByRole(AriaRole.Button, new() { Name = th["SignIn.Button"] }).ClickAsync();
        await Expect(page.Locator("form.signout")).ToBeVisibleAsync(Visible);
        await page.GetByRole(AriaRole.Link, new() { Name = th["Nav.Me"] }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = th["Me.Title"] })).ToBeVisibleAsync(Visible);
        await Expect(page.GetByLabel(th["Notice.weekly-digest"])).ToBeCheckedAsync();
        (await page.GetByLabel(th["Notice.round-opened"]).CountAsync()).ShouldBe(0);
        var contact = await ContactOf("secretariat", null);
        contact.GetProperty("email").GetString().ShouldBe("somsak@lmec.test");
        contact.GetProperty("language").GetString().ShouldBe("th");
        contact.GetProperty("role").GetString().ShouldBe("secretariat");
        await context.CloseAsync();
    }
}
