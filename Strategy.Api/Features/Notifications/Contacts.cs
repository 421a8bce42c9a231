using System.ComponentModel.DataAnnotations;
using FluentValidation;
using Hangfire;
using Marten;
using Mediator;
using Strategy.Api.Auth;
using Strategy.Api.Http;
using Strategy.Api.Pipeline;
using Strategy.Domain;
using Strategy.Domain.Notifications;
using Strategy.Infrastructure.Notifications;

namespace Strategy.Api.Features.Notifications;

/// <summary>A contact as the API shows it; <see cref="Notices"/> says, for every kind, whether the person receives it.</summary>
public sealed record ContactDto(string Sub, string Name, string Email, Role Role, string? Country, string Language,
    IReadOnlyDictionary<string, bool> Notices, DateTimeOffset UpdatedAt, string UpdatedBy)
{
    public static ContactDto From(ContactDocument d) => new(d.Contact.Sub, d.Contact.Name, d.Contact.Email, d.Contact.Role, d.Contact.Country,
        d.Contact.Language, Enum.GetValues<NoticeKind>().ToDictionary(Domain.Notifications.Notices.Name, d.Contact.Wants), d.UpdatedAt, d.UpdatedBy);
}

public sealed record ContactBody([property: Required] string? Name, [property: Required] string? Email, [property: Required] string? Role,
    string? Country, [property: Required] string? Language);

public sealed record PreferencesBody(string? Language, IReadOnlyDictionary<string, bool>? Notices);

/// <summary>The caller and, when the secretariat has recorded one, its contact.</summary>
public sealed record MeDto(string Sub, string Name, Role Role, string? Country, ContactDto? Contact);

[AllowedRoles(Role.Secretariat, Role.Admin)]
public sealed record ListContacts(string? Country) : IQuery<IReadOnlyList<ContactDto>>;

[AllowedRoles(Role.Secretariat, Role.Admin)]
public sealed record PutContact(string Sub, ContactBody Body) : ICommand<ContactDto>;

public sealed record GetMe : IQuery<MeDto>;

public sealed record SetMyPreferences(PreferencesBody Body) : ICommand<ContactDto>;

public sealed class PutContactValidator : AbstractValidator<PutContact>
{
    public PutContactValidator()
    {
        RuleFor(x => x.Body.Name).NotEmpty().OverridePropertyName("name");
        RuleFor(x => x.Body.Email).NotEmpty().OverridePropertyName("email");
        RuleFor(x => x.Body.Role).NotEmpty().OverridePropertyName("role");
        RuleFor(x => x.Body.Language).NotEmpty().OverridePropertyName("language");
    }
}

public sealed class ContactHandlers(IDocumentSession session, CurrentActor actor, TimeProvider clock) :
    IQueryHandler<ListContacts, IReadOnlyList<ContactDto>>, ICommandHandler<PutContact, ContactDto>, IQueryHandler<GetMe, MeDto>,
    ICommandHandler<SetMyPreferences, ContactDto>
{
    public async ValueTask<IReadOnlyList<ContactDto>> Handle(ListContacts query, CancellationToken ct)
    {
        var all = await session.Query<ContactDocument>().OrderBy(c => c.Id).ToListAsync(ct);
        return [.. all.Where(c => query.Country is null || c.Contact.Country == query.Country).Select(ContactDto.From)];
    }

    public async ValueTask<ContactDto> Handle(PutContact command, CancellationToken ct)
    {
        var b = command.Body;
        if (string.IsNullOrWhiteSpace(command.Sub) || command.Sub.Length > 200) throw RejectedException.Invalid("sub", "1-200 characters: the user's sign-in subject.");
        var role = Claims.ParseRole(b.Role);
        var country = string.IsNullOrEmpty(b.Country) ? null : b.Country;
        if (Domain.Notifications.Notices.Check(b.Name, b.Email?.Trim(), role, country, b.Language) is { } bad) throw new RejectedException(bad);
        var earlier = await session.LoadAsync<ContactDocument>(command.Sub, ct);
        var contact = new Contact(command.Sub, b.Name!.Trim(), b.Email!.Trim(), role!.Value, country, b.Language!, earlier?.Contact.Notices);
        return await SaveAsync(contact, ct);
    }

    public async ValueTask<MeDto> Handle(GetMe query, CancellationToken ct)
    {
        var me = actor.Actor;
        var contact = await session.LoadAsync<ContactDocument>(me.Id, ct);
        return new MeDto(me.Id, me.Name, me.Role, me.Country, contact is null ? null : ContactDto.From(contact));
    }

    public async ValueTask<ContactDto> Handle(SetMyPreferences command, CancellationToken ct)
    {
        var me = actor.Actor;
        var earlier = await session.LoadAsync<ContactDocument>(me.Id, ct)
            ?? throw RejectedException.NotFound("The secretariat has not recorded an e-mail address for you yet: ask it to add you as a contact.");
        var language = command.Body.Language ?? earlier.Contact.Language;
        if (Domain.Notifications.Notices.CheckChoices(command.Body.Notices) is { } badChoice) throw new RejectedException(badChoice);
        var c = earlier.Contact;
        if (Domain.Notifications.Notices.Check(c.Name, c.Email, c.Role, c.Country, language) is { } bad) throw new RejectedException(bad);
        return await SaveAsync((c with { Language = language }).Choosing(command.Body.Notices ?? new Dictionary<string, bool>()), ct);
    }

    private async Task<ContactDto> SaveAsync(Contact contact, CancellationToken ct)
    {
        var document = ContactDocument.Of(contact, clock.GetUtcNow(), actor.Actor.Id);
        session.Store(document);
        await session.SaveChangesAsync(ct);
        return ContactDto.From(document);
    }
}

