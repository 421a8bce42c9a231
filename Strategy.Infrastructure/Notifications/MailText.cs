using System.Globalization;
using System.Net;
using System.Resources;
using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Infrastructure.Languages;
using Strategy.Infrastructure.Projections;

namespace Strategy.Infrastructure.Notifications;

/// <summary>
/// The words and formats of mail in one language: Resources/MailText.resx (English, the source) and its file per member
/// language (README, "Translating"). A mail is written in its recipient's language when it is made from its notice.
/// </summary>
public sealed class MailWords : LanguageTexts
{
    private static readonly ResourceManager Resources = new("Strategy.Infrastructure.Notifications.Resources.MailText", typeof(MailWords).Assembly);

    public static readonly MailWords English = new("en", CultureInfo.InvariantCulture);

    private MailWords(string lang, CultureInfo culture) : base(Resources, lang, culture) { }

    /// <summary>The words of a language that has a resource file; any other language gets English.</summary>
    public static MailWords For(string? lang) => Pick(Resources, lang, English, static (l, c) => new MailWords(l, c));

    public string Day(DateOnly? d) => d is { } day ? Format("Format.Date", day) : "";

    public string Number(double v) => Format("Format.Number", v);

    /// <summary><paramref name="one"/> or <paramref name="many"/> by <paramref name="count"/>: English says "1 day" but "7 days".</summary>
    public string Count(int count, string one, string many, params object?[] args) => Format(count == 1 ? one : many, args);
}

/// <summary>
/// A mail's words in its recipient's language: its subject, paragraphs, and the screen it leads to (a path on the
/// screens' host). The plain-text and HTML parts are both written from them, each ending with the link and with how to
/// stop this kind of mail.
/// </summary>
public sealed record MailText(MailWords Words, string Subject, IReadOnlyList<string> Paragraphs, string Path, string LinkText)
{
    public string PlainText(string link, string unsubscribe) =>
        string.Join("\n\n", Paragraphs) + $"\n\n{LinkText}: {link}\n" + $"\n{Words["Footer.Why"]} {Words.Format("Footer.StopAt", unsubscribe)}\n";

    public string Html(string link, string unsubscribe) =>
        $"<!DOCTYPE html><html lang=\"{Words.Lang}\"><body>" + string.Concat(Paragraphs.Select(p => $"<p>{WebUtility.HtmlEncode(p)}</p>")) +
        $"<p><a href=\"{WebUtility.HtmlEncode(link)}\">{WebUtility.HtmlEncode(LinkText)}</a></p>" +
        $"<p style=\"color:#555\">{WebUtility.HtmlEncode(Words["Footer.Why"])} <a href=\"{WebUtility.HtmlEncode(unsubscribe)}\">{WebUtility.HtmlEncode(Words["Footer.Stop"])}</a></p></body></html>";

    public static MailText RoundOpened(MailWords w, Notice n, string planTitle) => new(w,
        w.Format("RoundOpened.Subject", n.Round, w.Day(n.Deadline)),
        [w.Format("RoundOpened.Opened", n.Round, planTitle, w.Day(n.PeriodStart), w.Day(n.PeriodEnd)),
         w.Format("RoundOpened.Submit", w.Day(n.Deadline))],
        "/country", w["Link.Country"]);

    public static MailText DeadlineReminder(MailWords w, Notice n, int missing) => new(w,
        w.Count(n.DaysLeft ?? 0, "Reminder.Subject.OneDay", "Reminder.Subject.Days", n.Round, n.DaysLeft, w.Day(n.Deadline)),
        [w.Count(missing, "Reminder.Missing.One", "Reminder.Missing.Many", missing, n.Round, w.Day(n.PeriodStart), w.Day(n.PeriodEnd)),
         w.Format("Reminder.Deadline", w.Day(n.Deadline))],
        "/country", w["Link.Country"]);

