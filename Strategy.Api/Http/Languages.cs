using Microsoft.Net.Http.Headers;

namespace Strategy.Api.Http;

/// <summary>
/// The language a read is answered in: <c>?lang=</c>, else the first language of <c>Accept-Language</c> (by its
/// weights) that the service knows, else English. An unknown language is English, never an error.
/// </summary>
public static class Languages
{
    public const string English = Strategy.Domain.Translations.Source;

    /// <summary>The members' languages and English, the source language (BCP 47 primary subtags).</summary>
    public static readonly IReadOnlyList<string> Supported = Strategy.Domain.Translations.All;

    public static readonly TextQuery Query = new("lang", new TextLimit(35),
        "The language of the texts: en, km, lo, my, th, vi or zh (zh-Hans and region forms such as km-KH are read as their language). " +
        "Without it, Accept-Language decides; an unknown language gives English. Each item says which language it is in.");

    /// <summary>The reader's language; the answer varies with Accept-Language, and caches are told so.</summary>
    public static string Read(HttpContext http)
    {
        Varies(http.Response);
        return Requested(http.Request);
    }

    /// <summary>Tells caches the answer depends on the reader's language.</summary>
    public static void Varies(HttpResponse response) => response.Headers.Vary = HeaderNames.AcceptLanguage;

    public static string Requested(HttpRequest request)
    {
        if (request.Query[Query.Name].ToString() is { Length: > 0 } asked) return Known(asked) ?? English;
        var accepted = request.GetTypedHeaders().AcceptLanguage;
        foreach (var range in accepted.OrderByDescending(r => r.Quality ?? 1))
            if (range.Quality is not 0 && Known(range.Value.Value) is { } known) return known;
        return English;
    }

    /// <summary>The supported language a tag names (its primary subtag), if any.</summary>
    public static string? Known(string? tag)
    {
        if (string.IsNullOrWhiteSpace(tag)) return null;
        var primary = tag.Split('-', '_')[0].Trim().ToLowerInvariant();
        return Supported.Contains(primary) ? primary : null;
    }
}
