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

    internal static async Task Shot(IPage page, string name)
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

    [Fact]
    public async Task Another_countrys_focal_point_finds_no_form_and_a_forged_post_is_refused_403()
    {
        var th = await web.SignInAsync("focal-point", "Somchai Thai", "TH");
        var khPage = $"/commitments/{web.Ids["KH-3"]}";
        await th.GotoAsync(khPage);
        await Expect(th.GetByText("Only KH's focal point and the secretariat can change this commitment")).ToBeVisibleAsync(Visible);
        (await th.Locator("main form[method=post]").CountAsync()).ShouldBe(0, "only the header's forms (language, sign-out)");

        // A post forged with a valid token of TH's own session, from TH's own commitment's form.
        await th.GotoAsync($"/commitments/{web.Ids["TH-1"]}");
        var token = await th.Locator("#value-form input[name=__RequestVerificationToken]").GetAttributeAsync("value");
        var events = await web.EventCount();
        foreach (var (handler, fields) in new[]
                 {
                     ("value", new Dictionary<string, string> { ["ValueForm.Value"] = "1", ["ValueForm.AsOf"] = "2026-06-30" }),
                     ("status", new Dictionary<string, string> { ["StatusForm.Status"] = "on-hold" }),
                     ("comment", new Dictionary<string, string> { ["CommentForm.Text"] = "Forged" }),
                 })
        {
            var response = await WebFactory.PostFormAsync(th, khPage, token!, handler, fields);
            response.Status.ShouldBe(403, handler);
            (await response.TextAsync()).ShouldContain("Not allowed: A focal point for TH cannot", Case.Sensitive, handler);
        }
        (await web.EventCount()).ShouldBe(events, "nothing recorded");
    }

    [Fact]
    public async Task A_refused_value_keeps_what_was_typed_and_shows_the_rule_next_to_its_field()
    {
        var kh = await web.SignInAsync("focal-point", "Sokha Chan", "KH");
        await kh.GotoAsync($"/commitments/{web.Ids["KH-2"]}");
        var events = await web.EventCount();

        await kh.GetByLabel("Value (count)").FillAsync("five");
        await kh.Locator("#value-note").FillAsync("Typed before the refusal");
        await kh.GetByRole(AriaRole.Button, new() { Name = "Send value" }).ClickAsync();
        await Expect(kh.Locator("#value-error")).ToHaveTextAsync("Enter a number, such as 12 or 12.5.", new() { Timeout = WebFactory.TimeoutMs });
        await Expect(kh.GetByLabel("Value (count)")).ToHaveValueAsync("five");

        // The domain's rule, in the API's words: the member's today (1 July in Phnom Penh) is the latest date.
        await kh.GetByLabel("Value (count)").FillAsync("2");
        await kh.GetByLabel("Measured on").FillAsync("2026-07-05");
        await kh.GetByRole(AriaRole.Button, new() { Name = "Send value" }).ClickAsync();
        await Expect(kh.Locator("#asOf-error")).ToHaveTextAsync("Must not be in the future (today is 2026-07-01 where the value is reported).", new() { Timeout = WebFactory.TimeoutMs });
        await Expect(kh.GetByLabel("Value (count)")).ToHaveValueAsync("2");
        await Expect(kh.GetByLabel("Measured on")).ToHaveValueAsync("2026-07-05");
        await Expect(kh.Locator("#value-note")).ToHaveValueAsync("Typed before the refusal");
        await Expect(kh.GetByRole(AriaRole.Alert)).ToContainTextAsync("Please correct the fields marked below.");
        await Shot(kh, "refused-value");
        (await web.EventCount()).ShouldBe(events, "nothing recorded");

        // The same form answered without the browser's script: the status is the API's.
        var api = kh.Context.APIRequest;
        var form = api.CreateFormData();
        form.Set("_handler", "value");
        form.Set("__RequestVerificationToken", (await kh.Locator("#value-form input[name=__RequestVerificationToken]").GetAttributeAsync("value"))!);
        form.Set("ValueForm.Value", "2");
        form.Set("ValueForm.AsOf", "2026-07-05");
        (await api.PostAsync($"/commitments/{web.Ids["KH-2"]}", new() { Form = form })).Status.ShouldBe(400);
    }

    [Fact]
    public async Task Screens_need_a_session_and_a_session_does_not_open_the_api()
    {
        var context = await web.Browser.NewContextAsync(new() { BaseURL = web.BaseUrl });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/commitments/{web.Ids["KH-1"]}");
        page.Url.ShouldStartWith($"{web.BaseUrl}/signin?returnUrl=");

        var reviewer = await web.SignInAsync("reviewer", "Ana Auditor");
        (await reviewer.Context.APIRequest.GetAsync("/api/plans")).Status.ShouldBe(401, "the API takes bearer tokens only");
        await reviewer.GotoAsync("/review");
        await Expect(reviewer.GetByRole(AriaRole.Heading, new() { Name = "Values waiting for review" })).ToBeVisibleAsync(Visible);
        (await reviewer.GetByRole(AriaRole.Button, new() { Name = "Accept" }).CountAsync()).ShouldBe(0);

        var kh = await web.SignInAsync("focal-point", "Sokha Chan", "KH");
        var audit = await kh.GotoAsync("/audit");
        audit!.Status.ShouldBe(403);
        await Expect(kh.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" })).ToBeVisibleAsync(Visible);
    }

    [Fact]
    public async Task Signing_out_takes_the_forms_token_so_a_cross_site_post_cannot_end_a_session()
    {
        var page = await web.SignInAsync("reviewer", "Out Reviewer");
        // Posts another site could make: a form without the token, and a text/plain form (which the antiforgery
        // middleware does not read as a form).
        var refused = await page.Context.APIRequest.PostAsync("/signout", new() { Form = page.Context.APIRequest.CreateFormData(), MaxRedirects = 0 });
        refused.Status.ShouldBe(400);
        var plain = await page.Context.APIRequest.PostAsync("/signout", new() { Data = "x=1", Headers = new Dictionary<string, string> { ["Content-Type"] = "text/plain" }, MaxRedirects = 0 });
        plain.Status.ShouldBe(400);
        (await page.GotoAsync("/audit"))!.Status.ShouldBe(200, "still signed in");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GotoAsync("/audit");
        page.Url.ShouldStartWith($"{web.BaseUrl}/signin?returnUrl=");
    }

    [Fact]
    public async Task A_reviewer_finds_changes_with_their_actors_in_the_audit_screen_and_the_chain_intact()
    {
        await AuditSupport.WaitForDaemon(web);
        var reviewer = await web.SignInAsync("reviewer", "Ana Auditor");
        await reviewer.GotoAsync($"/audit?plan={WebFactory.Plan}&type=commitment-made");
        var row = reviewer.Locator("tr").Filter(new() { HasText = "KH-1" });
        await Expect(row.GetByText("Commitment made")).ToBeVisibleAsync(Visible);
        await Expect(row.GetByText("Secretariat Officer (secretariat)")).ToBeVisibleAsync(Visible);
        await reviewer.GetByRole(AriaRole.Button, new() { Name = "Check the whole log now" }).ClickAsync();
        await Expect(reviewer.GetByText("Intact: the hash chain was recomputed")).ToBeVisibleAsync(Visible);
        await Shot(reviewer, "audit");
    }

    [Fact]
    public async Task The_plan_at_a_glance_counts_each_country_and_goal_and_links_to_the_commitments_behind_a_cell()
    {
        var sec = await web.SignInAsync("secretariat", "Li Wei");
        await sec.GotoAsync($"/plan?plan={WebFactory.Plan}");
        ILocator Row(string country) => sec.Locator("table.matrix tbody tr").Filter(new() { Has = sec.GetByRole(AriaRole.Rowheader, new() { Name = country, Exact = true }) });
        await Expect(Row("KH").GetByRole(AriaRole.Link, new() { Name = "3 commitments" })).ToBeVisibleAsync(Visible);
        await Expect(Row("VN").GetByText("none").First).ToBeVisibleAsync(Visible);
        await Shot(sec, "plan");

        // TH's one commitment has no value yet: the health link opens the list filtered to it.
        await Row("TH").GetByRole(AriaRole.Link, new() { Name = "1 not known yet" }).ClickAsync();
        await Expect(sec.GetByText("1 commitment of TH, under goal G1, not known yet.")).ToBeVisibleAsync(Visible);
        await Expect(sec.Locator("tbody tr")).ToHaveCountAsync(1, new() { Timeout = WebFactory.TimeoutMs });
        await Expect(sec.Locator("tbody tr").First.GetByText("TH-1", new() { Exact = true })).ToBeVisibleAsync(Visible);

        await sec.GotoAsync($"/plan?plan={WebFactory.Plan}");
        await Row("KH").GetByRole(AriaRole.Link, new() { Name = "3 commitments" }).ClickAsync();
        await Expect(sec.GetByText("3 commitments of KH, under goal G1.")).ToBeVisibleAsync(Visible);
        (await sec.Locator("tbody tr td:first-child").AllInnerTextsAsync()).ShouldBe(["KH-1", "KH-2", "KH-3"]);
        await Shot(sec, "commitment-list");
    }

    [Fact]
    public async Task A_report_requested_on_its_screen_is_followed_until_ready_and_downloads_with_its_hashes()
    {
        var sec = await web.SignInAsync("secretariat", "Li Wei");
        await sec.GotoAsync($"/reports?plan={WebFactory.Plan}");
        await sec.GetByLabel("Kind").SelectOptionAsync("progress");
        await sec.GetByLabel("Round").SelectOptionAsync("2026-Q2");
        await sec.GetByRole(AriaRole.Button, new() { Name = "Request report" }).ClickAsync();
        await Expect(sec.GetByText("The report was requested.")).ToBeVisibleAsync(Visible);
        var id = Guid.Parse(new Uri(sec.Url).Segments.Last());

        // Waits on the job itself, then looks at the report's page as its requester would come back to it.
        var status = await ReportFixture.Succeeded(web.Secretariat(), id);
        await sec.GotoAsync($"/reports/{id}");
        await Expect(sec.GetByRole(AriaRole.Heading, new() { Name = "Ready" })).ToBeVisibleAsync(Visible);
        var contentHash = status.S("contentHash")!;
        await Expect(sec.GetByText(contentHash)).ToBeVisibleAsync(Visible);
        await Expect(sec.GetByText(status.S("chainHash")!)).ToBeVisibleAsync(Visible);
        await Shot(sec, "report");

        async Task<IAPIResponse> Download(string link) =>
            await sec.Context.APIRequest.GetAsync((await sec.GetByRole(AriaRole.Link, new() { Name = link }).GetAttributeAsync("href"))!);
        var html = await Download("a web page (HTML)");
        html.Status.ShouldBe(200);
        html.Headers["content-type"].ShouldStartWith("text/html");
        (await html.TextAsync()).ShouldContain(contentHash);
        var csv = await Download("a table (CSV)");
        csv.Headers["content-type"].ShouldStartWith("text/csv");
        var json = await Download("data (JSON)");
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await json.BodyAsync())).ShouldBe(contentHash);
        // The same links in a member's language: asked for with lang, or the browser's Accept-Language.
        var khmer = await sec.Context.APIRequest.GetAsync($"/reports/{id}/file?format=html&lang=km");
        khmer.Status.ShouldBe(200);
        khmer.Headers["content-language"].ShouldBe("km");
        (await khmer.TextAsync()).ShouldStartWith("<!DOCTYPE html><html lang=\"km\">");
        var thai = await sec.Context.APIRequest.GetAsync($"/reports/{id}/file?format=csv",
            new() { Headers = new Dictionary<string, string> { ["Accept-Language"] = "th-TH,th;q=0.9" } });
        thai.Headers["content-language"].ShouldBe("th");
        thai.Headers["content-disposition"].ShouldEndWith(".th.csv\"");

        // Listed with its hash.
        await sec.GotoAsync($"/reports?plan={WebFactory.Plan}");
        // (The same figures give the same hash: a report of the round requested earlier in this class may share it.)
        await Expect(sec.Locator("tr").Filter(new() { HasText = contentHash }).GetByRole(AriaRole.Link, new() { Name = "Progress, round 2026-Q2" }).First).ToBeVisibleAsync(Visible);
    }

    [Fact]
    public async Task A_refused_report_request_keeps_the_choices_and_says_the_rule_next_to_the_round()
    {
        var sec = await web.SignInAsync("secretariat", "Li Wei");
        await sec.GotoAsync($"/reports?plan={WebFactory.Plan}");
        var events = await web.EventCount();
        await sec.GetByLabel("Kind").SelectOptionAsync("sdg-alignment");
        await sec.GetByLabel("Round").SelectOptionAsync("2026-Q2");
        await sec.GetByRole(AriaRole.Button, new() { Name = "Request report" }).ClickAsync();
        await Expect(sec.Locator("#round-error")).ToHaveTextAsync("Only progress reports are made for a round.", new() { Timeout = WebFactory.TimeoutMs });
        await Expect(sec.GetByLabel("Kind")).ToHaveValueAsync("sdg-alignment");
        await Expect(sec.GetByLabel("Round")).ToHaveValueAsync("2026-Q2");
        (await web.EventCount()).ShouldBe(events, "nothing recorded");

        // A focal point is offered no request form.
        var kh = await web.SignInAsync("focal-point", "Sokha Chan", "KH");
        await kh.GotoAsync($"/reports?plan={WebFactory.Plan}");
        await Expect(kh.GetByRole(AriaRole.Heading, new() { Name = "Reports of this plan" })).ToBeVisibleAsync(Visible);
        (await kh.GetByRole(AriaRole.Button, new() { Name = "Request report" }).CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task A_reviewer_sees_the_checkpoint_signed_for_a_report_and_the_check_holds_the_chain_to_it()
    {
        var (id, status, _) = await ReportFixture.Generate(web.Secretariat(), new { kind = "sdg-alignment", plan = WebFactory.Plan });
        await AuditSupport.WaitForDaemon(web);
        var reviewer = await web.SignInAsync("reviewer", "Ana Auditor");
        await reviewer.GotoAsync("/audit?verify=1");
        // Other reports of this class may have been signed at the same chain head (no event between them): the row is the
        // one with this hash that links to this report.
        var row = reviewer.Locator("tr").Filter(new() { HasText = status.S("chainHash")! })
            .Filter(new() { Has = reviewer.Locator($"a[href='/reports/{id}']") });
        await Expect(row.GetByRole(AriaRole.Link, new() { Name = "a report" })).ToHaveAttributeAsync("href", $"/reports/{id}", new() { Timeout = WebFactory.TimeoutMs });
        await Expect(row.GetByRole(AriaRole.Cell, new() { Name = status.GetProperty("eventSequence").GetInt64().ToString(), Exact = true })).ToBeVisibleAsync(Visible);
        await Expect(reviewer.GetByText(new System.Text.RegularExpressions.Regex(@"matches, as do \d+ signed checkpoints"))).ToBeVisibleAsync(Visible);
        await Shot(reviewer, "audit-checkpoints");
    }

    [Fact]
    public async Task A_status_change_sent_after_someone_else_changed_the_commitment_is_explained_and_sent_again_is_taken()
    {
        var kh = await web.SignInAsync("focal-point", "Sokha Chan", "KH");
        var id = web.Ids["KH-3"];
        await kh.GotoAsync($"/commitments/{id}");
        await kh.GetByLabel("New status").SelectOptionAsync("on-hold");
        await kh.Locator("#status-note").FillAsync("Waiting for the provincial budget");
        // Meanwhile, a colleague's tool starts the work.
        (await web.FocalPoint("KH").PostJson($"/api/commitments/{id}/status", new { status = "in-progress" })).EnsureSuccessStatusCode();

        var events = await web.EventCount();
        await kh.GetByRole(AriaRole.Button, new() { Name = "Change status" }).ClickAsync();
        await Expect(kh.Locator("#status-form-heading + .alert")).ToContainTextAsync("Someone else changed this while you were filling in the form.",
            new() { Timeout = WebFactory.TimeoutMs });
        await Expect(kh.Locator("dl.terms").First.GetByText("In progress")).ToBeVisibleAsync(Visible);
        await Expect(kh.GetByLabel("New status")).ToHaveValueAsync("on-hold");
        await Expect(kh.Locator("#status-note")).ToHaveValueAsync("Waiting for the provincial budget");
        (await web.EventCount()).ShouldBe(events, "nothing recorded");

        await kh.GetByRole(AriaRole.Button, new() { Name = "Change status" }).ClickAsync();
        await Expect(kh.GetByText("The status was changed")).ToBeVisibleAsync(Visible);
        var c = await (await web.Reviewer().GetAsync($"/api/commitments/{id}")).Json();
        c.GetProperty("status").GetString().ShouldBe("on-hold");
    }

    [Fact]
    public async Task Revising_terms_without_a_reason_is_refused_keeping_the_input_and_with_one_is_recorded_with_it()
    {
        var kh = await web.SignInAsync("focal-point", "Sokha Chan", "KH");
        await kh.GotoAsync($"/commitments/{web.Ids["KH-3"]}");
        var events = await web.EventCount();
        await kh.GetByLabel("Target (count)").FillAsync("6");
        await kh.GetByRole(AriaRole.Button, new() { Name = "Revise terms" }).ClickAsync();
        await Expect(kh.Locator("#revise-reason-error")).Not.ToBeEmptyAsync(new() { Timeout = WebFactory.TimeoutMs });
        await Expect(kh.GetByLabel("Target (count)")).ToHaveValueAsync("6");
        (await web.EventCount()).ShouldBe(events, "nothing recorded");

        await kh.GetByLabel("Reason for the change").FillAsync("Agreed at the annual meeting");
        await kh.GetByRole(AriaRole.Button, new() { Name = "Revise terms" }).ClickAsync();
        await Expect(kh.GetByText("The terms were revised")).ToBeVisibleAsync(Visible);
        await Expect(kh.Locator("dl.terms").First.GetByText("6", new() { Exact = true })).ToBeVisibleAsync(Visible);
        var row = kh.Locator("tr").Filter(new() { HasText = "Commitment revised" });
        await Expect(row.GetByText("Agreed at the annual meeting")).ToBeVisibleAsync(Visible);
        await Expect(row.GetByText("Sokha Chan (focal point, KH)")).ToBeVisibleAsync(Visible);
        var c = await (await web.Reviewer().GetAsync($"/api/commitments/{web.Ids["KH-3"]}")).Json();
        c.GetProperty("target").GetDouble().ShouldBe(6);
        c.GetProperty("title").GetString().ShouldBe("Adopt provincial adaptation plans", "only what changed is sent");
    }

    [Fact]
    public async Task The_secretariat_returns_and_accepts_values_on_the_commitment_page_itself()
    {
        var focal = web.FocalPoint("KH");
        async Task Send(double value) => (await focal.PostJson($"/api/commitments/{web.Ids["KH-2"]}/progress", new { value, asOf = "2026-06-29" })).EnsureSuccessStatusCode();
        await Send(1);
        var sec = await web.SignInAsync("secretariat", "Li Wei");
        await sec.GotoAsync($"/commitments/{web.Ids["KH-2"]}");
        var row = sec.Locator("tr").Filter(new() { HasText = "Waiting for review" });

        // Returning needs a comment: said next to it.
        await row.GetByRole(AriaRole.Button, new() { Name = "Return for correction" }).ClickAsync();
        await Expect(sec.Locator("tr").Filter(new() { HasText = "Waiting for review" }).Locator(".error").First).Not.ToBeEmptyAsync(new() { Timeout = WebFactory.TimeoutMs });
        await sec.Locator("tr").Filter(new() { HasText = "Waiting for review" }).GetByLabel("Comment for the focal point").FillAsync("Which provinces?");
        await sec.Locator("tr").Filter(new() { HasText = "Waiting for review" }).GetByRole(AriaRole.Button, new() { Name = "Return for correction" }).ClickAsync();
        await Expect(sec.GetByText("The value was returned with your comment.")).ToBeVisibleAsync(Visible);
        await Expect(sec.Locator("tr").Filter(new() { HasText = "Returned for correction" }).GetByText("Which provinces?")).ToBeVisibleAsync(Visible);

        await Send(2);
        await sec.ReloadAsync();
        await sec.Locator("tr").Filter(new() { HasText = "Waiting for review" }).GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Expect(sec.GetByText("The value was accepted")).ToBeVisibleAsync(Visible);
        (await Values("KH-2")).EnumerateArray().Select(v => v.GetProperty("state").GetString()).ShouldBe(["returned", "accepted"]);
    }

    [Fact]
    public async Task A_focal_point_makes_a_commitment_for_its_own_country_after_a_refused_due_date_kept_the_form()
    {
        var kh = await web.SignInAsync("focal-point", "Sokha Chan", "KH");
        await kh.GotoAsync("/country");
        await kh.GetByRole(AriaRole.Link, new() { Name = "Make a new commitment" }).ClickAsync();
        await Expect(kh.GetByText("For KH, your country.")).ToBeVisibleAsync(Visible);
        (await kh.GetByLabel("Country").CountAsync()).ShouldBe(0, "a focal point makes commitments for its own country only");
        await kh.GetByLabel("Outcome").SelectOptionAsync("G2.O1");
        await kh.GetByLabel("Title").FillAsync("Monitor the Tonle Sap");
        await kh.GetByLabel("Lead agency").FillAsync("Ministry of Water Resources");
        await kh.GetByLabel("Due date").FillAsync("2030-01-01");
        await kh.GetByRole(AriaRole.Combobox, new() { Name = "Indicator" }).SelectOptionAsync("G2.O1.I1");
        await kh.GetByLabel("Target").FillAsync("80");
        var events = await web.EventCount();
        await kh.GetByRole(AriaRole.Button, new() { Name = "Make commitment" }).ClickAsync();
        await Expect(kh.Locator("#make-due-error")).ToContainTextAsync("2028-12-31", new() { Timeout = WebFactory.TimeoutMs });
        await Expect(kh.GetByLabel("Title")).ToHaveValueAsync("Monitor the Tonle Sap");
        await Expect(kh.GetByLabel("Outcome")).ToHaveValueAsync("G2.O1");
        (await web.EventCount()).ShouldBe(events, "nothing recorded");

        await kh.GetByLabel("Due date").FillAsync("2027-12-31");
        await kh.GetByRole(AriaRole.Button, new() { Name = "Make commitment" }).ClickAsync();
        await Expect(kh.GetByText("The commitment was made.")).ToBeVisibleAsync(Visible);
        await Expect(kh.GetByRole(AriaRole.Heading, new() { Name = "Monitor the Tonle Sap" })).ToBeVisibleAsync(Visible);
        var id = Guid.Parse(new Uri(kh.Url).Segments.Last());
        var made = await (await web.Reviewer().GetAsync($"/api/commitments/{id}")).Json();
        made.GetProperty("country").GetString().ShouldBe("KH");
        made.GetProperty("outcome").GetString().ShouldBe("G2.O1");
        made.GetProperty("target").GetDouble().ShouldBe(80);
    }

    [Fact]
    public async Task An_unknown_screen_address_answers_404_with_a_page_in_words_while_the_api_keeps_its_problem()
    {
        var kh = await web.SignInAsync("focal-point", "Sokha Chan", "KH");
        var response = await kh.GotoAsync("/no-such-screen");
        response!.Status.ShouldBe(404);
        response.Headers["content-type"].ShouldStartWith("text/html");
        await Expect(kh.GetByRole(AriaRole.Heading, new() { Name = "Page not found" })).ToBeVisibleAsync(Visible);
        await Expect(kh.GetByRole(AriaRole.Link, new() { Name = "Go to your start page" })).ToBeVisibleAsync(Visible);

        var api = await web.Reviewer().GetAsync("/api/no-such-resource");
        ((int)api.StatusCode).ShouldBe(404);
        api.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    /// <summary>Issue 12, acceptance 6: the report pages as the API serves them, in a browser, at both widths.</summary>
    [Theory]
    [InlineData("progress", "2026-Q2")]
    [InlineData("progress", null)]
    [InlineData("sdg-alignment", null)]
    public async Task Axe_finds_no_serious_or_critical_violation_in_a_report_page(string kind, string? round)
    {
        var (id, _, _) = await ReportFixture.Generate(web.Secretariat(), new { kind, plan = WebFactory.Plan, round });
        foreach (var width in new[] { 360, 1280 })
        {
            var context = await web.Browser.NewContextAsync(new()
            {
                BaseURL = web.BaseUrl, ViewportSize = new() { Width = width, Height = 800 },
                ExtraHTTPHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + web.Token("secretariat", name: "Report Reader") },
            });
            var page = await context.NewPageAsync();
            var response = await page.GotoAsync($"/api/reports/{id}/content?format=html");
            response!.Status.ShouldBe(200);
            var result = await page.RunAxe();
            var serious = result.Violations.Where(v => v.Impact is "serious" or "critical")
                .Select(v => $"{v.Id} ({v.Impact}): {string.Join(", ", v.Nodes.Take(3).Select(n => n.Html))}").ToList();
            serious.ShouldBeEmpty($"{kind} report at {width} px");
            // Everything inside landmarks (axe's "region" rule is moderate, so it is asked for by name).
            result.Violations.Select(v => v.Id).ShouldNotContain("region");
            (await page.Locator("main").CountAsync()).ShouldBe(1);
            await Shot(page, $"report-{kind}{(round is null ? "" : "-round")}-{width}");
            await context.CloseAsync();
        }
    }

    /// <summary>The samples in docs/ (the demo plan after docs/render-reports.sh), whose every health and status colour shows.</summary>
    [Theory]
    [InlineData("progress-report.html")]
    [InlineData("sdg-alignment-report.html")]
    [InlineData("progress-report.km.html")]
    [InlineData("progress-report.lo.html")]
    [InlineData("progress-report.my.html")]
    [InlineData("progress-report.th.html")]
    [InlineData("progress-report.zh.html")]
    public async Task Axe_finds_no_serious_or_critical_violation_in_the_report_samples_in_docs(string file)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Strategy.sln"))) root = Path.GetDirectoryName(root)!;
        var html = await File.ReadAllTextAsync(Path.Combine(root, "docs", file));
        foreach (var width in new[] { 360, 1280 })
        {
            var context = await web.Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = 800 } });
            var page = await context.NewPageAsync();
            await page.SetContentAsync(html);
            var result = await page.RunAxe();
            result.Violations.Where(v => v.Impact is "serious" or "critical" || v.Id == "region")
                .Select(v => $"{v.Id} ({v.Impact}): {string.Join(", ", v.Nodes.Take(3).Select(n => n.Html))}").ShouldBeEmpty($"{file} at {width} px");
            await context.CloseAsync();
        }
    }

    public static TheoryData<string, string> Pages => new()
    {
        { "focal-point", "/country" },
        { "focal-point", "/commitments/KH-1" },
        { "focal-point", "/rounds" },
        { "secretariat", "/review" },
        { "secretariat", "/rounds" },
        { "secretariat", "/rounds/first" },
        { "secretariat", "/commitments/TH-1" },
        { "reviewer", "/audit?verify=1" },
        { "secretariat", "/plan" },
        { "focal-point", "/plan" },
        { "secretariat", "/commitments?country=KH" },
        { "secretariat", "/reports" },
        { "secretariat", "/reports/first" },
        { "focal-point", "/reports" },
        { "reviewer", "/commitments/KH-2/as-of?asOf=2020-01-01" },
        { "reviewer", "/commitments/KH-2/as-of?asOf=tomorrow" },
        { "secretariat", "/plan/structure" },
        { "reviewer", "/plan/structure?asOf=tomorrow" },
        { "focal-point", "/commitments/new" },
        { "", "/no-such-screen" },
        { "reviewer", "/denied" },
        { "", "/signin" },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Axe_finds_no_serious_or_critical_violation(string role, string path)
    {
        foreach (var width in new[] { 360, 1280 })
        {
            var page = role == ""
                ? await (await web.Browser.NewContextAsync(new() { BaseURL = web.BaseUrl, ViewportSize = new() { Width = width, Height = 800 } })).NewPageAsync()
                : await web.SignInAsync(role, $"{role} tester", role == "focal-point" ? "KH" : null, width);
            var url = await Resolve(path);
            var response = await page.GotoAsync(url);
            response!.Status.ShouldBeLessThan(500, url);
            var result = await page.RunAxe();
            var serious = result.Violations.Where(v => v.Impact is "serious" or "critical")
                .Select(v => $"{v.Id} ({v.Impact}): {string.Join(", ", v.Nodes.Take(3).Select(n => n.Html))}").ToList();
            serious.ShouldBeEmpty($"{url} at {width} px");
            // Nothing wider than the screen: a phone scrolls only tables sideways, inside their own box.
            (await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth")).ShouldBeTrue($"{url} at {width} px");
            await Shot(page, $"{(role == "" ? "anonymous" : role)}{new string([.. path.Select(ch => char.IsLetterOrDigit(ch) ? ch : '-')])}-{width}");
        }
    }

    private async Task<string> Resolve(string path)
    {
        foreach (var (code, id) in web.Ids) path = path.Replace($"/commitments/{code}", $"/commitments/{id}");
        // The events carry the database's real time (the service's clock is fixed): the end of tomorrow follows them all.
        path = path.Replace("asOf=tomorrow", "asOf=" + DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        if (path == "/rounds/first")
        {
            var rounds = await (await web.Reviewer().GetAsync($"/api/plans/{WebFactory.Plan}/rounds")).Json();
            path = $"/rounds/{rounds[0].GetProperty("id").GetGuid()}";
        }
        if (path == "/reports/first")
        {
            var (id, _, _) = await ReportFixture.Generate(web.Secretariat(), new { kind = "progress", plan = WebFactory.Plan });
            path = $"/reports/{id}";
        }
        return path;
    }
}
