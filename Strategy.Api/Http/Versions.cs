using System.Globalization;

namespace Strategy.Api.Http;

public static class Versions
{
    /// <summary>
    /// The version a write expects, from <c>If-Match: "N"</c>; null when the write is unconditional. "0" is the ETag of
    /// a stream nothing was written to yet (an empty thread), so a first write can be conditional too.
    /// </summary>
    public static long? ExpectedVersion(HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0 || header == "*") return null;
        if (header.StartsWith("W/", StringComparison.Ordinal)) header = header[2..];
        if (header.Length >= 3 && header[0] == '"' && header[^1] == '"' &&
            long.TryParse(header.AsSpan(1, header.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            return version;
        throw RejectedException.Invalid("If-Match", "Use a version from an ETag, e.g. If-Match: \"3\".");
    }

    public static void SetETag(HttpResponse response, long version) => response.Headers.ETag = $"\"{version}\"";
}