/// <summary>The outbox's sender as a Hangfire job: every minute, and whenever a test or an operator asks.</summary>
public sealed class MailJobs(MailDispatcher dispatcher, DeadlineReminders reminders, WeeklyDigests digests, TimeProvider clock)
{
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Send mail")]
    [DisableConcurrentExecution(60)]
    public async Task<DispatchResult> Dispatch(CancellationToken ct) => await dispatcher.RunAsync(ct);

    /// <summary>Daily: the reminders of rounds whose deadline is 7 days or 1 day away on the secretariat's date.</summary>
    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Record deadline reminders")]
    public Task<int> Reminders(CancellationToken ct) => RemindersOn(MemberTime.SecretariatToday(clock.GetUtcNow()), ct);

    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Record deadline reminders for {0}")]
    public async Task<int> RemindersOn(DateOnly today, CancellationToken ct) => await reminders.RecordAsync(today, ct);

    /// <summary>Weekly: the secretariat's digest of the week holding today on its date (once per week, however often it runs).</summary>
    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Record the weekly digest")]
    public Task<bool> Digest(CancellationToken ct) => DigestOn(MemberTime.SecretariatToday(clock.GetUtcNow()), ct);

    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Record the weekly digest of the week holding {0}")]
    public async Task<bool> DigestOn(DateOnly today, CancellationToken ct) => await digests.RecordAsync(today, ct);
}

public static class ContactEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/contacts", async (string? country, IMediator mediator, CancellationToken ct) =>
            {
                if (country is not null && !Codes.CountryCode().IsMatch(country)) throw RejectedException.Invalid("country", "Use an ISO 3166-1 alpha-2 code such as KH.");
                return TypedResults.Ok(await mediator.Send(new ListContacts(country), ct));
            })
            .WithName("ListContacts")
            .WithSummary("Who receives mail (secretariat, admin); ?country= for one member's")
            .WithDescription("Each contact with its address, role, country, language and which notices it receives. Addresses are shown to the secretariat and admins only; a user sees their own at /api/me.")
            .ReadResponses<IReadOnlyList<ContactDto>>(maxItems: 10_000)
            .Query(Queries.Country);

        api.MapPut("/contacts/{sub}", async (string sub, ContactBody body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new PutContact(sub, body), ct)))
            .WithName("PutContact")
            .WithSummary("Record or change who receives mail for a user (secretariat, admin)")
            .WithDescription("sub is the user's sign-in subject. A focal point's contact names its country; language is en, km, lo, my, th, vi or zh. The person's own notice choices are kept.")
            .WriteResponses<ContactDto>();

        api.MapGet("/me", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new GetMe(), ct)))
            .WithName("GetMe")
            .WithSummary("The caller, with their contact (address, language, notices) once the secretariat has recorded one")
            .WithDescription("Who the token or session says the caller is (sub, name, role, country), and their own contact; contact is null until the secretariat records one (PUT /api/contacts/{sub}).")
            .ReadResponses<MeDto>();

        api.MapPut("/me/preferences", async (PreferencesBody body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new SetMyPreferences(body), ct)))
            .WithName("SetMyPreferences")
            .WithSummary("The caller's language and which notices they receive, e.g. {\"notices\": {\"value-accepted\": true}}")
            .WithDescription($"Notices: {string.Join(", ", Enum.GetValues<NoticeKind>().Select(k => Domain.Notifications.Notices.Name(k) + (Domain.Notifications.Notices.OnByDefault(k) ? "" : " (off by default)")))}; the others are on by default. 404 until the secretariat has recorded a contact for the caller.")
            .WriteResponses<ContactDto>();
    }
}
