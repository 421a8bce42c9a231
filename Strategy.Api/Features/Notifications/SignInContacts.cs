using System.Collections.Concurrent;
using System.Security.Claims;
using JasperFx;
using Marten;
using Strategy.Api.Auth;
using Strategy.Api.Http;
using Strategy.Api.Web;
using Strategy.Domain.Notifications;
using Strategy.Infrastructure.Notifications;

namespace Strategy.Api.Features.Notifications;

/// <summary>
/// Contacts from sign-in: a signed-in person (session or bearer token) whose provider gives an e-mail address and who
/// has no contact yet gets one, in the language they use the screens in (English for API callers). A contact that
/// exists is never touched: the secretariat's edits and the person's own choices stand. Its own session, so it never
/// enlists the request's session before the request's transaction begins.
/// </summary>
public sealed class SignInContacts(IDocumentStore store, TimeProvider clock, ILogger<SignInContacts> log)
{
    /// <summary>The people this process already looked up: each costs one read a process, not one a request.</summary>
    private readonly ConcurrentDictionary<string, bool> seen = new(StringComparer.Ordinal);
    private const int MaxSeen = 100_000;

    public async Task EnsureAsync(ClaimsPrincipal user, string language, CancellationToken ct)
    {
        if (user.FindFirstValue(Claims.Email) is not { Length: > 0 } email || !Policies.IsValidCaller(user)) return;
        // A provider that says it has not verified the address does not vouch for it.
        if (string.Equals(user.FindFirstValue(Claims.EmailVerified), "false", StringComparison.OrdinalIgnoreCase)) return;
        var actor = CurrentActor.From(user);
        if (seen.ContainsKey(actor.Id)) return;
        if (Notices.FromSignIn(actor.Id, actor.Name, email, actor.Role, actor.Country, language) is not { } contact)
        {
            log.LogInformation("The sign-in of {Sub} gives no usable contact (address {Email})", actor.Id, email);
            Remember(actor.Id);
            return;
        }
        try
        {
            await using var session = store.LightweightSession();
            if (await session.LoadAsync<ContactDocument>(actor.Id, ct) is null)
            {
                session.Insert(ContactDocument.Of(contact, clock.GetUtcNow(), actor.Id));
                await session.SaveChangesAsync(ct);
            }
            Remember(actor.Id);
        }
        catch (DocumentAlreadyExistsException)
        {
            // Another request of the same person (or another node) recorded it first: it stands.
            Remember(actor.Id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Never the request's failure: the request goes on (and meets the database itself); a later one tries again.
            log.LogWarning(e, "Could not record the contact of {Sub} from their sign-in", actor.Id);
        }
    }

    private void Remember(string sub)
    {
        if (seen.Count >= MaxSeen) seen.Clear();
        seen[sub] = true;
    }

    /// <summary>After authorization: only callers the request already accepted are looked at.</summary>
    public static IApplicationBuilder UseContactsFromSignIn(IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.User.Identity?.IsAuthenticated == true)
            await http.RequestServices.GetRequiredService<SignInContacts>()
                .EnsureAsync(http.User, WebAuth.ServesScreen(http.Request) ? ScreenLanguage.Of(http.Request) : Languages.English, http.RequestAborted);
        await next(http);
    });
}
