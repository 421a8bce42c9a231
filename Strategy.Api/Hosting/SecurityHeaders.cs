namespace Strategy.Api.Hosting;

public static class SecurityHeaders
{
    /// <summary>
    /// The screens load their own stylesheet and the framework's script, from this origin only; no inline script or
    /// style. connect-src: enhanced navigation fetches the next page.
    /// </summary>
    public const string ScreenPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "form-action 'self'; base-uri 'self'; frame-ancestors 'none'";

    /// <summary>Headers on every response; the reference page needs scripts and styles of its own, everything else needs none.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        http.Response.OnStarting(() =>
        {
            var h = http.Response.Headers;
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h["Referrer-Policy"] = "no-referrer";
            h["Cross-Origin-Opener-Policy"] = "same-origin";
            if (!http.Request.Path.StartsWithSegments("/scalar") && !http.Request.Path.StartsWithSegments("/hangfire") && !h.ContainsKey("Content-Security-Policy"))
                h.ContentSecurityPolicy = Web.WebAuth.IsScreen(http.Request) ? ScreenPolicy : "default-src 'none'; frame-ancestors 'none'";
            if (http.Request.Path.StartsWithSegments("/api")) h.CacheControl = "no-store";
            return Task.CompletedTask;
        });
        return next(http);
    });
}
