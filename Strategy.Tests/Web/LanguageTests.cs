using System.Globalization;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Strategy.Translations;

namespace Strategy.Tests.Web;

/// <summary>
/// Issue 14: the screens in the members' languages. The expected texts are read from the resources themselves, so the
/// test holds the screens to whatever the translators write there.
/// </summary>
public sealed class LanguageTests(WebFactory web) : IClassFixture<WebFactory>
{
    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
    private static IPageAssertions Expect(IPage page) => Assertions.Expect(page);
    private static readonly LocatorAssertionsToHaveTextOptions Text = new() { Timeout = WebFactory.TimeoutMs };
    private static readonly LocatorAssertionsToHaveAttributeOptions Attribute = new() { Timeout = WebFactory.TimeoutMs };

    /// <summary>The screens' texts in a language, as its .resx file has them.</summary>
    private static Dictionary<string, string> Resource(string language)
    {
        var file = Path.Combine(Translations.TranslationTests.Repository(), "Strategy.Api", "Web", "Resources", language == "en" ? "ScreenText.resx" : $"ScreenText.{language}.resx");
        return TranslationCheck.Read(file).ToDictionary(t => t.Key, t => t.Value);
    }

    [Fact]
    public async Task A_focal_point_switches_to_Khmer_and_every_page_stays_Khmer_until_switched_back()
    {
        var en = Resource("en");
        var km = Resource("km");
        km["Nav.MyCountry"].ShouldNotBe(en["Nav.MyCountry"]);

        // English by default (the browser asks for en-US).
        var page = await web.SignInAsync("focal-point", "Sokha Chan", "KH", width: 360);
        await page.GotoAsync("/country");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en", Attribute);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = en["Nav.MyCountry"] })).ToBeVisibleAsync();

        // The switch in the header, by the language's own name.
        await page.GetByLabel(en["Layout.Language"]).SelectOptionAsync(new SelectOptionValue { Label = "ខ្មែរ" });
        await page.GetByRole(AriaRole.Button, new() { Name = en["Layout.ChangeLanguage"], Exact = true }).ClickAsync();

        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "km", Attribute);
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/country$"));
        await Expect(page.Locator("h1")).ToHaveTextAsync(string.Format(km["Country.Heading"], "KH"), Text);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = km["Nav.MyCountry"] })).ToBeVisibleAsync();
        // Dates in the language's culture, in the form its resource gives: the open round's deadline, 15 July 2026.
        var deadline = new DateOnly(2026, 7, 15).ToString(km["Format.Date"], CultureInfo.GetCultureInfo("km"));
        deadline.ShouldNotContain("Jul");
        await Expect(page.Locator("#round-heading + p + p strong")).ToHaveTextAsync(deadline, Text);
        (await page.Context.CookiesAsync()).ShouldContain(c => c.Name == ".AspNetCore.Culture" && c.Value.Contains("uic%3Dkm") && c.HttpOnly);

        var axe = await page.RunAxe();
        axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => v.Id).ShouldBeEmpty();
        (await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth")).ShouldBeTrue("fits 360 px in Khmer");
        await ScreenTests.Shot(page, "country-km-360");

        // Remembered: a reload, another page, an address with no screen.
        await page.ReloadAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "km", Attribute);
        await page.GetByRole(AriaRole.Link, new() { Name = km["Nav.Rounds"] }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync(km["Rounds.Title"], Text);
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "km", Attribute);
        var missing = await page.GotoAsync("/no-such-screen");
        missing!.Status.ShouldBe(404);
        await Expect(page.Locator("h1")).ToHaveTextAsync(km["Error.NotFound.Title"], Text);
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "km", Attribute);

        await page.SetViewportSizeAsync(1280, 900);
        await page.GotoAsync($"/commitments/{web.Ids["KH-1"]}");
        await Expect(page.Locator("#terms-heading")).ToHaveTextAsync(km["Commitment.Terms"], Text);
        await ScreenTests.Shot(page, "commitment-km-1280");

        // And back to English, by its own name.
        await page.GetByLabel(km["Layout.Language"]).SelectOptionAsync(new SelectOptionValue { Label = "English" });
        await page.GetByRole(AriaRole.Button, new() { Name = km["Layout.ChangeLanguage"], Exact = true }).ClickAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en", Attribute);
        await Expect(page.Locator("#terms-heading")).ToHaveTextAsync(en["Commitment.Terms"], Text);
    }

    [Fact]
    public async Task Without_a_choice_the_browsers_language_decides_and_an_unknown_one_is_English()
    {
        var th = Resource("th");
        foreach (var (accept, expected) in new[] { ("th-TH,th;q=0.9,en;q=0.5", "th"), ("de-DE,fr;q=0.8", "en") })
        {
            var context = await web.Browser.NewContextAsync(new() { BaseURL = web.BaseUrl, Locale = accept.Split(',')[0], ExtraHTTPHeaders = new Dictionary<string, string> { ["Accept-Language"] = accept } });
            var page = await context.NewPageAsync();
            await page.GotoAsync("/signin");
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", expected, Attribute);
            await Expect(page.Locator("h1")).ToHaveTextAsync(Resource(expected)["SignIn.Title"], Text);
            await context.CloseAsync();
        }
        th["SignIn.Title"].ShouldNotBe(Resource("en")["SignIn.Title"]);
    }

    [Fact]
    public async Task The_switch_is_a_form_post_with_its_antiforgery_token_and_goes_back_only_to_this_site()
    {
        var page = await web.SignInAsync("reviewer", "Language Reviewer");
        // Without the form's token: refused, and nothing is remembered.
        var forged = page.Context.APIRequest.CreateFormData();
        forged.Set("lang", "zh");
        forged.Set("returnUrl", "/audit");
        var refused = await page.Context.APIRequest.PostAsync("/language", new() { Form = forged, MaxRedirects = 0 });
        refused.Status.ShouldBe(400);
        (await page.Context.CookiesAsync()).ShouldNotContain(c => c.Name == ".AspNetCore.Culture");

        // With it, but asked to go elsewhere: back to this site's start page.
        await page.GotoAsync("/audit");
        var token = await page.Locator("form.language input[name=__RequestVerificationToken]").GetAttributeAsync("value");
        var form = page.Context.APIRequest.CreateFormData();
        form.Set("__RequestVerificationToken", token!);
        form.Set("lang", "zh");
        form.Set("returnUrl", "//evil.example/");
        var response = await page.Context.APIRequest.PostAsync("/language", new() { Form = form, MaxRedirects = 0 });
        response.Status.ShouldBe(302);
        response.Headers["location"].ShouldBe("/");
        await page.GotoAsync("/audit");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh", Attribute);
    }
}
