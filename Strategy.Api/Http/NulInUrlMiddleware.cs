using Strategy.Domain;

namespace Strategy.Api.Http;

/// <summary>
/// Refuses a NUL (%00) in the path or a query value before anything reads it, as <see cref="RequestLimits"/> does for
/// bodies: PostgreSQL would refuse it mid-statement (see there why that must not happen).
/// </summary>
public sealed class NulInUrlMiddleware(RequestDelegate next)
{
    public Task Invoke(HttpContext http)
    {
        if (http.Request.Path.Value?.Contains('\0') == true) throw RejectedException.Invalid("path", Codes.NulRule);
        if (http.Request.QueryString.Value?.Contains("%00", StringComparison.Ordinal) == true)
            foreach (var (name, values) in http.Request.Query)
                if (name.Contains('\0') || values.Any(v => v?.Contains('\0') == true))
                    throw RejectedException.Invalid(name.Replace("\0", ""), Codes.NulRule);
        return next(http);
    }
}
