using Microsoft.Playwright;
using Strategy.Tests.Api;
using static Strategy.Tests.Web.Waits;

namespace Strategy.Tests.Web;

/// <summary>
/// The secretariat's plan structure and SDG alignment screen in a real browser. The service's clock is fixed at
/// 2026-07-01 12:00 UTC; each test adds codes of its own, so that none depends on another having run.
/// </summary>
[Collection(PlanScreens.Name)]
public sealed class PlanScreenTests(WebFactory web)
{
    private const string Structure = $"/plan/structure?plan={WebFactory.Plan}";

    /// <summary>An element by its id, which may hold '.' and '[' (codes and indicator rows), that a CSS #id would misread.</summary>
    private static ILocator Id(IPage page, string id) => page.Locator($"[id='{id}']");

    private async Task<System.Text.Json.JsonElement> Plan() => await (await web.Reviewer().GetAsync($"/api/plans/{WebFactory.Plan}")).Json();

    /// <summary>Types an indicator row of the outcome form, in the order of its fields.</summary>
    private static async Task Indicator(IPage page, int row, params string[] values)
    {
        foreach (var (field, value) in new[] { "code", "title", "unit", "baseline", "target" }.Zip(values))
            await page.Locator($"#outcome-i{row}-{field}").FillAsync(value);
    }

    private static IEnumerable<System.Text.Json.JsonElement> Outcomes(System.Text.Json.JsonElement plan) =>
        plan.GetProperty("goals").EnumerateArray().SelectMany(g => g.GetProperty("outcomes").EnumerateArray());

    [Fact]
    public async Task The_secretariat_adds_a_goal_after_a_taken_code_and_a_malformed_one_were_refused_next_to_the_field()
    {
        var sec = await web.SignInAsync("secretariat", "Li Wei");
        await sec.GotoAsync($"/plan?plan={WebFactory.Plan}");
        await sec.GetByRole(AriaRole.Link, new() { Name = "Plan structure and SDG alignment" }).ClickAsync();
        await Expect(sec.GetByRole(AriaRole.Heading, new() { Name = "G1 · Climate" })).ToBeVisibleAsync(Visible);
        var events = await web.EventCount();

        await sec.Locator("#goal-code").FillAsync("G1");
        await sec.Locator("#goal-title").FillAsync("Biodiversity");
        await sec.Locator("#goal-description").FillAsync("Protected areas and species");
        await sec.GetByRole(AriaRole.Button, new() { Name = "Add goal" }).ClickAsync();
        await Expect(sec.Locator("#goal-code-error")).ToHaveTextAsync($"Goal G1 already exists in plan {WebFactory.Plan}.", Text);
        await Expect(sec.Locator("#goal-title")).ToHaveValueAsync("Biodiversity", Value);
        await Expect(sec.Locator("#goal-description")).ToHaveValueAsync("Protected areas and species", Value);

        await sec.Locator("#goal-code").FillAsync("G 3");
        await sec.GetByRole(AriaRole.Button, new() { Name = "Add goal" }).ClickAsync();
        await Expect(sec.Locator("#goal-code-error")).ToHaveTextAsync(Strategy.Domain.Codes.CodeRule, Text);
        await Expect(sec.Locator("#goal-code")).ToHaveValueAsync("G 3", Value);
        await Expect(sec.Locator("#goal-form").GetByRole(AriaRole.Alert)).ToContainTextAsync("Please correct the fields marked below.");
        await ScreenTests.Shot(sec, "plan-structure-refused-goal");
        (await web.EventCount()).ShouldBe(events, "nothing recorded");

        await sec.Locator("#goal-code").FillAsync("G3");
        await sec.GetByRole(AriaRole.Button, new() { Name = "Add goal" }).ClickAsync();
        await Expect(sec.GetByText("The goal was added.")).ToBeVisibleAsync(Visible);
        await Expect(sec.GetByRole(AriaRole.Heading, new() { Name = "G3 · Biodiversity" })).ToBeVisibleAsync(Visible);
        await Expect(sec.GetByRole(AriaRole.Region, new() { Name = "G3 · Biodiversity" }).GetByText("No outcome under this goal yet.")).ToBeVisibleAsync(Visible);
        new Uri(sec.Url).Query.ShouldContain($"plan={WebFactory.Plan}", Case.Sensitive, "the plan shown stays the one chosen");
        var goal = (await Plan()).GetProperty("goals").EnumerateArray().Single(g => g.S("code") == "G3");
        goal.S("title").ShouldBe("Biodiversity");
        goal.S("description").ShouldBe("Protected areas and species");
        await ScreenTests.Shot(sec, "plan-structure");
    }

