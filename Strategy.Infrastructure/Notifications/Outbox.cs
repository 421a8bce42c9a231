using System.Security.Cryptography;
using System.Text;
using JasperFx.Events;
using Marten.Events.Projections;
using Strategy.Domain.Commitments;
using Strategy.Domain.Plans;
using Strategy.Domain.Reports;
using Strategy.Domain.Notifications;
using Strategy.Domain.Rounds;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;

namespace Strategy.Infrastructure.Notifications;

/// <summary>A contact as stored: the domain's <see cref="Contact"/> and who last wrote it, when.</summary>
public sealed class ContactDocument
{
    /// <summary>The user's sign-in subject.</summary>
    public string Id { get; set; } = "";
    public Contact Contact { get; set; } = null!;
    public DateTimeOffset UpdatedAt { get; set; }
    public string UpdatedBy { get; set; } = "";

    public static ContactDocument Of(Contact contact, DateTimeOffset at, string by) => new() { Id = contact.Sub, Contact = contact, UpdatedAt = at, UpdatedBy = by };
}

/// <summary>
/// Something to tell people, written by an inline projection in the same transaction as the event that causes it: a
/// notice exists exactly when its event was committed. The dispatcher turns it into one <see cref="OutboxMail"/> per
/// recipient (<see cref="Expanded"/>).
/// </summary>
public sealed class Notice
{
    public Guid Id { get; set; }
    public NoticeKind Kind { get; set; }
    public DateTimeOffset At { get; set; }
    public string Plan { get; set; } = "";
    public string? Round { get; set; }
    public DateOnly? PeriodStart { get; set; }
    public DateOnly? PeriodEnd { get; set; }
    public DateOnly? Deadline { get; set; }
    public Guid? CommitmentId { get; set; }
    public Guid? ValueId { get; set; }
    /// <summary>A returned value's comment, or an accepted value's note.</summary>
    public string? Comment { get; set; }
    /// <summary>Who acted (their name, and their sign-in subject: nobody is told of their own doing).</summary>
    public string? By { get; set; }
    public string? ById { get; set; }

    /// <summary>An overdue commitment's country and the due date it passed.</summary>
    public string? Country { get; set; }
    public DateOnly? Due { get; set; }

    /// <summary>A weekly digest's week (its Monday) and what it says.</summary>
    public DateOnly? WeekOf { get; set; }
    public IReadOnlyList<DigestPlan>? Digest { get; set; }

    /// <summary>A deadline reminder's days left, and the countries it goes to with how many commitments each still lacks a value.</summary>
    public int? DaysLeft { get; set; }
    public Dictionary<string, int>? Missing { get; set; }

    public bool Expanded { get; set; }

    /// <summary>The reminder of a round <paramref name="daysLeft"/> days before its deadline: one id, so one reminder.</summary>
    public static Guid ReminderId(Guid roundId, int daysLeft) => OutboxMail.IdFor(roundId, $"deadline-{daysLeft}");

    /// <summary>The digest of the week starting <paramref name="monday"/>: one id, so one digest a week.</summary>
    public static Guid DigestId(DateOnly monday) => OutboxMail.IdFor(Guid.Empty, $"digest-{monday:yyyy-MM-dd}");
}

/// <summary>One mail to one recipient. Its id is derived from the notice and the recipient, so expanding a notice twice
/// makes no second mail; <see cref="SentAt"/> and <see cref="MessageId"/> are recorded once the SMTP server took it.</summary>
public sealed class OutboxMail
{
    public Guid Id { get; set; }
    public Guid NoticeId { get; set; }
    public NoticeKind Kind { get; set; }
    public string Sub { get; set; } = "";
    public string To { get; set; } = "";
    public string ToName { get; set; } = "";
    public string Language { get; set; } = "en";
    public string Subject { get; set; } = "";
    public string Text { get; set; } = "";
    public string Html { get; set; } = "";
    /// <summary>The signed link that turns this kind of notice off for the recipient (List-Unsubscribe, and in the text).</summary>
    public string UnsubscribeUrl { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public string? MessageId { get; set; }

    /// <summary>
    /// SQL counts over the outbox table of <paramref name="schema"/>: mails the SMTP server has not taken yet, and those
    /// of them whose last attempt failed (the operations metrics and /health/ready read these).
    /// </summary>
    public static string WaitingSql(string schema) => $"(select count(*) from {schema}.mt_doc_outboxmail where data->>'sentAt' is null)";

    public static string FailedSql(string schema) =>
        $"(select count(*) from {schema}.mt_doc_outboxmail where data->>'sentAt' is null and (data->>'attempts')::int > 0)";

    public static Guid IdFor(Guid noticeId, string sub)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{noticeId:N}/{sub}"));
        return new Guid(hash.AsSpan(0, 16));
    }
}

