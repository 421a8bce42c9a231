using Marten;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using MimeKit;
using Npgsql;
using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Domain.Notifications;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;

namespace Strategy.Infrastructure.Notifications;

/// <summary><c>Mail:Smtp:*</c>, <c>Mail:LinkBase</c> (the screens' address, for links) and <c>Mail:MaxPerRun</c>.</summary>
public sealed class MailSettings
{
    public SmtpSettings Smtp { get; set; } = new();
    public string LinkBase { get; set; } = "http://localhost:5000";
    /// <summary>At most this many mails a run (a run a minute): a burst (a round opened for hundreds) goes out over minutes.</summary>
    public int MaxPerRun { get; set; } = 200;
    /// <summary>The first retry's delay after a failed send; each later one doubles it, up to an hour.</summary>
    public int RetryAfterSeconds { get; set; } = 60;

    public bool Enabled => !string.IsNullOrWhiteSpace(Smtp.Host);
}

public sealed class SmtpSettings
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public string? User { get; set; }
    public string? Password { get; set; }
    public bool UseTls { get; set; } = true;
    public string From { get; set; } = "Strategy <no-reply@localhost>";
}

public sealed record DispatchResult(int Expanded, int Sent, int Failed, int Pending);

/// <summary>
/// Turns notices into mails and sends them: each notice into one <see cref="OutboxMail"/> per recipient who wants it,
/// then every mail due, over one SMTP connection. One dispatcher runs at a time (a PostgreSQL advisory lock), so a job
/// that runs twice, or on two nodes, finds the mails the first sent marked sent and sends nothing more. A failed send is
/// retried by later runs with a growing delay; the writes that caused the notices never wait for any of it.
/// </summary>
public sealed class MailDispatcher(IDocumentStore store, StoreSettings storeSettings, MailSettings settings, IUnsubscribeTokens unsubscribe, TimeProvider clock,
    ILogger<MailDispatcher> log)
{
    public async Task<DispatchResult> RunAsync(CancellationToken ct)
    {
        await using var guard = new NpgsqlConnection(storeSettings.ConnectionString);
        await guard.OpenAsync(ct);
        // Per schema, as the daemon's lock: stores sharing a database (tests, tenants) dispatch independently.
        var lockKey = StoreSetup.SchemaLockId(storeSettings.Schema) + 2;
        await using (var tryLock = new NpgsqlCommand($"select pg_try_advisory_lock({lockKey})", guard))
            if (await tryLock.ExecuteScalarAsync(ct) is not true) return new DispatchResult(0, 0, 0, -1);
        try
        {
            var expanded = await ExpandAsync(ct);
            var (sent, failed, pending) = settings.Enabled ? await SendAsync(ct) : (0, 0, await PendingAsync(ct));
            return new DispatchResult(expanded, sent, failed, pending);
        }
        finally
        {
            await using var unlock = new NpgsqlCommand($"select pg_advisory_unlock({lockKey})", guard);
            await unlock.ExecuteScalarAsync(CancellationToken.None);
        }
    }

    private async Task<int> PendingAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.Query<OutboxMail>().CountAsync(m => m.SentAt == null, ct);
    }

    private async Task<int> ExpandAsync(CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var notices = await session.Query<Notice>().Where(n => !n.Expanded).OrderBy(n => n.At).Take(100).ToListAsync(ct);
        // A country's commitments found overdue together go out in one mail: the daily check may find dozens at once.
        foreach (var batch in notices.GroupBy(n => n.Kind == NoticeKind.CommitmentOverdue ? "overdue/" + n.Country : n.Id.ToString()))
        {
            foreach (var mail in await MailsForAsync(session, [.. batch], ct))
                if (await session.LoadAsync<OutboxMail>(mail.Id, ct) is null) session.Insert(mail);
            foreach (var notice in batch)
            {
                notice.Expanded = true;
                session.Update(notice);
            }
            await session.SaveChangesAsync(ct);
        }
        return notices.Count;
    }

    /// <summary>The mails of a notice (of several, for overdue commitments of one country), named after the first.</summary>
    private async Task<IReadOnlyList<OutboxMail>> MailsForAsync(IDocumentSession session, IReadOnlyList<Notice> batch, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var notice = batch[0];
        switch (notice.Kind)
        {
            case NoticeKind.RoundOpened:
            {
                var plan = await session.LoadAsync<PlanView>(StreamIds.ForPlan(notice.Plan), ct);
                if (plan is null) return [];
                var countries = plan.Plan.Countries.Select(c => c.Code).ToHashSet();
                return [.. (await AudienceAsync(session, notice.Kind, c => c is not null && countries.Contains(c), ct))
                    .Select(c => Mail(notice, c, now, w => MailText.RoundOpened(w, notice, plan.Plan.Title)))];
            }
            case NoticeKind.DeadlineReminder:
            {
                var missing = notice.Missing ?? [];
                return [.. (await AudienceAsync(session, notice.Kind, c => c is not null && missing.ContainsKey(c), ct))
                    .Select(c => Mail(notice, c, now, w => MailText.DeadlineReminder(w, notice, missing[c.Country!])))];
            }
            case NoticeKind.ValueReturned or NoticeKind.ValueAccepted:
            {
                var commitment = await session.LoadAsync<Commitment>(notice.CommitmentId!.Value, ct);
                // Told to whoever sent the value, unless they caused the notice themselves (the secretariat's own values).
                if (commitment?.FindValue(notice.ValueId!.Value) is not { } value || value.SubmittedBy == notice.ById) return [];
                var contact = (await session.LoadAsync<ContactDocument>(value.SubmittedBy, ct))?.Contact;
                if (contact is null || !contact.Wants(notice.Kind)) return [];
                return [Mail(notice, contact, now, w => notice.Kind == NoticeKind.ValueReturned
                    ? MailText.ValueReturned(w, notice, commitment, value) : MailText.ValueAccepted(w, notice, commitment, value))];
            }
            case NoticeKind.CommitmentOverdue:
            {
                var views = await session.LoadManyAsync<CommitmentView>(ct, batch.Select(n => n.CommitmentId!.Value).Distinct());
                // Completed or withdrawn since the check found it: no longer anyone's to act on.
                var overdue = views.Where(v => !v.State.Withdrawn && v.State.Status is not (CommitmentStatus.Completed or CommitmentStatus.Cancelled))
                    .OrderBy(v => v.State.Due).ThenBy(v => v.State.Code, StringComparer.Ordinal).ToList();
                if (overdue.Count == 0) return [];
                return [.. (await AudienceAsync(session, notice.Kind, c => c == notice.Country, ct))
                    .Select(c => Mail(notice, c, now, w => MailText.Overdue(w, overdue)))];
            }
            case NoticeKind.WeeklyDigest:
                return [.. (await AudienceAsync(session, notice.Kind, _ => true, ct)).Select(c => Mail(notice, c, now, w => MailText.Digest(w, notice)))];
            default:
                return [];
        }
    }

    /// <summary>
    /// The contacts a kind is for (<see cref="Notices.Audience"/>) whose country <paramref name="ofCountry"/> takes and who
    /// want it.
    /// </summary>
    private static async Task<IEnumerable<Contact>> AudienceAsync(IDocumentSession session, NoticeKind kind, Func<string?, bool> ofCountry, CancellationToken ct) =>
        (await session.Query<ContactDocument>().ToListAsync(ct)).Select(c => c.Contact)
            .Where(c => c.Role == Notices.Audience(kind) && ofCountry(c.Country) && c.Wants(kind));

    /// <summary>An address on the screens' host (<see cref="MailSettings.LinkBase"/>).</summary>
    private string Url(string path) => settings.LinkBase.TrimEnd('/') + path;

    /// <summary>The mail of <paramref name="notice"/> to <paramref name="to"/>, written in their language as it is now.</summary>
    private OutboxMail Mail(Notice notice, Contact to, DateTimeOffset now, Func<MailWords, MailText> write)
    {
        var text = write(MailWords.For(to.Language));
        var stop = Url("/api/unsubscribe?token=" + Uri.EscapeDataString(unsubscribe.Issue(to.Sub, notice.Kind)));
        var link = Url(text.Path);
        return new OutboxMail
        {
            Id = OutboxMail.IdFor(notice.Id, to.Sub), NoticeId = notice.Id, Kind = notice.Kind, Sub = to.Sub, To = to.Email, ToName = to.Name,
            Language = text.Words.Lang, Subject = text.Subject, Text = text.PlainText(link, stop), Html = text.Html(link, stop),
            UnsubscribeUrl = stop, CreatedAt = now, NextAttemptAt = now,
        };
    }

    private async Task<(int Sent, int Failed, int Pending)> SendAsync(CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var now = clock.GetUtcNow();
        var due = await session.Query<OutboxMail>().Where(m => m.SentAt == null && m.NextAttemptAt <= now)
            .OrderBy(m => m.CreatedAt).Take(settings.MaxPerRun).ToListAsync(ct);
        int sent = 0, failed = 0;
        if (due.Count > 0)
        {
            using var client = new SmtpClient();
            try
            {
                var smtp = settings.Smtp;
                await client.ConnectAsync(smtp.Host!, smtp.Port, smtp.UseTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, ct);
                if (!string.IsNullOrEmpty(smtp.User)) await client.AuthenticateAsync(smtp.User, smtp.Password ?? "", ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The server is away: every due mail waits for a later run; nothing else is affected.
                log.LogWarning(e, "The mail server {Host}:{Port} is unreachable; {Count} mails wait", settings.Smtp.Host, settings.Smtp.Port, due.Count);
                foreach (var mail in due) Failed(mail, e, now);
                session.Store([.. due]);
                await session.SaveChangesAsync(ct);
                return (0, due.Count, await PendingAsync(ct));
            }
            foreach (var mail in due)
            {
                var message = Message(mail);
                try
                {
                    await client.SendAsync(message, ct);
                    mail.SentAt = clock.GetUtcNow();
                    mail.MessageId = message.MessageId;
                    sent++;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Failed(mail, e, now);
                    failed++;
                }
                // Recorded at once: a crash later in the run must not send this one again.
                session.Store(mail);
                await session.SaveChangesAsync(ct);
            }
            await client.DisconnectAsync(true, ct);
        }
        return (sent, failed, await PendingAsync(ct));
    }

    private void Failed(OutboxMail mail, Exception e, DateTimeOffset now)
    {
        mail.Attempts++;
        mail.LastError = e.Message.Length > 500 ? e.Message[..500] : e.Message;
        mail.NextAttemptAt = now + TimeSpan.FromSeconds(Math.Min(3600, settings.RetryAfterSeconds * Math.Pow(2, mail.Attempts - 1)));
    }

    private MimeMessage Message(OutboxMail mail)
    {
        var message = new MimeMessage
        {
            // The same id on every attempt: a server that took a message whose acknowledgement was lost sees a duplicate.
            MessageId = $"{mail.Id:N}@strategy",
            Subject = mail.Subject,
            Body = new BodyBuilder { TextBody = mail.Text, HtmlBody = mail.Html }.ToMessageBody(),
        };
        message.From.Add(MailboxAddress.Parse(settings.Smtp.From));
        message.To.Add(new MailboxAddress(mail.ToName, mail.To));
        message.Headers.Add("Content-Language", mail.Language);
        // RFC 2369 and RFC 8058: mail programs offer "unsubscribe", and a one-click POST to the link turns the notice off.
        message.Headers.Add("List-Unsubscribe", $"<{mail.UnsubscribeUrl}>");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        return message;
    }
}
