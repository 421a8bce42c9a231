using System.Net;
using Microsoft.AspNetCore.Diagnostics;

namespace Strategy.Api.Web;

/// <summary>
/// What a person's browser gets when a screen address has no page or the service fails: a page in plain words, not the
/// API's JSON problem. The status stays the real one, so tools and crawlers see it too.
/// </summary>
public static class ScreenErrors
{
    /// <summary>The page's title and explanation (resource keys <c>Error.{name}.Title</c> and <c>.Detail</c>) for a status.</summary>
    public static string Name(int status) => status switch
    {
        StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed => "NotFound",
        StatusCodes.Status413PayloadTooLarge => "TooLarge",
        StatusCodes.Status429TooManyRequests => "TooMany",
        StatusCodes.Status503ServiceUnavailable => "Unavailable",
        >= 500 => "Failed",
        _ => "Other",
    };

    public static Task WriteAsync(HttpContext http, int status)
    {
        var words = http.RequestServices.GetRequiredService<Words>();
        var name = Name(status);
        var detail = status == StatusCodes.Status405MethodNotAllowed ? words["Error.NotAllowedMethod.Detail"] : words[$"Error.{name}.Detail"];
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/html; charset=utf-8";
        string E(string text) => WebUtility.HtmlEncode(text);
        var t = E(words[$"Error.{name}.Title"]);
        // The screens' own stylesheet (this origin, as their policy allows) and no script.
        return http.Response.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="{ScreenLanguage.Current}"><head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>{t} · {E(words["Site.Name"])}</title><link rel="stylesheet" href="/app.css" /></head>
            <body><header class="site"><div class="bar"><a class="brand" href="/">{E(words["Site.Name"])} <span>{E(words["Site.Tagline"])}</span></a></div></header>
            <main id="content"><h1>{t}</h1><p>{E(detail)}</p><p><a href="/">{E(words["Site.StartPage"])}</a></p></main></body></html>
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
