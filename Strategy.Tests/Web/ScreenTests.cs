using System.Net;
using System.Text.Json;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Strategy.Tests.Api;

namespace Strategy.Tests.Web;

/// <summary>
/// The screens in a real browser (Debian's Chromium, headless) against the service on a real socket and PostgreSQL.
/// The clock is fixed at 2026-07-01 12:00 UTC; round 2026-Q2 (values of April to June, deadline 15 July) is open.
/// </summary>
public sealed class ScreenTests(WebFactory web) : IClassFixture<WebFactory>
{
    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = WebFactory.TimeoutMs };

    private static byte[] Pdf(string text) => System.Text.Encoding.ASCII.GetBytes($"%PDF-1.4\n% {text}\n%%EOF\n");

    /// <summary>Where the screenshots of a run go, to look at (and to copy to docs/ for the README).</summary>
    public static readonly string Shots = Path.Combine(Path.GetTempPath(), "strategy-screens");

    private static async Task Shot(IPage page, string name)
    {
        Directory.CreateDirectory(Shots);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, name + ".png"), FullPage = true });
    }

    private async Task<JsonElement> Values(string code) =>
        await (await web.Reviewer().GetAsync($"/api/commitments/{web.Ids[code]}/values")).Json();

    [Fact]
    public async Task A_value_goes_from_focal_point_to_secretariat_and_back_until_it_is_accepted()
    {
        var kh = await web.SignInAsync("focal-point", "Sokha Chan", "KH");
        // Home for a focal point: its country, with what needs doing this round.
        await Expect(kh.GetByRole(AriaRole.Heading, new() { Name = "KH: what needs doing" })).ToBeVisibleAsync(Visible);
        var card = kh.Locator("ul.cards > li").Filter(new() { HasText = "KH-1" });
        await Expect(card.GetByText("No value sent for round 2026-Q2 yet.")).ToBeVisibleAsync(Visible);
        await Expect(kh.GetByText("15 Jul 2026")).ToBeVisibleAsync(Visible);
        await Shot(kh, "country");
        await card.GetByRole(AriaRole.Link).ClickAsync();

        // Sends a value with the meeting minutes.
        await Expect(kh.GetByRole(AriaRole.Heading, new() { Name = "Send a value" })).ToBeVisibleAsync(Visible);
        await kh.GetByLabel("Value (count)").FillAsync("2");
        await kh.GetByLabel("Measured on").FillAsync("2026-06-30");
        await kh.Locator("#value-note").FillAsync("Two provinces");
        await kh.GetByLabel("Evidence file").SetInputFilesAsync(new FilePayload { Name = "minutes.pdf", MimeType = "application/pdf", Buffer = Pdf("minutes") });
        await kh.GetByRole(AriaRole.Button, new() { Name = "Send value" }).ClickAsync();
        await Expect(kh.GetByText("The value was sent. It waits for the secretariat's review before it counts.")).ToBeVisibleAsync(Visible);
        await Expect(kh.Locator("table").GetByText("Waiting for review")).ToBeVisibleAsync(Visible);
        await Expect(kh.GetByRole(AriaRole.Link, new() { Name = "minutes.pdf" })).ToBeVisibleAsync(Visible);
        var first = (await Values("KH-1")).EnumerateArray().ShouldHaveSingleItem();
        first.GetProperty("state").GetString().ShouldBe("submitted");
        first.GetProperty("value").GetDouble().ShouldBe(2);
        first.GetProperty("evidence").EnumerateArray().ShouldHaveSingleItem().GetProperty("name").GetString().ShouldBe("minutes.pdf");
        await Shot(kh, "commitment-pending");

        // The secretariat returns it with a comment, from the review queue.
        var sec = await web.SignInAsync("secretariat", "Li Wei");
        await sec.GotoAsync($"/review?plan={WebFactory.Plan}");
        var item = sec.Locator("ul.cards > li").Filter(new() { HasText = "KH-1" });
        await Expect(item.GetByText("Two provinces")).ToBeVisibleAsync(Visible);
        await Shot(sec, "review-queue");
        await item.GetByLabel("Comment for the focal point").FillAsync("The minutes list three provinces.");
        await item.GetByRole(AriaRole.Button, new() { Name = "Return for correction" }).ClickAsync();
        await Expect(sec.GetByText("The value was returned with your comment.")).ToBeVisibleAsync(Visible);

        // The focal point sees the comment, and corrects the value.
        await kh.GotoAsync("/country");
        await Expect(kh.Locator("ul.cards > li").Filter(new() { HasText = "KH-1" }).GetByText("A value was returned for correction")).ToBeVisibleAsync(Visible);
        await kh.GotoAsync($"/commitments/{web.Ids["KH-1"]}");
        await Expect(kh.Locator(".thread").GetByText("The minutes list three provinces.")).ToBeVisibleAsync(Visible);
        await kh.GetByRole(AriaRole.Link, new() { Name = "Correct this value" }).ClickAsync();
        await Expect(kh.GetByRole(AriaRole.Heading, new() { Name = "Correct the returned value" })).ToBeVisibleAsync(Visible);
        await kh.GetByLabel("Value (count)").FillAsync("3");
        await kh.GetByRole(AriaRole.Button, new() { Name = "Send corrected value" }).ClickAsync();
        await Expect(kh.GetByText("The value was sent.")).ToBeVisibleAsync(Visible);

        // The secretariat accepts the correction: now it counts.
        await sec.GotoAsync($"/review?plan={WebFactory.Plan}");
        var corrected = sec.Locator("ul.cards > li").Filter(new() { HasText = "KH-1" });
        await Expect(corrected.GetByText("corrects a returned value")).ToBeVisibleAsync(Visible);
        await corrected.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Expect(sec.GetByText("The value was accepted")).ToBeVisibleAsync(Visible);

        var values = (await Values("KH-1")).EnumerateArray().ToList();
        values.Select(v => v.GetProperty("state").GetString()).ShouldBe(["returned", "accepted"]);
        values[1].GetProperty("value").GetDouble().ShouldBe(3);
        values[1].GetProperty("supersedes").GetGuid().ShouldBe(values[0].GetProperty("id").GetGuid());
        values[0].GetProperty("submittedBy").GetProperty("name").GetString().ShouldBe("Sokha Chan");
        values[1].GetProperty("reviewedBy").GetProperty("name").GetString().ShouldBe("Li Wei");
        await kh.ReloadAsync();
        await Expect(kh.GetByText("The latest accepted value, 3 count on 30 Jun 2026")).ToBeVisibleAsync(Visible);
        await Shot(kh, "commitment");
    }
}
