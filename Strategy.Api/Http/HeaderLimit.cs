namespace Strategy.Api.Http;

/// <summary>
/// Request headers over the limits get 431 as a problem document. Kestrel enforces the same limits (set from the same
/// configuration) before the request reaches the application, and answers 431 there without a body; this middleware
/// applies them wherever Kestrel does not (behind another server, or under the test host), in the same words.
/// </summary>
public sealed class HeaderLimitMiddleware(RequestDelegate next, HeaderLimits limits)
{
    public Task Invoke(HttpContext http)
    {
        var headers = http.Request.Headers;
        if (headers.Count > limits.MaxCount)
            throw new BadHttpRequestException($"The request has more than {limits.MaxCount} headers.", StatusCodes.Status431RequestHeaderFieldsTooLarge);
        long total = 0;
        foreach (var (name, values) in headers)
            foreach (var value in values)
                total += name.Length + (value?.Length ?? 0) + 4; // "name: value\r\n", as on the wire
        if (total > limits.MaxBytes)
            throw new BadHttpRequestException($"The request headers are over {limits.MaxBytes} bytes.", StatusCodes.Status431RequestHeaderFieldsTooLarge);
        return next(http);
    }
}

/// <summary><c>Limits:MaxRequestHeaderBytes</c> (all header lines together) and <c>Limits:MaxRequestHeaderCount</c>.</summary>
public sealed record HeaderLimits(int MaxBytes, int MaxCount)
{
    public const int DefaultMaxBytes = 32 * 1024;
    public const int DefaultMaxCount = 100;

    public static HeaderLimits From(IConfiguration config)
    {
        var limits = new HeaderLimits(config.GetValue("Limits:MaxRequestHeaderBytes", DefaultMaxBytes), config.GetValue("Limits:MaxRequestHeaderCount", DefaultMaxCount));
        if (limits.MaxBytes < 1024 || limits.MaxCount < 10)
            throw new InvalidOperationException("Limits:MaxRequestHeaderBytes must be at least 1024 and Limits:MaxRequestHeaderCount at least 10.");
        return limits;
    }
}