    public static MailText ValueReturned(MailWords w, Notice n, Commitment c, ReportedValue v) => new(w,
        w.Format("Returned.Subject", c.Code),
        [w.Format("Returned.Returned", w.Number(v.Value), w.Day(v.AsOf), c.Code, c.TextIn(w.Lang)?.Title ?? c.Title),
         n.By is null ? w.Format("Returned.Comment", n.Comment) : w.Format("Returned.CommentFrom", n.By, n.Comment),
         w["Returned.Correct"]],
        $"/commitments/{c.Id}", w["Link.Commitment"]);

    public static MailText ValueAccepted(MailWords w, Notice n, Commitment c, ReportedValue v) => new(w,
        w.Format("Accepted.Subject", c.Code),
        [w.Format("Accepted.Accepted", w.Number(v.Value), w.Day(v.AsOf), c.Code, c.TextIn(w.Lang)?.Title ?? c.Title),
         .. n.Comment is null ? [] : new[] { n.By is null ? w.Format("Accepted.Note", n.Comment) : w.Format("Accepted.NoteFrom", n.By, n.Comment) }],
        $"/commitments/{c.Id}", w["Link.Commitment"]);

    /// <summary>At most this many commitments are listed in a mail; the link shows them all.</summary>
    public const int MaxListed = 20;

    /// <param name="overdue">One country's commitments found overdue, in the order to list them.</param>
    public static MailText Overdue(MailWords w, IReadOnlyList<CommitmentView> overdue)
    {
        var plans = overdue.Select(v => v.State.PlanCode).Distinct().ToList();
        var country = overdue[0].State.Country;
        return new(w,
            w.Count(overdue.Count, "Overdue.Subject.One", "Overdue.Subject.Many", overdue.Count, overdue[0].State.Code),
            [w.Count(overdue.Count, "Overdue.Intro.One", "Overdue.Intro.Many", overdue.Count),
             .. overdue.Take(MaxListed).Select(v => w.Format("Overdue.Item", v.State.Code, v.TextIn(w.Lang)?.Title ?? v.State.Title, w.Day(v.State.Due))),
             .. overdue.Count > MaxListed ? new[] { w.Format("List.More", overdue.Count - MaxListed) } : [],
             w["Overdue.Act"]],
            // One plan: its list of the country's overdue commitments; several: the country's home, which lists them by plan.
            plans.Count == 1 ? $"/commitments?plan={Uri.EscapeDataString(plans[0])}&country={country}&health=overdue" : "/country",
            w["Link.Overdue"]);
    }

    public static MailText Digest(MailWords w, Notice n)
    {
        var plans = n.Digest ?? [];
        string Counts(IReadOnlyDictionary<string, int> byCountry) =>
            string.Join(w["List.Separator"], byCountry.Select(c => w.Format("Digest.CountryCount", c.Key, c.Value)));
        IEnumerable<string> Plan(DigestPlan p) =>
        [
            w.Format("Digest.Plan", p.Title, p.Plan),
            p.PendingReviews == 0 ? w["Digest.Pending.None"]
                : w.Count((int)p.PendingReviews, "Digest.Pending.One", "Digest.Pending.Many", p.PendingReviews, w.Day(p.OldestPending is { } at ? MemberTime.SecretariatToday(at) : null)),
            .. p.Rounds.Select(r => r.Missing.Count == 0 ? w.Format("Digest.Round.Complete", r.Code, w.Day(r.Deadline))
                : w.Format("Digest.Round.Missing", r.Code, w.Day(r.Deadline), Counts(r.Missing))),
            p.Overdue.Count == 0 ? w["Digest.Overdue.None"] : w.Format("Digest.Overdue", Counts(p.Overdue)),
        ];
        return new(w,
            w.Format("Digest.Subject", w.Day(n.WeekOf), plans.Sum(p => p.PendingReviews), plans.Sum(p => p.Overdue.Values.Sum())),
            plans.Count == 0 ? [w["Digest.NoPlans"]] : [.. plans.SelectMany(Plan)],
            "/review", w["Link.Review"]);
    }
}
