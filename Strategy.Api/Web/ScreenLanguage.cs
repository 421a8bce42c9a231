using System.Globalization;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Strategy.Api.Http;

namespace Strategy.Api.Web;

/// <summary>
/// The language a screen speaks: <c>?lang=</c>, else the one chosen with the switch in the header (the standard
/// <c>.AspNetCore.Culture</c> cookie), else <c>Accept-Language</c>, else English (<see cref="Languages"/> reads the tags).
/// Only the UI culture changes: resources and <see cref="Words"/>' dates and figures follow it, while the current culture
/// stays invariant, so nothing else the request does (the chart's coordinates, the API's own text) changes with it.
/// </summary>
public static class ScreenLanguage
{
    public const string SwitchPath = "/language";
    public static readonly TimeSpan Remembered = TimeSpan.FromDays(365);

    /// <summary>Each language by its own name, in <see cref="Languages.Supported"/>' order.</summary>
    public static readonly IReadOnlyList<(string Code, string Name)> Names =
    [
        (Languages.English, "English"), ("km", "ខ្មែរ"), ("lo", "ລາວ"), ("my", "မြန်မာ"), ("th", "ไทย"), ("vi", "Tiếng Việt"), ("zh", "中文"),
    ];

    /// <summary>
    /// The languages' cultures, on the Gregorian calendar: the date fields and the API take Gregorian dates, and a deadline
    /// shown in another era beside them (Thai's Buddhist years) invites mistakes.
    /// </summary>
    private static readonly Dictionary<string, CultureInfo> Cultures = Languages.Supported.ToDictionary(l => l, Gregorian);

    private static CultureInfo Gregorian(string language)
    {
        var culture = (CultureInfo)CultureInfo.GetCultureInfo(language).Clone();
        if (culture.Calendar is not GregorianCalendar && culture.OptionalCalendars.OfType<GregorianCalendar>().FirstOrDefault() is { } gregorian)
            culture.DateTimeFormat.Calendar = gregorian;
        return CultureInfo.ReadOnly(culture);
    }

    public static CultureInfo Culture(string language) => Cultures.GetValueOrDefault(language) ?? Cultures[Languages.English];

    /// <summary>The language of the screen being rendered (its UI culture's), English outside a screen.</summary>
    public static string Current => Languages.Known(CultureInfo.CurrentUICulture.Name) ?? Languages.English;

    public static string Of(HttpRequest request)
    {
        if (request.Query.ContainsKey(Languages.Query.Name)) return Languages.Requested(request);
        return Chosen(request) ?? Languages.Requested(request);
    }

    private static string? Chosen(HttpRequest request) =>
        request.Cookies[CookieRequestCultureProvider.DefaultCookieName] is { } cookie
            ? Languages.Known(CookieRequestCultureProvider.ParseCookieValue(cookie)?.UICultures.FirstOrDefault().Value)
            : null;

    public static IApplicationBuilder UseScreenLanguage(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        // Set before the rest of the request runs, so it flows into the page, its error page and the status pages.
        if (WebAuth.IsScreen(http.Request)) CultureInfo.CurrentUICulture = Culture(Of(http.Request));
        return next(http);
    });

    /// <summary>
    /// The switch: a form post (with its antiforgery token, counted as a screen's write) that remembers the language in a
    /// cookie for a year and goes back to the page it came from. An unknown language is English, as everywhere.
    /// </summary>
    public static void MapLanguageSwitch(this WebApplication app) =>
        // Bound from the form, so the framework refuses (400) a post without the form's antiforgery token.
        app.MapPost(SwitchPath, (HttpContext http, [FromForm(Name = "lang")] string? lang, [FromForm(Name = "returnUrl")] string? returnUrl) =>
        {
            var language = Languages.Known(lang) ?? Languages.English;
            http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(language)),
                new CookieOptions
                {
                    Path = "/", HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = http.Request.IsHttps, IsEssential = true,
                    MaxAge = Remembered,
                });
            return Results.LocalRedirect(WebAuth.LocalOrHome(returnUrl));
        })
            // The screens' plumbing, not part of the API's contract.
            .ExcludeFromDescription();
}