    [Fact]
    public async Task The_secretariat_adds_an_outcome_with_two_indicators_and_each_refusal_keeps_every_row()
    {
        var sec = await web.SignInAsync("secretariat", "Li Wei", width: 360);
        await sec.GotoAsync(Structure);
        var events = await web.EventCount();
        await sec.Locator("#outcome-goal").SelectOptionAsync("G2");
        await sec.Locator("#outcome-code").FillAsync("G2.O2");
        await sec.Locator("#outcome-title").FillAsync("Wetlands");
        await sec.Locator("#outcome-sdgTargets").FillAsync("6.6, 99.9");
        await Indicator(sec, 0, "G2.O2.I1", "Wetland area", "ha", "100", "a lot");
        await sec.GetByRole(AriaRole.Button, new() { Name = "Add outcome" }).ClickAsync();
        await Expect(Id(sec, "outcome-indicators[0].target-error")).ToHaveTextAsync("Enter a number, such as 12 or 12.5.", Text);
        await Expect(sec.Locator("#outcome-i0-target")).ToHaveValueAsync("a lot", Value);

        // A second row, asked for without sending: the first keeps what was typed.
        await sec.Locator("#outcome-i0-target").FillAsync("150");
        await sec.GetByRole(AriaRole.Button, new() { Name = "Another indicator" }).ClickAsync();
        await Expect(sec.GetByRole(AriaRole.Group, new() { Name = "Indicator 2" })).ToBeVisibleAsync(Visible);
        await Expect(sec.Locator("#outcome-i0-title")).ToHaveValueAsync("Wetland area", Value);
        await Expect(sec.Locator("#outcome-sdgTargets")).ToHaveValueAsync("6.6, 99.9", Value);
        await Indicator(sec, 1, "G2.O2.I2", "Sites restored", "count", "0", "-5");
        await sec.GetByRole(AriaRole.Button, new() { Name = "Add outcome" }).ClickAsync();
        // The domain's rules, in the API's words, each next to its field.
        await Expect(sec.Locator("#outcome-sdgTargets-error")).ToHaveTextAsync("Unknown SDG target '99.9'.", Text);
        await Expect(sec.Locator("#outcome-i1-target")).ToHaveValueAsync("-5", Value);
        await Expect(sec.Locator("#outcome-i0-target")).ToHaveValueAsync("150", Value);
        await sec.Locator("#outcome-sdgTargets").FillAsync("6.6, 15.1");
        await sec.GetByRole(AriaRole.Button, new() { Name = "Add outcome" }).ClickAsync();
        await Expect(Id(sec, "outcome-indicators[1].target-error")).ToHaveTextAsync("Must not be negative for unit 'count'.", Text);
        // Nothing wider than the phone: a table scrolls inside its own box, an outcome's card included.
        (await sec.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth")).ShouldBeTrue("fits 360 px");
        await ScreenTests.Shot(sec, "plan-structure-refused-outcome-360");
        (await web.EventCount()).ShouldBe(events, "nothing recorded");

        await sec.Locator("#outcome-i1-target").FillAsync("5");
        await sec.GetByRole(AriaRole.Button, new() { Name = "Add outcome" }).ClickAsync();
        await Expect(sec.GetByText("The outcome was added.")).ToBeVisibleAsync(Visible);
        var added = Id(sec, "plan-outcome-G2.O2");
        await Expect(added.GetByRole(AriaRole.Heading, new() { Name = "G2.O2 · Wetlands" })).ToBeVisibleAsync(Visible);
        await Expect(added.GetByText("15.1", new() { Exact = true })).ToBeVisibleAsync(Visible);
        await Expect(added.GetByRole(AriaRole.Cell, new() { Name = "Sites restored" })).ToBeVisibleAsync(Visible);
        var outcome = Outcomes(await Plan()).Single(o => o.S("code") == "G2.O2");
        outcome.GetProperty("sdgTargets").EnumerateArray().Select(t => t.GetString()).ShouldBe(["6.6", "15.1"]);
        outcome.GetProperty("indicators").EnumerateArray().Select(i => (i.S("code"), i.S("unit"), i.GetProperty("target").GetDouble()))
            .ShouldBe([("G2.O2.I1", "ha", 150), ("G2.O2.I2", "count", 5)]);
    }

    [Fact]
    public async Task The_secretariat_changes_an_outcomes_sdg_targets_only_with_a_reason_which_the_history_keeps()
    {
        var sec = await web.SignInAsync("secretariat", "Li Wei");
        await sec.GotoAsync(Structure);
        var events = await web.EventCount();
        var outcome = Id(sec, "plan-outcome-G1.O1");
        await outcome.GetByText("Change the SDG targets of G1.O1").ClickAsync();
        await Id(sec, "align-G1.O1-sdgTargets").FillAsync("13.2, 13.3");
        await outcome.GetByRole(AriaRole.Button, new() { Name = "Save SDG targets" }).ClickAsync();
        // Refused: the form stays open with what was typed and the rule beside the reason.
        await Expect(Id(sec, "align-G1.O1-reason-error")).ToHaveTextAsync("'reason' must not be empty.", Text);
        await Expect(Id(sec, "align-G1.O1-sdgTargets")).ToHaveValueAsync("13.2, 13.3", Value);
        (await web.EventCount()).ShouldBe(events, "nothing recorded");

        await Id(sec, "align-G1.O1-reason").FillAsync("Awareness raising is part of the outcome");
        await Id(sec, "plan-outcome-G1.O1").GetByRole(AriaRole.Button, new() { Name = "Save SDG targets" }).ClickAsync();
        await Expect(sec.GetByText("The outcome's SDG targets were changed and your reason recorded.")).ToBeVisibleAsync(Visible);
        // The UN's title beside the code.
        await Expect(Id(sec, "plan-outcome-G1.O1").Locator("ul.targets li").Filter(new() { HasText = "13.3" })).ToContainTextAsync("awareness-raising", Contains);
        var aligned = Outcomes(await Plan()).Single(o => o.S("code") == "G1.O1");
        aligned.GetProperty("sdgTargets").EnumerateArray().Select(t => t.GetString()).ShouldBe(["13.2", "13.3"]);

        // The same list again is a conflict, said next to the list.
        await Id(sec, "plan-outcome-G1.O1").GetByText("Change the SDG targets of G1.O1").ClickAsync();
        await Id(sec, "align-G1.O1-reason").FillAsync("Again");
        await Id(sec, "plan-outcome-G1.O1").GetByRole(AriaRole.Button, new() { Name = "Save SDG targets" }).ClickAsync();
        await Expect(Id(sec, "align-G1.O1-sdgTargets-error")).ToHaveTextAsync("Outcome G1.O1 is already aligned with exactly these SDG targets.", Text);
    }

    [Fact]
    public async Task A_form_sent_after_someone_else_changed_the_plan_is_explained_and_sent_again_is_taken()
    {
        var sec = await web.SignInAsync("secretariat", "Li Wei");
        await sec.GotoAsync(Structure);
        await sec.Locator("#goal-code").FillAsync("G8");
        await sec.Locator("#goal-title").FillAsync("Oceans");
        // Meanwhile, another officer's script adds a goal.
        (await web.Secretariat().PostJson($"/api/plans/{WebFactory.Plan}/goals", new { code = "G9", title = "Air" })).EnsureSuccessStatusCode();

        var events = await web.EventCount();
        await sec.GetByRole(AriaRole.Button, new() { Name = "Add goal" }).ClickAsync();
        await Expect(sec.Locator("#goal-form").GetByRole(AriaRole.Alert))
            .ToContainTextAsync("Someone else changed this while you were filling in the form.", Contains);
        await Expect(sec.GetByRole(AriaRole.Heading, new() { Name = "G9 · Air" })).ToBeVisibleAsync(Visible);
        await Expect(sec.Locator("#goal-code")).ToHaveValueAsync("G8", Value);
        await Expect(sec.Locator("#goal-title")).ToHaveValueAsync("Oceans", Value);
        (await web.EventCount()).ShouldBe(events, "nothing recorded");

        await sec.GetByRole(AriaRole.Button, new() { Name = "Add goal" }).ClickAsync();
        await Expect(sec.GetByText("The goal was added.")).ToBeVisibleAsync(Visible);
        (await Plan()).GetProperty("goals").EnumerateArray().Select(g => g.S("code")).ShouldContain("G8");
    }

    [Theory]
    [InlineData("reviewer", null)]
    [InlineData("focal-point", "KH")]
    public async Task A_role_that_may_not_change_the_plan_finds_no_form_and_a_forged_post_is_refused_403(string role, string? country)
    {
        var page = await web.SignInAsync(role, "Not Secretariat", country);
        await page.GotoAsync(Structure);
        await Expect(page.GetByText("Only the secretariat changes the plan's structure and its SDG alignment.")).ToBeVisibleAsync(Visible);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "G1.O1 · Adaptation plans" })).ToBeVisibleAsync(Visible);
        (await page.Locator("main form[method=post]").CountAsync()).ShouldBe(0, "only the header's forms (language, sign-out)");

        // Posts forged with a valid token of this session (the header's language form).
        var token = await page.Locator("form.language input[name=__RequestVerificationToken]").GetAttributeAsync("value");
        var events = await web.EventCount();
        foreach (var (handler, fields) in new[]
                 {
                     ("goal", new Dictionary<string, string> { ["GoalForm.Code"] = "G7", ["GoalForm.Title"] = "Forged" }),
                     ("outcome", new Dictionary<string, string> { ["OutcomeForm.Goal"] = "G1", ["OutcomeForm.Code"] = "G1.O7", ["OutcomeForm.Title"] = "Forged" }),
                     ("align-G1.O2", new Dictionary<string, string> { ["AlignForm.SdgTargets"] = "1.1", ["AlignForm.Reason"] = "Forged" }),
                 })
        {
            var response = await WebFactory.PostFormAsync(page, Structure, token!, handler, fields);
            response.Status.ShouldBe(403, handler);
            (await response.TextAsync()).ShouldContain($"Not allowed: The {role} role may not do this.", Case.Sensitive, handler);
        }
        (await web.EventCount()).ShouldBe(events, "nothing recorded");
    }
}
