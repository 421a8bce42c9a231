using System.Security.Cryptography;
using System.Text;
using JasperFx.Events;
using Marten.Events.Projections;
using Strategy.Domain.Commitments;
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
    public string? Comment { get; set; }
    public string? By { get; set; }

    /// <summary>A deadline reminder's days left, and the countries it goes to with how many commitments each still lacks a value.</summary>
    public int? DaysLeft { get; set; }
    public Dictionary<string, int>? Missing { get; set; }

    public bool Expanded { get; set; }

    /// <summary>The reminder of a round <paramref name="daysLeft"/> days before its deadline: one id, so one reminder.</summary>
    public static Guid ReminderId(Guid roundId, int daysLeft) => OutboxMail.IdFor(roundId, $"deadline-{daysLeft}");
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

    public static Guid IdFor(Guid noticeId, string sub)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{noticeId:N}/{sub}"));
        return new Guid(hash.AsSpan(0, 16));
    }
}

/// <summary>The events that cause notices, each to its own notice (keyed by the round, or by the return's comment).</summary>
public sealed class NoticeProjection : MultiStreamProjection<Notice, Guid>
{
    public NoticeProjection()
    {
        Identity<RoundOpened>(e => e.RoundId);
        Identity<ValueReturned>(e => e.CommentId);
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
        _ => snapshot,
    };
}
