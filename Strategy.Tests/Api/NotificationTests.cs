using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Hangfire;
using Hangfire.States;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;
using Strategy.Api.Features.Notifications;
using Strategy.Infrastructure.Notifications;

namespace Strategy.Tests.Api;

/// <summary>A real SMTP server in the test process that keeps every message it is given.</summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    private CancellationTokenSource? stop;
    private Task? running;
    public int Port { get; }
    public ConcurrentQueue<MimeMessage> Received { get; } = new();

    public TestSmtpServer()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0)) { probe.Start(); Port = ((IPEndPoint)probe.LocalEndpoint).Port; probe.Stop(); }
        Start();
    }

    /// <summary>Listens on <see cref="Port"/> again after <see cref="StopAsync"/>: the server is back.</summary>
    public void Start()
    {
        var options = new SmtpServerOptionsBuilder().ServerName("localhost").Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)).IsSecure(false)).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(Received));
        stop = new CancellationTokenSource();
        running = new SmtpServer.SmtpServer(options, services).StartAsync(stop.Token);
    }

    /// <summary>The server goes away: connections to its port are refused until <see cref="Start"/>.</summary>
    public async Task StopAsync()
    {
        if (stop is null || running is null) return;
        await stop.CancelAsync();
        try { await running; } catch (OperationCanceledException) { }
        stop = null;
        running = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private sealed class Store(ConcurrentQueue<MimeMessage> received) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken ct)
        {
            await using var stream = new MemoryStream(buffer.ToArray());
            received.Enqueue(await MimeMessage.LoadAsync(stream, ct));
            return SmtpResponse.Ok;
        }
    }
}

