namespace Strategy.Api.Hosting;

public static class SecurityHeaders
{
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
                h.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            if (http.Request.Path.StartsWithSegments("/api")) h.CacheControl = "no-store";
            return Task.CompletedTask;
        });
        return next(http);
    });
}
