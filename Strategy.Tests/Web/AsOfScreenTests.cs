using Microsoft.Playwright;
using Strategy.Tests.Api;
using static Strategy.Tests.Web.Waits;

namespace Strategy.Tests.Web;

/// <summary>
/// A commitment and the plan as they stood at a past moment, reached from the commitment's history and from the audit
/// log. The events carry the database's time (the service's clock is fixed at 2026-07-01), so the moments are taken from
/// the events themselves, never from a clock.
/// </summary>
[Collection(PlanScreens.Name)]
public sealed class AsOfScreenTests(WebFactory web)
{
    /// <summary>A row of the then-and-now table: its term, then, now.</summary>
    private static ILocator Row(IPage page, string term) =>
        page.Locator("#as-of-state tbody tr").Filter(new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = term, Exact = true }) });

    [Fact]
    public async Task A_reviewer_sees_a_commitment_before_and_after_its_revision_from_its_history_and_from_the_audit_log()
    {
        var id = web.Ids["KH-2"];
        (await web.FocalPoint("KH").SendJson(HttpMethod.Patch, $"/api/commitments/{id}", new { target = 7, reason = "Agreed at the annual meeting" }))
            .EnsureSuccessStatusCode();
        var reviewer = await web.SignInAsync("reviewer", "Ana Auditor");

        // From the history: as it stood when it was made.
        await reviewer.GotoAsync($"/commitments/{id}");
        await reviewer.Locator("tr").Filter(new() { HasText = "Commitment made" }).GetByRole(AriaRole.Link, new() { Name = "as it stood then" }).ClickAsync();
        await Expect(reviewer.GetByRole(AriaRole.Heading, new() { Name = "KH-2 as it stood on a past date" })).ToBeVisibleAsync(Visible);
        var target = Row(reviewer, "Target").Locator("td");
        await Expect(target.Nth(0)).ToHaveTextAsync("4", Text);
        await Expect(target.Nth(1)).ToContainTextAsync("7", Contains);
        await Expect(target.Nth(1)).ToContainTextAsync("changed since", Contains);
        await Expect(Row(reviewer, "Changes recorded").Locator("td").Nth(0)).ToHaveTextAsync("1", Text);
        await Expect(Row(reviewer, "Title").GetByText("changed since")).ToHaveCountAsync(0);
        await ScreenTests.Shot(reviewer, "commitment-as-of");

        // From the audit log: just after the revision, the target was already the new one.
        await AuditSupport.WaitForDaemon(web);
        await reviewer.GotoAsync("/audit?type=commitment-revised&country=KH");
        var entry = reviewer.Locator("tbody tr").Filter(new() { HasText = "Agreed at the annual meeting" });
        await Expect(entry).ToContainTextAsync("Ministry of Environment KH (focal point, KH)", Contains);
        await entry.GetByRole(AriaRole.Link, new() { Name = "as it stood then" }).ClickAsync();
        await Expect(Row(reviewer, "Target").Locator("td").Nth(0)).ToHaveTextAsync("7", Text);
        await Expect(Row(reviewer, "Changes recorded").Locator("td").Nth(0)).ToHaveTextAsync("2", Text);
        await Expect(Row(reviewer, "Target").GetByText("changed since")).ToHaveCountAsync(0);
        await Expect(reviewer.GetByRole(AriaRole.Link, new() { Name = "Back to today" })).ToHaveAttributeAsync("href", $"/commitments/{id}");
    }

    [Fact]
    public async Task A_date_before_the_commitment_existed_or_none_at_all_is_said_next_to_the_date_which_is_kept()
    {
        var reviewer = await web.SignInAsync("reviewer", "Ana Auditor", width: 360);
        var page = $"/commitments/{web.Ids["TH-1"]}/as-of";
        var unreadable = await reviewer.GotoAsync($"{page}?asOf=last-week");
        unreadable!.Status.ShouldBe(400);
        await Expect(reviewer.Locator("#asOf-date-error")).ToHaveTextAsync("Enter a date.", Text);

        await reviewer.Locator("#asOf-date").FillAsync("2020-01-31");
        await reviewer.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(reviewer.Locator("#asOf-date-error")).ToContainTextAsync("did not exist yet at the end of 31 Jan 2020", Contains);
        await Expect(reviewer.Locator("#asOf-date")).ToHaveValueAsync("2020-01-31");
        (await reviewer.Locator("#as-of-state").CountAsync()).ShouldBe(0);

        // The day it was made, in Bangkok's time as the hint says: its state at the end of that day.
        var made = await (await web.Reviewer().GetAsync($"/api/commitments/{web.Ids["TH-1"]}")).Json();
        var day = Strategy.Domain.MemberTime.Today("TH", made.GetProperty("createdAt").GetDateTimeOffset()).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await reviewer.Locator("#asOf-date").FillAsync(day);
        await reviewer.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(Row(reviewer, "Status").Locator("td").Nth(0)).ToHaveTextAsync("Not started", Text);
        await Expect(Row(reviewer, "Latest accepted value").Locator("td").Nth(0)).ToHaveTextAsync("none yet", Text);
        await Expect(reviewer.Locator("#asOf-date-error")).ToBeEmptyAsync(new() { Timeout = WebFactory.TimeoutMs });
        (await reviewer.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth")).ShouldBeTrue("fits 360 px");
        await ScreenTests.Shot(reviewer, "commitment-as-of-360");
    }

    [Fact]
    public async Task A_reviewer_follows_the_audit_log_to_the_plan_as_it_stood_after_an_alignment_and_before_it()
    {
        (await web.Secretariat().PutJson($"/api/plans/{WebFactory.Plan}/outcomes/G1.O2/sdg-targets",
            new { sdgTargets = new[] { "11.6" }, reason = "3.9 is reported by the health ministry" })).EnsureSuccessStatusCode();
        await AuditSupport.WaitForDaemon(web);
        var reviewer = await web.SignInAsync("reviewer", "Ana Auditor");
        await reviewer.GotoAsync($"/audit?plan={WebFactory.Plan}&type=outcome-sdg-targets-aligned");
        var entry = reviewer.Locator("tbody tr").Filter(new() { HasText = "3.9 is reported by the health ministry" });
        await entry.GetByRole(AriaRole.Link, new() { Name = "as it stood then" }).ClickAsync();
        await Expect(reviewer.GetByRole(AriaRole.Heading, new() { Name = "Plan structure and SDG alignment", Level = 1 })).ToBeVisibleAsync(Visible);
        var outcome = reviewer.Locator("[id='plan-outcome-G1.O2']");
        await Expect(outcome.Locator("ul.targets li")).ToHaveCountAsync(1);
        await Expect(outcome.Locator("ul.targets")).ToContainTextAsync("11.6", Contains);

        // Before it: the plan as it was loaded, with what has changed since said beside it.
        await reviewer.GotoAsync($"/audit?plan={WebFactory.Plan}&type=plan-created");
        await reviewer.Locator("tbody tr").First.GetByRole(AriaRole.Link, new() { Name = "as it stood then" }).ClickAsync();
        await Expect(outcome.Locator("ul.targets li")).ToHaveCountAsync(2);
        await Expect(outcome.Locator("ul.targets")).ToContainTextAsync("3.9", Contains);
        await Expect(outcome.GetByText("Now aligned with: 11.6")).ToBeVisibleAsync(Visible);
        await Expect(reviewer.GetByRole(AriaRole.Link, new() { Name = "Back to today" })).ToBeVisibleAsync(Visible);
        await ScreenTests.Shot(reviewer, "plan-as-of");

        // As the secretariat sees the past: nothing to change there.
        var sec = await web.SignInAsync("secretariat", "Li Wei");
        await sec.GotoAsync(reviewer.Url);
        await Expect(sec.Locator("[id='plan-outcome-G1.O2'] ul.targets li")).ToHaveCountAsync(2);
        (await sec.Locator("main form[method=post]").CountAsync()).ShouldBe(0, "the past is read, not edited");

        await reviewer.Locator("#asOf-date").FillAsync("2020-01-31");
        await reviewer.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(reviewer.Locator("#asOf-date-error")).ToContainTextAsync($"The plan did not exist yet at the end of 31 Jan 2020", Contains);
        await Expect(reviewer.Locator("#asOf-date")).ToHaveValueAsync("2020-01-31");
    }
}