/// <summary>
/// The events that cause notices, each to its own notice (keyed by the round, the return's comment, the accepted value,
/// or the overdue commitment and its due date). Deadline reminders and the weekly digest are recorded by their jobs.
/// </summary>
public sealed class NoticeProjection : MultiStreamProjection<Notice, Guid>
{
    /// <summary>
    /// Every event type the store holds and the notice it causes (null: it tells nobody). Declared here for each type,
    /// so a new event type that nobody decided for fails a test (NoticeCoverageTests) instead of silently telling no one.
    /// </summary>
    public static readonly IReadOnlyDictionary<Type, NoticeKind?> Causes = new Dictionary<Type, NoticeKind?>
    {
        [typeof(RoundOpened)] = NoticeKind.RoundOpened,
        [typeof(ValueReturned)] = NoticeKind.ValueReturned,
        [typeof(ValueAccepted)] = NoticeKind.ValueAccepted,
        [typeof(CommitmentBecameOverdue)] = NoticeKind.CommitmentOverdue,
        // The reminders read the round's deadline when they run, so a moved deadline is reminded of on its new dates.
        [typeof(RoundDeadlineMoved)] = null,
        [typeof(RoundClosed)] = null,
        // A focal point's own doing, or the secretariat's editing of what it later reviews or reports on.
        [typeof(CommitmentMade)] = null,
        [typeof(CommitmentStatusChanged)] = null,
        [typeof(CommitmentReopened)] = null,
        [typeof(CommitmentRevised)] = null,
        [typeof(CommitmentTranslated)] = null,
        [typeof(CommitmentWithdrawn)] = null,
        [typeof(CommitmentRestored)] = null,
        [typeof(ValueSubmitted)] = null,
        [typeof(ValueRetracted)] = null,
        [typeof(ValueVoided)] = null,
        [typeof(CommentPosted)] = null,
        [typeof(EvidenceUploaded)] = null,
        [typeof(PlanCreated)] = null,
        [typeof(GoalAdded)] = null,
        [typeof(OutcomeAdded)] = null,
        [typeof(OutcomeSdgTargetsAligned)] = null,
        [typeof(PlanTranslated)] = null,
        // Reports are fetched by whoever asked for them; the weekly digest tells the secretariat what waits.
        [typeof(ReportRequested)] = null,
        [typeof(ReportStarted)] = null,
        [typeof(ReportSucceeded)] = null,
        [typeof(ReportFailed)] = null,
    };

    public NoticeProjection()
    {
        Identity<RoundOpened>(e => e.RoundId);
        Identity<ValueReturned>(e => e.CommentId);
        Identity<ValueAccepted>(e => OutboxMail.IdFor(e.ValueId, "accepted"));
        Identity<CommitmentBecameOverdue>(e => OutboxMail.IdFor(e.CommitmentId, $"overdue-{e.Due:yyyy-MM-dd}"));
    }

    public override Notice? Evolve(Notice? snapshot, Guid id, IEvent e) => snapshot ?? e.Data switch
    {
        RoundOpened r => new Notice
        {
            Id = id, Kind = NoticeKind.RoundOpened, At = EventTime.Of(e), Plan = r.Plan, Round = r.Code, PeriodStart = r.PeriodStart,
            PeriodEnd = r.PeriodEnd, Deadline = r.Deadline, By = ActorRef.From(e).Name,
        },
        ValueReturned v => new Notice
        {
            Id = id, Kind = NoticeKind.ValueReturned, At = EventTime.Of(e), CommitmentId = v.CommitmentId, ValueId = v.ValueId,
            Comment = v.Comment, By = ActorRef.From(e).Name,
        },
        // Only a review tells anyone: a focal point's value in a plan without review is accepted as it is sent.
        ValueAccepted v when ActorRef.From(e).ActsForSecretariat() => new Notice
        {
            Id = id, Kind = NoticeKind.ValueAccepted, At = EventTime.Of(e), CommitmentId = v.CommitmentId, ValueId = v.ValueId,
            Comment = v.Note, By = ActorRef.From(e).Name, ById = ActorRef.From(e).Id,
        },
        CommitmentBecameOverdue o => new Notice
        {
            Id = id, Kind = NoticeKind.CommitmentOverdue, At = EventTime.Of(e), CommitmentId = o.CommitmentId, Country = o.Country, Due = o.Due,
        },
        _ => snapshot,
    };
}
