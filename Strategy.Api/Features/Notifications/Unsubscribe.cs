using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Strategy.Api.Http;
using Strategy.Domain.Notifications;
using Strategy.Infrastructure.Notifications;

namespace Strategy.Api.Features.Notifications;

/// <summary>Unsubscribe tokens protected by the service's data-protection key ring (in PostgreSQL, shared by the nodes).</summary>
public sealed class DataProtectionUnsubscribeTokens(IDataProtectionProvider provider) : IUnsubscribeTokens
{
    private readonly IDataProtector protector = provider.CreateProtector("Strategy.Unsubscribe.v1");

    public string Issue(string sub, NoticeKind kind) =>
        Base64Url.EncodeToString(protector.Protect(Encoding.UTF8.GetBytes($"{Notices.Name(kind)}\n{sub}")));

    public (string Sub, NoticeKind Kind)? Read(string token)
    {
        try
        {
            if (token.Length > 2000 || !Base64Url.IsValid(token)) return null;
            var text = Encoding.UTF8.GetString(protector.Unprotect(Base64Url.DecodeFromChars(token)));
            var parts = text.Split('\n', 2);
            return parts.Length == 2 && Notices.Parse(parts[0]) is { } kind ? (parts[1], kind) : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}

public sealed record UnsubscribeResult(string Sub, string Notice, bool On);

/// <summary>
/// Turns a notice off for the person a mail's signed link names: no sign-in, the link is the proof. Its session is its
/// own (the request's is stamped with a signed-in caller, which there is none of here).
/// </summary>
public sealed class Unsubscriptions(IDocumentStore store, IUnsubscribeTokens tokens, TimeProvider clock)
{
    /// <summary>Who and which notice the token names; a 400 for a forged, altered or missing one.</summary>
    public (string Sub, NoticeKind Kind) Named(string? token) =>
        !string.IsNullOrEmpty(token) && tokens.Read(token) is { } named ? named
            : throw RejectedException.Invalid("token", "The link is not valid: it was altered or was not made by this service.");

    /// <summary>The words of the token's contact's language, for the pages the link leads to (English if none).</summary>
    public async Task<MailWords> WordsForAsync(string sub, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return MailWords.For((await session.LoadAsync<ContactDocument>(sub, ct))?.Contact.Language);
    }

    /// <summary>Turns the notice off; with the words of the contact's language, for the page a browser is answered with.</summary>
    public async Task<(UnsubscribeResult Done, MailWords Words)> TurnOffAsync(string? token, CancellationToken ct)
    {
        var (sub, kind) = Named(token);
        await using var session = store.LightweightSession();
        var document = await session.LoadAsync<ContactDocument>(sub, ct)
            ?? throw RejectedException.NotFound("The contact this link was made for no longer exists.");
        var name = Notices.Name(kind);
        session.Store(ContactDocument.Of(document.Contact.Choosing(new Dictionary<string, bool> { [name] = false }), clock.GetUtcNow(), sub));
        await session.SaveChangesAsync(ct);
        return (new UnsubscribeResult(sub, name, false), MailWords.For(document.Contact.Language));
    }
}

public static class UnsubscribeEndpoints
{
    private static readonly TextQuery Token = new("token", new TextLimit(2000), "The signed token of the link in the mail.");

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    /// <summary>A page of the unsubscribe link in its recipient's language: no sign-in, no screen layout, no script.</summary>
    private static ContentHttpResult Page(MailWords words, string body) => TypedResults.Content(
        $"<!DOCTYPE html><html lang=\"{words.Lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
        $"<title>{Encode(words["Footer.Stop"])}</title></head><body><main><h1>{Encode(words["Footer.Stop"])}</h1>{body}</main></body></html>",
        "text/html; charset=utf-8");

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/unsubscribe", async Task<Results<Ok<UnsubscribeResult>, ContentHttpResult>> (string? token, HttpContext http, Unsubscriptions unsubscriptions, CancellationToken ct) =>
            {
                var (done, words) = await unsubscriptions.TurnOffAsync(token, ct);
                // The page's button (a browser) gets a page; a mail program's one-click post gets the JSON.
                if (!http.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase)))
                    return TypedResults.Ok(done);
                return Page(words, $"<p>{Encode(words["Unsubscribe.Done"])}</p><p><a href=\"/me\">{Encode(words["Unsubscribe.YourMail"])}</a></p>");
            })
            .WithName("Unsubscribe")
            .WithSummary("Turn off the notice a mail's link names, for its recipient (the link is the proof; one click, RFC 8058)")
            .WithDescription("Mail programs send List-Unsubscribe=One-Click here and get the JSON; the page at GET does the same with a button, and a browser (Accept: text/html) " +
                "gets a page in the recipient's mail language saying it is done. A forged or altered token is a 400 and changes nothing.")
            .ReadResponses<UnsubscribeResult>()
            .Files("text/html")
            .Anonymous()
            .Query(Token);

        // A link opened in a browser (or fetched by a mail scanner) must not act by itself: it shows a button that posts.
        api.MapGet("/unsubscribe", async Task<ContentHttpResult> (string? token, Unsubscriptions unsubscriptions, CancellationToken ct) =>
            {
                var (sub, _) = unsubscriptions.Named(token);
                var words = await unsubscriptions.WordsForAsync(sub, ct);
                var action = "/api/unsubscribe?token=" + Uri.EscapeDataString(token ?? "");
                return Page(words, $"<p>{Encode(words["Unsubscribe.Explain"])}</p>" +
                    $"<form method=\"post\" action=\"{Encode(action)}\"><button type=\"submit\">{Encode(words["Unsubscribe.Button"])}</button></form>");
            })
            .WithName("UnsubscribePage")
            .WithSummary("The page a mail's unsubscribe link opens: a button that posts to the same address")
            .WithDescription("Opening the link changes nothing (mail scanners fetch links); the page's button posts to POST /api/unsubscribe. A forged or altered token is a 400.")
            .Produces(StatusCodes.Status200OK, contentType: "text/html")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .Files("text/html")
            .Anonymous()
            .Query(Token);
    }
}
