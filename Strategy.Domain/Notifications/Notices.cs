using System.Net.Mail;

namespace Strategy.Domain.Notifications;

/// <summary>What the service tells people by mail. Each kind can be turned off per person (<see cref="Contact.Notices"/>).</summary>
public enum NoticeKind { RoundOpened, DeadlineReminder, ValueReturned, ValueAccepted, CommitmentOverdue, WeeklyDigest }

/// <summary>Someone who receives mail: a user (by the sign-in subject), their address, role, country and language.</summary>
/// <param name="Notices">Kinds turned on or off against <see cref="Notices.OnByDefault"/>, by kebab-case name.</param>
public sealed record Contact(string Sub, string Name, string Email, Role Role, string? Country, string Language,
    IReadOnlyDictionary<string, bool>? Notices = null)
{
    public bool Wants(NoticeKind kind) =>
        Notices is { } chosen && chosen.TryGetValue(Notifications.Notices.Name(kind), out var on) ? on : Notifications.Notices.OnByDefault(kind);

    /// <summary>The contact with <paramref name="choices"/> made (by kind name), its other choices kept.</summary>
    public Contact Choosing(IReadOnlyDictionary<string, bool> choices)
    {
        var notices = new Dictionary<string, bool>(Notices ?? new Dictionary<string, bool>());
        foreach (var (name, on) in choices) notices[name] = on;
        return this with { Notices = notices };
    }
}

public static class Notices
{
    public static string Name(NoticeKind kind) => kind switch
    {
        NoticeKind.RoundOpened => "round-opened",
        NoticeKind.DeadlineReminder => "deadline-reminder",
        NoticeKind.ValueReturned => "value-returned",
        NoticeKind.ValueAccepted => "value-accepted",
        NoticeKind.CommitmentOverdue => "commitment-overdue",
        NoticeKind.WeeklyDigest => "weekly-digest",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static NoticeKind? Parse(string name) => Enum.GetValues<NoticeKind>().Cast<NoticeKind?>().FirstOrDefault(k => Name(k!.Value) == name);

    /// <summary>A value accepted is good news nobody has to act on: off unless asked for.</summary>
    public static bool OnByDefault(NoticeKind kind) => kind != NoticeKind.ValueAccepted;

    /// <summary>
    /// Whose work a kind is about: the weekly digest goes to the secretariat's staff, every other notice to focal points
    /// (a value's notices to the one who sent it).
    /// </summary>
    public static Role Audience(NoticeKind kind) => kind == NoticeKind.WeeklyDigest ? Role.Secretariat : Role.FocalPoint;

    /// <summary>The Monday that starts the week holding <paramref name="day"/>: a digest is recorded once per week.</summary>
    public static DateOnly WeekOf(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    /// <summary>Days before a round's deadline that its members still missing values are reminded.</summary>
    public static readonly IReadOnlyList<int> ReminderDays = [7, 1];

    public const int MaxEmailLength = 254;

    /// <summary>A contact as the secretariat writes it: an address, a known role and language; a focal point's country.</summary>
    public static Rejection? Check(string? name, string? email, Role? role, string? country, string? language)
    {
        if (Codes.CheckTitle("name", name) is { } badName) return badName;
        if (CheckEmail(email) is { } badEmail) return badEmail;
        if (role is null) return Rejection.Invalid("role", "One of focal-point, secretariat, reviewer, admin.");
        if (role == Role.FocalPoint && (country is null || !Codes.CountryCode().IsMatch(country)))
            return Rejection.Invalid("country", "A focal point's contact names its country (ISO 3166-1 alpha-2, such as KH).");
        if (role != Role.FocalPoint && country is not null) return Rejection.Invalid("country", "Only a focal point's contact has a country.");
        if (language is null || !Translations.All.Contains(language))
            return Rejection.Invalid("language", $"One of {string.Join(", ", Translations.All)}.");
        return null;
    }

    /// <summary>
    /// The contact a person's sign-in gives when its provider vouches for an e-mail address: their role, a focal point's
    /// country, the language they use the screens in, and the notices' defaults. Null where the claims make no valid
    /// contact (no address, or one this service would refuse from the secretariat too).
    /// </summary>
    public static Contact? FromSignIn(string sub, string? name, string? email, Role role, string? country, string language)
    {
        email = email?.Trim();
        name = string.IsNullOrWhiteSpace(name) ? email : name.Trim();
        if (role != Role.FocalPoint) country = null;
        return Check(name, email, role, country, language) is null ? new Contact(sub, name!, email!, role, country, language) : null;
    }

    public static Rejection? CheckEmail(string? email) =>
        string.IsNullOrWhiteSpace(email) || email.Length > MaxEmailLength || !MailAddress.TryCreate(email, out var parsed) || parsed.Address != email.Trim()
            ? Rejection.Invalid("email", $"An e-mail address such as desk.officer@moe.gov.kh, at most {MaxEmailLength} characters.")
            : null;

    /// <summary>Preferences a person sets for themselves: known notice names only.</summary>
    public static Rejection? CheckChoices(IReadOnlyDictionary<string, bool>? choices)
    {
        if (choices is null) return null;
        foreach (var name in choices.Keys)
            if (Parse(name) is null)
                return Rejection.Invalid($"notices.{name}", $"One of {string.Join(", ", Enum.GetValues<NoticeKind>().Select(Name))}.");
        return null;
    }
}
