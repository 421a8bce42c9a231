using System.Net;
using Microsoft.AspNetCore.Diagnostics;

namespace Strategy.Api.Web;

/// <summary>
/// What a person's browser gets when a screen address has no page or the service fails: a page in plain words, not the
/// API's JSON problem. The status stays the real one, so tools and crawlers see it too.
/// </summary>
public static class ScreenErrors
{
    public static (string Title, string Detail) Words(int status) => status switch
    {
        StatusCodes.Status404NotFound => ("Page not found", "There is no page at this address. It may have been mistyped, or the link that led here is out of date."),
        StatusCodes.Status405MethodNotAllowed => ("Page not found", "This address does not take what was sent to it."),
        StatusCodes.Status413PayloadTooLarge => ("Too large", "What was sent is larger than the service takes. A file of evidence may be up to 10 MB."),
        StatusCodes.Status429TooManyRequests => ("Too many requests", "Too many pages were asked for in a short time. Wait a minute and try again."),
        StatusCodes.Status503ServiceUnavailable => ("Not available just now", "The service cannot reach its database at the moment. Try again in a minute."),
        >= 500 => ("Something went wrong", "The service could not show this page. Try again in a minute; if it happens again, tell the secretariat what you were doing and when."),
        _ => ("This page cannot be shown", "The request could not be answered."),
    };

    public static Task WriteAsync(HttpContext http, int status)
    {
        var (title, detail) = Words(status);
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/html; charset=utf-8";
        var t = WebUtility.HtmlEncode(title);
        // The screens' own stylesheet (this origin, as their policy allows) and no script.
        return http.Response.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>{t} · Strategy</title><link rel="stylesheet" href="/app.css" /></head>
            <body><header class="site"><div class="bar"><a class="brand" href="/">Strategy <span>progress of the Lancang-Mekong environmental cooperation plan</span></a></div></header>
            <main id="content"><h1>{t}</h1><p>{WebUtility.HtmlEncode(detail)}</p><p><a href="/">Go to your start page</a></p></main></body></html>
            """);
    }

    /// <summary>
    /// Status code pages: a browser at a screen address gets the page above; an API client (a bearer token) and every
    /// other address the API's problem, as the framework's default writes it.
    /// </summary>
    public static async Task StatusPage(StatusCodeContext context)
    {
        var http = context.HttpContext;
        if (WebAuth.ServesScreen(http.Request) && http.Response.StatusCode is StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed)
        {
            await WriteAsync(http, http.Response.StatusCode);
            return;
        }
        var problems = http.RequestServices.GetService<IProblemDetailsService>();
        if (problems is null || !await problems.TryWriteAsync(new() { HttpContext = http, ProblemDetails = { Status = http.Response.StatusCode } }))
        {
            http.Response.ContentType = "text/plain";
            await http.Response.WriteAsync($"Status Code: {http.Response.StatusCode}");
        }
    }
}
