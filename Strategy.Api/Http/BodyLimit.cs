using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace Strategy.Api.Http;

/// <summary>
/// Bodies over the limit get 413 before anything reads them. Kestrel enforces its own limit too, but a declared
/// length is refused here at once, and a chunked body is cut off by a counting stream (also under the test host).
/// The limit is the service's, or a route's own (<see cref="BodyLimits.WithBodyLimit"/>): routing has chosen the
/// endpoint before this runs. A body declared in a charset other than UTF-8 gets 415: the API reads UTF-8 JSON, and a
/// charset .NET cannot decode (an unknown name, or UTF-7) made the framework's JSON reader throw, a 500.
/// </summary>
public sealed class BodyLimitMiddleware(RequestDelegate next, long defaultMaxBytes)
{
    public Task Invoke(HttpContext http)
    {
        // A route that declared no limit of its own, or none at all, keeps the service's: no route is unlimited.
        var maxBytes = http.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? defaultMaxBytes;
        if (http.Request.ContentLength > maxBytes)
            throw new BadHttpRequestException($"The body is over {maxBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
        if (MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var media) && media.Charset.HasValue
            && !IsUtf8(HeaderUtilities.RemoveQuotes(media.Charset).Value))
            throw new BadHttpRequestException("Send the body as UTF-8 JSON (charset=utf-8, or no charset).", StatusCodes.Status415UnsupportedMediaType);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = maxBytes;
        if (http.Request.ContentLength is null && http.Request.Body.CanRead) http.Request.Body = new LimitedStream(http.Request.Body, maxBytes);
        return next(http);
    }

    private static bool IsUtf8(string? charset) =>
        string.Equals(charset, "utf-8", StringComparison.OrdinalIgnoreCase) || string.Equals(charset, "utf8", StringComparison.OrdinalIgnoreCase);

    private sealed class LimitedStream(Stream inner, long max) : Stream
    {
        private long read;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => Count(await inner.ReadAsync(buffer, ct));
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int n)
        {
            read += n;
            if (read > max) throw new BadHttpRequestException($"The body is over {max} bytes.", StatusCodes.Status413PayloadTooLarge);
            return n;
        }
    }
}

/// <summary>A route's own body limit in place of the service's, as endpoint metadata (the framework's own kind).</summary>
public sealed record RouteBodyLimit(long MaxBytes) : IRequestSizeLimitMetadata
{
    long? IRequestSizeLimitMetadata.MaxRequestBodySize => MaxBytes;
}

public static class BodyLimits
{
    public static RouteHandlerBuilder WithBodyLimit(this RouteHandlerBuilder builder, long maxBytes) => builder.WithMetadata(new RouteBodyLimit(maxBytes));
}