/// <summary>The API with its mail sent to a <see cref="TestSmtpServer"/>, on a clock the tests set (2026-07-01 12:00 UTC unless one moves it).</summary>
public sealed class MailApiFactory : FixedClockFactory, IAsyncLifetime
{
    public TestSmtpServer Smtp { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Mail:Smtp:Host", "127.0.0.1");
        builder.UseSetting("Mail:Smtp:Port", Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Mail:Smtp:UseTls", "false");
        builder.UseSetting("Mail:Smtp:From", "Strategy <no-reply@strategy.test>");
        builder.UseSetting("Mail:LinkBase", "https://strategy.test");
        // A failed mail is due again at once, so a test need not wait out the minute the service waits.
        builder.UseSetting("Mail:RetryAfterSeconds", "0");
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

/// <summary>
/// Notices become mail through the outbox: written with the event that causes them, sent by a Hangfire job over SMTP
/// to the contacts who should hear, once.
/// </summary>
public sealed class NotificationTests(MailApiFactory api) : IClassFixture<MailApiFactory>
{
    private static readonly string[] Members = ["KH", "TH", "VN"];

    /// <summary>Runs the mail job through Hangfire, as the minutely schedule does, and waits for it to finish.</summary>
    private Task<DispatchResult> DispatchAsync() =>
        RunJobAsync<DispatchResult>(api.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<MailJobs>(j => j.Dispatch(CancellationToken.None)));

    /// <summary>The daily reminder job as if today were <paramref name="today"/> on the secretariat's calendar.</summary>
    private Task<int> RemindAsync(DateOnly today) =>
        RunJobAsync<int>(api.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<MailJobs>(j => j.RemindersOn(today, CancellationToken.None)));

    /// <summary>The weekly digest job as if today were <paramref name="today"/> on the secretariat's calendar.</summary>
    private Task<bool> DigestAsync(DateOnly today) =>
        RunJobAsync<bool>(api.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<MailJobs>(j => j.DigestOn(today, CancellationToken.None)));

    /// <summary>The daily overdue check, sent as its job sends it: as the system, on the service's clock.</summary>
    private async Task<int> MarkOverdueAsync()
    {
        await using var scope = api.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Strategy.Api.Auth.CurrentActor>().ActAsSystem();
        return await scope.ServiceProvider.GetRequiredService<Mediator.IMediator>().Send(new Strategy.Api.Features.Reports.MarkOverdueCommitments());
    }

    private async Task<T> RunJobAsync<T>(string id)
    {
        var storage = api.Services.GetRequiredService<JobStorage>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            using var connection = storage.GetConnection();
            var state = connection.GetStateData(id);
            if (state?.Name == SucceededState.StateName)
                return System.Text.Json.JsonSerializer.Deserialize<T>(state.Data["Result"], ApiFactory.JsonOptions)!;
            if (state?.Name == FailedState.StateName) throw new InvalidOperationException("The mail job failed: " + state.Data["ExceptionMessage"]);
            await Task.Delay(100);
        }
        throw new TimeoutException("The mail job did not finish in 60 s.");
    }

    private async Task Contact(string sub, string email, string role, string? country, string language = "en")
    {
        var put = await api.Secretariat().PutJson($"/api/contacts/{sub}", new { name = $"Desk officer {sub}", email, role, country, language });
        put.StatusCode.ShouldBe(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
    }

    private List<MimeMessage> To(string address) => [.. api.Smtp.Received.Where(m => m.To.Mailboxes.Any(a => a.Address == address))];

    /// <summary>A plan of its own, and a focal point of each member with a contact of its own (by the plan's name), so
    /// no test sees another's contacts or choices.</summary>
    private async Task<string> PlanWithContacts()
    {
        var plan = "ML-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        (await api.Secretariat().PostJson("/api/plans", TestPlan.Document(plan))).StatusCode.ShouldBe(HttpStatusCode.Created);
        foreach (var c in Members) await Contact(Sub(plan, c), Address(plan, c), "focal-point", c);
        return plan;
    }

    private static string Sub(string plan, string country) => $"{plan}-fp-{country}".ToLowerInvariant();

    private static string Address(string plan, string country) => $"fp-{country}@{plan}.test".ToLowerInvariant();

    private HttpClient FocalPoint(string plan, string country) => api.As("focal-point", country, sub: Sub(plan, country), name: $"Focal point {country}");

    [Fact]
    public async Task A_round_opened_mails_each_members_focal_point_once_and_a_second_run_sends_nothing_more()
    {
        var plan = await PlanWithContacts();
        // A focal point of a country outside the plan, and one who turned the notice off, hear nothing.
        await Contact("fp-cn", $"fp-cn@{plan.ToLowerInvariant()}.test", "focal-point", "CN");
        var opened = await api.Secretariat().PostJson($"/api/plans/{plan}/rounds", new { code = "2025-Q3", periodStart = "2025-07-01", periodEnd = "2025-09-30", deadline = "2025-10-15" });
        opened.StatusCode.ShouldBe(HttpStatusCode.Created, await opened.Content.ReadAsStringAsync());

        var first = await DispatchAsync();
        first.Failed.ShouldBe(0);
        foreach (var c in Members)
        {
            var mails = To(Address(plan, c));
            mails.Count.ShouldBe(1, c);
            mails[0].Subject.ShouldNotBeNull().ShouldContain("2025-Q3");
            mails[0].Subject.ShouldNotBeNull().ShouldContain("15 October 2025");
            mails[0].TextBody.ShouldNotBeNull().ShouldContain("https://strategy.test/country");
            mails[0].HtmlBody.ShouldNotBeNull().ShouldContain("href=\"https://strategy.test/country\"");
            mails[0].From.Mailboxes.Single().Address.ShouldBe("no-reply@strategy.test");
        }
        To($"fp-cn@{plan.ToLowerInvariant()}.test").ShouldBeEmpty();

        var received = api.Smtp.Received.Count;
        var second = await DispatchAsync();
        second.Sent.ShouldBe(0);
        api.Smtp.Received.Count.ShouldBe(received);
    }

    [Fact]
    public async Task A_round_opened_mails_each_contact_in_its_own_language()
    {
        var plan = "ML-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        (await api.Secretariat().PostJson("/api/plans", TestPlan.Document(plan))).StatusCode.ShouldBe(HttpStatusCode.Created);
        await Contact(Sub(plan, "KH"), Address(plan, "KH"), "focal-point", "KH", language: "km");
        await Contact(Sub(plan, "TH"), Address(plan, "TH"), "focal-point", "TH", language: "en");
        (await api.Secretariat().PostJson($"/api/plans/{plan}/rounds", new { code = "2025-Q3", periodStart = "2025-07-01", periodEnd = "2025-09-30", deadline = "2025-10-15" }))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        await DispatchAsync();

        var khmer = To(Address(plan, "KH")).ShouldHaveSingleItem();
        var km = MailResource("km");
        foreach (var words in Literals(km["RoundOpened.Subject"])) khmer.Subject.ShouldNotBeNull().ShouldContain(words);
        foreach (var words in Literals(km["RoundOpened.Submit"]).Concat(Literals(km["Footer.Why"]))) khmer.TextBody.ShouldNotBeNull().ShouldContain(words);
        // The deadline in Khmer: its month by the Khmer calendar's name, not "October".
        khmer.Subject.ShouldNotBeNull().ShouldContain(CultureInfo.GetCultureInfo("km-KH").DateTimeFormat.GetMonthName(10));
        khmer.HtmlBody.ShouldNotBeNull().ShouldContain("<html lang=\"km\">");
        khmer.Body.ShouldNotBeNull().Headers["Content-Language"].ShouldBe("km");

        var english = To(Address(plan, "TH")).ShouldHaveSingleItem();
        var en = MailResource(null);
        foreach (var words in Literals(en["RoundOpened.Subject"])) english.Subject.ShouldNotBeNull().ShouldContain(words);
        english.Subject.ShouldNotBeNull().ShouldContain("October");
        english.HtmlBody.ShouldNotBeNull().ShouldContain("<html lang=\"en\">");
        english.Body.ShouldNotBeNull().Headers["Content-Language"].ShouldBe("en");

        // The unsubscribe link's page and what its button answers speak the contact's language too.
        var link = new Uri(khmer.Headers["List-Unsubscribe"].ShouldNotBeNull().Trim('<', '>'));
        var browser = api.CreateClient();
        browser.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        var page = await (await browser.GetAsync(link.PathAndQuery)).Content.ReadAsStringAsync();
        page.ShouldContain("<html lang=\"km\">");
        page.ShouldContain(WebUtility.HtmlEncode(km["Unsubscribe.Button"]));
        var done = await browser.PostAsync(link.PathAndQuery, null);
        done.StatusCode.ShouldBe(HttpStatusCode.OK);
        done.Content.Headers.ContentType.ShouldNotBeNull().MediaType.ShouldBe("text/html");
        (await done.Content.ReadAsStringAsync()).ShouldContain(WebUtility.HtmlEncode(km["Unsubscribe.Done"]));
    }

    /// <summary>The mail texts of a language as its resource file has them (null: the English source).</summary>
    private static Dictionary<string, string> MailResource(string? lang) =>
        Strategy.Translations.TranslationCheck.Read(Path.Combine(Strategy.Tests.Translations.TranslationTests.Repository(),
            "Strategy.Infrastructure", "Notifications", "Resources", lang is null ? "MailText.resx" : $"MailText.{lang}.resx")).ToDictionary(t => t.Key, t => t.Value);

    /// <summary>The words of a text around its placeholders: what any mail made from it must contain.</summary>
    private static IEnumerable<string> Literals(string template) =>
        Regex.Split(template, @"\{[0-9]+(?:[,:][^{}]*)?\}").Select(p => p.Trim()).Where(p => p.Length > 0);

    [Fact]
    public async Task A_returned_value_mails_its_submitter_with_the_comment()
    {
        var plan = await PlanWithContacts();
        var made = await api.Secretariat().PostJson($"/api/plans/{plan}/commitments", TestPlan.Commitment("KH"));
        var id = (await made.Json()).GetProperty("id").GetGuid();
        (await FocalPoint(plan, "KH").PostJson($"/api/commitments/{id}/progress", new { value = 3, asOf = "2025-06-30" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var value = (await (await api.Secretariat().GetAsync($"/api/commitments/{id}/values")).Json()).EnumerateArray().Single().GetProperty("id").GetGuid();
        (await api.Secretariat().PostJson($"/api/commitments/{id}/values/{value}/return", new { comment = "Three plans? The minutes list two." }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);

        await DispatchAsync();
        var mail = To(Address(plan, "KH")).ShouldHaveSingleItem();
        mail.Subject.ShouldNotBeNull().ShouldContain("returned");
        mail.TextBody.ShouldNotBeNull().ShouldContain("Three plans? The minutes list two.");
        mail.TextBody.ShouldNotBeNull().ShouldContain($"https://strategy.test/commitments/{id}");
        To(Address(plan, "TH")).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_person_turns_a_notice_off_and_only_sees_their_own_address()
    {
        var plan = await PlanWithContacts();
        var kh = FocalPoint(plan, "KH");
        var me = await (await kh.GetAsync("/api/me")).Json();
        me.GetProperty("contact").GetProperty("email").GetString().ShouldBe(Address(plan, "KH"));
        me.GetProperty("contact").GetProperty("notices").GetProperty("value-accepted").GetBoolean().ShouldBeFalse();
        // Focal points see no one else's address.
        await (await kh.GetAsync("/api/contacts")).ShouldBeProblem(403);
        await (await kh.PutJson("/api/contacts/fp-th", new { name = "x", email = "x@y.test", role = "focal-point", country = "TH", language = "en" })).ShouldBeProblem(403);

        var off = await kh.PutJson("/api/me/preferences", new { notices = new Dictionary<string, bool> { ["round-opened"] = false }, language = "km" });
        off.StatusCode.ShouldBe(HttpStatusCode.OK, await off.Content.ReadAsStringAsync());
        (await off.Json()).GetProperty("language").GetString().ShouldBe("km");
        await (await kh.PutJson("/api/me/preferences", new { notices = new Dictionary<string, bool> { ["no-such-notice"] = true } })).ShouldBeProblem(400, "notices.no-such-notice");

        (await api.Secretariat().PostJson($"/api/plans/{plan}/rounds", new { code = "2025-Q4", periodStart = "2025-10-01", periodEnd = "2025-12-31", deadline = "2026-01-15" }))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        await DispatchAsync();
        To(Address(plan, "KH")).ShouldBeEmpty();
        To(Address(plan, "TH")).Count.ShouldBe(1);
    }

    [Fact]
    public async Task The_7_day_reminder_goes_only_to_members_still_missing_values_and_a_second_run_sends_nothing_more()
    {
        var plan = await PlanWithContacts();
        var sec = api.Secretariat();
        var kh = (await (await sec.PostJson($"/api/plans/{plan}/commitments", TestPlan.Commitment("KH"))).Json()).GetProperty("id").GetGuid();
        (await sec.PostJson($"/api/plans/{plan}/commitments", TestPlan.Commitment("TH"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await sec.PostJson($"/api/plans/{plan}/commitments", TestPlan.Commitment("TH", outcome: "G1.O2", indicator: "G1.O2.I1", target: 30))).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await sec.PostJson($"/api/plans/{plan}/rounds", new { code = "2025-Q3", periodStart = "2025-07-01", periodEnd = "2025-09-30", deadline = "2025-10-15" }))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        // KH has sent its value for the round; TH's two commitments have none; VN has no commitment to report on.
        var sent = await FocalPoint(plan, "KH").PostJson($"/api/commitments/{kh}/progress", new { value = 2, asOf = "2025-09-30" });
        sent.StatusCode.ShouldBe(HttpStatusCode.OK, await sent.Content.ReadAsStringAsync());
        await DispatchAsync();
        var before = api.Smtp.Received.Count;

        (await RemindAsync(new DateOnly(2025, 10, 5))).ShouldBe(0);
        (await RemindAsync(new DateOnly(2025, 10, 8))).ShouldBeGreaterThanOrEqualTo(1);
        await DispatchAsync();
        var reminder = To(Address(plan, "TH")).Where(m => (m.Subject ?? "").Contains("7 days")).ShouldHaveSingleItem();
        reminder.Subject.ShouldNotBeNull().ShouldContain("15 October 2025");
        reminder.TextBody.ShouldNotBeNull().ShouldContain("2 of your country's commitments have no value yet");
        To(Address(plan, "KH")).ShouldNotContain(m => (m.Subject ?? "").Contains("days to the deadline"));
        To(Address(plan, "VN")).ShouldNotContain(m => (m.Subject ?? "").Contains("days to the deadline"));

        var received = api.Smtp.Received.Count;
        received.ShouldBeGreaterThan(before);
        (await RemindAsync(new DateOnly(2025, 10, 8))).ShouldBe(0);
        await DispatchAsync();
        api.Smtp.Received.Count.ShouldBe(received);
    }

    [Fact]
    public async Task With_the_mail_server_down_writes_succeed_and_the_mail_goes_out_once_it_is_back()
    {
        var plan = await PlanWithContacts();
        await api.Smtp.StopAsync();
        try
        {
            var sec = api.Secretariat();
            for (var i = 0; i < 3; i++)
            {
                var opened = await sec.PostJson($"/api/plans/{plan}/rounds", new { code = $"2024-M{i + 1}", periodStart = $"2024-0{i + 1}-01", periodEnd = $"2024-0{i + 1}-28", deadline = $"2024-0{i + 2}-10" });
                opened.StatusCode.ShouldBe(HttpStatusCode.Created, await opened.Content.ReadAsStringAsync());
            }
            var down = await DispatchAsync();
            down.Sent.ShouldBe(0);
            down.Failed.ShouldBeGreaterThanOrEqualTo(9);
            down.Pending.ShouldBeGreaterThanOrEqualTo(9);
            To(Address(plan, "KH")).ShouldBeEmpty();

            // Readiness says how much mail waits and failed, and stays ready: mail is retried, the service serves.
            var (status, waiting, failed) = await ReadinessAsync();
            status.ShouldBe("Healthy");
            waiting.ShouldBeGreaterThanOrEqualTo(9);
            failed.ShouldBeGreaterThanOrEqualTo(9);
        }
        finally
        {
            api.Smtp.Start();
        }

        var back = await DispatchAsync();
        back.Failed.ShouldBe(0);
        string[] expected = ["Reporting round 2024-M1 is open: values due by 10 February 2024", "Reporting round 2024-M2 is open: values due by 10 March 2024",
            "Reporting round 2024-M3 is open: values due by 10 April 2024"];
        foreach (var c in Members) To(Address(plan, c)).Select(m => m.Subject).Order().ToArray().ShouldBe(expected, c);
        var received = api.Smtp.Received.Count;
        (await DispatchAsync()).Sent.ShouldBe(0);
        api.Smtp.Received.Count.ShouldBe(received);
        (await ReadinessAsync()).ShouldBe(("Healthy", 0, 0));
    }

    /// <summary>/health/ready, anonymous as a probe asks it: its status and the outbox's counts in its details.</summary>
    private async Task<(string Status, long Waiting, long Failed)> ReadinessAsync()
    {
        var response = await api.CreateClient().GetAsync("/health/ready");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var ready = await response.Json();
        var mail = ready.GetProperty("checks").GetProperty("mail");
        mail.GetProperty("status").GetString().ShouldBe("Healthy");
        return (ready.GetProperty("status").GetString().ShouldNotBeNull(), mail.GetProperty("data").GetProperty("waiting").GetInt64(),
            mail.GetProperty("data").GetProperty("failed").GetInt64());
    }

    [Fact]
    public async Task A_mails_unsubscribe_link_turns_that_notice_off_and_a_forged_or_altered_one_is_refused()
    {
        var plan = await PlanWithContacts();
        var sec = api.Secretariat();
        (await sec.PostJson($"/api/plans/{plan}/rounds", new { code = "2025-Q1", periodStart = "2025-01-01", periodEnd = "2025-03-31", deadline = "2025-04-15" }))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        await DispatchAsync();
        var mail = To(Address(plan, "KH")).ShouldHaveSingleItem();
        mail.Headers["List-Unsubscribe-Post"].ShouldBe("List-Unsubscribe=One-Click");
        var link = new Uri(mail.Headers["List-Unsubscribe"].ShouldNotBeNull().Trim('<', '>'));
        mail.TextBody.ShouldNotBeNull().ShouldContain(link.ToString());
        link.AbsolutePath.ShouldBe("/api/unsubscribe");
        var token = Uri.UnescapeDataString(link.Query["?token=".Length..]);
        var anonymous = api.CreateClient();
        var me = FocalPoint(plan, "KH");

        // Forged, altered, or missing: refused, and nothing changes.
        await (await anonymous.PostAsync("/api/unsubscribe?token=" + Uri.EscapeDataString("bm90IGEgdG9rZW4"), null)).ShouldBeProblem(400, "token");
        var altered = token[..10] + (token[10] == 'A' ? 'B' : 'A') + token[11..];
        await (await anonymous.PostAsync("/api/unsubscribe?token=" + Uri.EscapeDataString(altered), null)).ShouldBeProblem(400, "token");
        await (await anonymous.PostAsync("/api/unsubscribe", null)).ShouldBeProblem(400, "token");
        (await (await me.GetAsync("/api/me")).Json()).GetProperty("contact").GetProperty("notices").GetProperty("round-opened").GetBoolean().ShouldBeTrue();

        // Opening the link in a browser shows a button; it acts only when posted.
        var page = await anonymous.GetAsync(link.PathAndQuery);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await page.Content.ReadAsStringAsync()).ShouldContain("<form method=\"post\"");
        (await (await me.GetAsync("/api/me")).Json()).GetProperty("contact").GetProperty("notices").GetProperty("round-opened").GetBoolean().ShouldBeTrue();

        var done = await anonymous.PostAsync(link.PathAndQuery, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        done.StatusCode.ShouldBe(HttpStatusCode.OK, await done.Content.ReadAsStringAsync());
        var notices = (await (await me.GetAsync("/api/me")).Json()).GetProperty("contact").GetProperty("notices");
        notices.GetProperty("round-opened").GetBoolean().ShouldBeFalse();
        notices.GetProperty("value-returned").GetBoolean().ShouldBeTrue();

        (await sec.PostJson($"/api/plans/{plan}/rounds", new { code = "2025-Q2", periodStart = "2025-04-01", periodEnd = "2025-06-30", deadline = "2025-07-15" }))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        await DispatchAsync();
        To(Address(plan, "KH")).Count.ShouldBe(1);
        To(Address(plan, "TH")).Count.ShouldBe(2);
    }

    [Fact]
    public async Task An_accepted_value_mails_its_submitter_only_once_they_asked_for_it()
    {
        var plan = await PlanWithContacts();
        var sec = api.Secretariat();
        var id = (await (await sec.PostJson($"/api/plans/{plan}/commitments", TestPlan.Commitment("KH"))).Json()).GetProperty("id").GetGuid();
        var kh = FocalPoint(plan, "KH");
        async Task<Guid> SubmitAndAccept(string asOf, string? note)
        {
            var sent = await kh.PostJson($"/api/commitments/{id}/progress", new { value = 3, asOf });
            sent.StatusCode.ShouldBe(HttpStatusCode.OK, await sent.Content.ReadAsStringAsync());
            var value = (await (await sec.GetAsync($"/api/commitments/{id}/values")).Json()).EnumerateArray()
                .Single(v => v.GetProperty("asOf").GetString() == asOf).GetProperty("id").GetGuid();
            (await sec.PostJson($"/api/commitments/{id}/values/{value}/accept", new { note })).StatusCode.ShouldBe(HttpStatusCode.OK);
            return value;
        }

        // Off by default: good news nobody has to act on.
        await SubmitAndAccept("2025-06-30", null);
        await DispatchAsync();
        To(Address(plan, "KH")).ShouldBeEmpty();

        (await kh.PutJson("/api/me/preferences", new { notices = new Dictionary<string, bool> { ["value-accepted"] = true } })).StatusCode.ShouldBe(HttpStatusCode.OK);
        await SubmitAndAccept("2025-09-30", "Matches the ministry's annual report.");
        // The secretariat's own value is accepted as it is recorded: nobody is told of it.
        (await sec.PostJson($"/api/commitments/{id}/progress", new { value = 4, asOf = "2025-12-31" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        await DispatchAsync();

        var mail = To(Address(plan, "KH")).ShouldHaveSingleItem();
        mail.Subject.ShouldNotBeNull().ShouldContain("Value accepted");
        mail.TextBody.ShouldNotBeNull().ShouldContain("30 September 2025");
        mail.TextBody.ShouldNotBeNull().ShouldContain("Matches the ministry's annual report.");
        mail.TextBody.ShouldNotBeNull().ShouldContain($"https://strategy.test/commitments/{id}");
    }

    [Fact]
    public async Task Commitments_that_became_overdue_are_mailed_to_their_countrys_focal_points_together_and_once()
    {
        var plan = await PlanWithContacts();
        var sec = api.Secretariat();
        foreach (var (code, due) in new[] { ("OD-1", "2026-06-15"), ("OD-2", "2026-06-20") })
            (await sec.PostJson($"/api/plans/{plan}/commitments", TestPlan.Commitment("KH", code: $"KH-{code}", due: due))).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await sec.PostJson($"/api/plans/{plan}/commitments", TestPlan.Commitment("TH"))).StatusCode.ShouldBe(HttpStatusCode.Created);

        // 2026-07-01 on the service's clock: both KH commitments are past due; TH's (due at the end of 2026) is not.
        (await MarkOverdueAsync()).ShouldBeGreaterThanOrEqualTo(2);
        await DispatchAsync();

        var mail = To(Address(plan, "KH")).ShouldHaveSingleItem();
        mail.Subject.ShouldNotBeNull().ShouldContain("of your country's commitments are overdue");
        mail.TextBody.ShouldNotBeNull().ShouldContain("KH-OD-1 Adopt provincial adaptation plans, due 15 June 2026");
        mail.TextBody.ShouldNotBeNull().ShouldContain("KH-OD-2 Adopt provincial adaptation plans, due 20 June 2026");
        mail.TextBody.ShouldNotBeNull().ShouldContain($"https://strategy.test/commitments?plan={plan}&country=KH&health=overdue");
        To(Address(plan, "TH")).ShouldBeEmpty();

        var received = api.Smtp.Received.Count;
        (await MarkOverdueAsync()).ShouldBe(0);
        await DispatchAsync();
        api.Smtp.Received.Count.ShouldBe(received);
    }

    [Fact]
    public async Task The_weekly_digest_tells_the_secretariat_what_waits_once_a_week()
    {
        var plan = await PlanWithContacts();
        var secretariat = $"desk@{plan.ToLowerInvariant()}.test";
        await Contact($"{plan}-sec".ToLowerInvariant(), secretariat, "secretariat", null);
        var sec = api.Secretariat();
        var sent = (await (await sec.PostJson($"/api/plans/{plan}/commitments", TestPlan.Commitment("KH"))).Json()).GetProperty("id").GetGuid();
        (await sec.PostJson($"/api/plans/{plan}/commitments", TestPlan.Commitment("KH", outcome: "G1.O2", indicator: "G1.O2.I1", target: 30))).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await sec.PostJson($"/api/plans/{plan}/commitments", TestPlan.Commitment("TH"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await sec.PostJson($"/api/plans/{plan}/commitments", TestPlan.Commitment("VN", due: "2026-06-15"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await sec.PostJson($"/api/plans/{plan}/rounds", new { code = "2026-Q2", periodStart = "2026-04-01", periodEnd = "2026-06-30", deadline = "2026-07-15" }))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        (await FocalPoint(plan, "KH").PostJson($"/api/commitments/{sent}/progress", new { value = 2, asOf = "2026-06-30" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        await DispatchAsync();

        // Wednesday 1 July 2026: the week of Monday 29 June.
        (await DigestAsync(new DateOnly(2026, 7, 1))).ShouldBeTrue();
        await DispatchAsync();
        var digest = To(secretariat).ShouldHaveSingleItem();
        digest.Subject.ShouldNotBeNull().ShouldStartWith("Week of 29 June 2026: ");
        var text = digest.TextBody.ShouldNotBeNull();
        // This plan's paragraphs: from its heading to the next plan's (the digest covers every plan of the store).
        var section = text[text.IndexOf($"({plan})", StringComparison.Ordinal)..];
        section = section[..(section.IndexOf(" (ML-", 1, StringComparison.Ordinal) is var next and > 0 ? next : section.Length)];
        section.ShouldContain("1 value is waiting for review, sent on ");
        section.ShouldContain("Round 2026-Q2 (deadline 15 July 2026): values still missing from KH (1), TH (1), VN (1).");
        section.ShouldContain("Overdue commitments: VN (1).");
        text.ShouldContain("https://strategy.test/review");
        foreach (var c in Members) To(Address(plan, c)).ShouldNotContain(m => (m.Subject ?? "").StartsWith("Week of"));

        // Again in the same week: nothing more; the next week has a digest of its own.
        (await DigestAsync(new DateOnly(2026, 7, 5))).ShouldBeFalse();
        await DispatchAsync();
        To(secretariat).Count.ShouldBe(1);
        (await DigestAsync(new DateOnly(2026, 7, 6))).ShouldBeTrue();
        await DispatchAsync();
        To(secretariat).Count.ShouldBe(2);
    }

    /// <summary>A caller whose token carries an e-mail address, as a provider's may.</summary>
    private HttpClient WithEmail(string role, string? country, string sub, string email)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer",
            Strategy.Api.Auth.TokenCommand.Issue(api.Auth, sub, $"Person {sub}", role, country, TimeSpan.FromHours(1), DateTimeOffset.UtcNow, email));
        return client;
    }

    [Fact]
    public async Task A_sign_in_that_gives_an_address_makes_a_contact_and_never_overwrites_one()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var newcomer = WithEmail("focal-point", "KH", $"new-{id}", $"new-{id}@moe.test");
        var contact = (await (await newcomer.GetAsync("/api/me")).Json()).GetProperty("contact");
        contact.GetProperty("email").GetString().ShouldBe($"new-{id}@moe.test");
        contact.GetProperty("role").GetString().ShouldBe("focal-point");
        contact.GetProperty("country").GetString().ShouldBe("KH");
        contact.GetProperty("language").GetString().ShouldBe("en");
        contact.GetProperty("notices").GetProperty("value-accepted").GetBoolean().ShouldBeFalse();
        (await (await api.Secretariat().GetAsync("/api/contacts?country=KH")).Json()).EnumerateArray()
            .ShouldContain(c => c.GetProperty("sub").GetString() == $"new-{id}");

        // The secretariat's contact stands, whatever address the sign-in gives.
        await Contact($"known-{id}", $"desk-{id}@moe.test", "focal-point", "TH", language: "th");
        var known = WithEmail("focal-point", "TH", $"known-{id}", $"private-{id}@mail.test");
        var kept = (await (await known.GetAsync("/api/me")).Json()).GetProperty("contact");
        kept.GetProperty("email").GetString().ShouldBe($"desk-{id}@moe.test");
        kept.GetProperty("language").GetString().ShouldBe("th");
        kept.GetProperty("updatedBy").GetString().ShouldBe("sec-1");

        // No address, no contact.
        var anonymous = api.As("focal-point", "VN", sub: $"none-{id}");
        (await (await anonymous.GetAsync("/api/me")).Json()).GetProperty("contact").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task A_contact_with_a_bad_address_role_country_or_language_is_refused()
    {
        var sec = api.Secretariat();
        await (await sec.PutJson("/api/contacts/u1", new { name = "A", email = "not an address", role = "focal-point", country = "KH", language = "en" })).ShouldBeProblem(400, "email");
        await (await sec.PutJson("/api/contacts/u1", new { name = "A", email = "a@b.test", role = "boss", country = "KH", language = "en" })).ShouldBeProblem(400, "role");
        await (await sec.PutJson("/api/contacts/u1", new { name = "A", email = "a@b.test", role = "focal-point", language = "en" })).ShouldBeProblem(400, "country");
        await (await sec.PutJson("/api/contacts/u1", new { name = "A", email = "a@b.test", role = "reviewer", language = "fr" })).ShouldBeProblem(400, "language");
        await (await sec.PutJson("/api/contacts/u1", new { name = "A", role = "reviewer", language = "en" })).ShouldBeProblem(400, "email");
        (await (await sec.GetAsync("/api/contacts")).Json()).EnumerateArray().ShouldNotContain(c => c.GetProperty("sub").GetString() == "u1");
    }
}
