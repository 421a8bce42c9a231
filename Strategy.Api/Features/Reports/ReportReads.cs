using Marten;
using Marten.Linq.MatchesSql;
using Mediator;
using Strategy.Api.Http;
using Strategy.Domain.Reports;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Reports;

namespace Strategy.Api.Features.Reports;

public sealed record GetReport(Guid Id, int WaitSeconds) : IQuery<ReportDto>;

public sealed class GetReportHandler(IDocumentStore store, ReportNotifications notifications) : IQueryHandler<GetReport, ReportDto>
{
    public async ValueTask<ReportDto> Handle(GetReport query, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(query.WaitSeconds);
        while (true)
        {
            await using var session = store.QuerySession();
            var view = await session.LoadAsync<ReportView>(query.Id, ct) ?? throw RejectedException.NotFound($"No report {query.Id}.");
            var remaining = deadline - DateTimeOffset.UtcNow;
            if (view.State.Status is ReportStatus.Succeeded or ReportStatus.Failed || remaining <= TimeSpan.Zero) return ReportDto.From(view);
            // Woken at once when this node finishes the job; the short timeout also catches a job finished by another node.
            var finished = notifications.WhenFinished(query.Id);
            await Task.WhenAny(finished, Task.Delay(remaining < TimeSpan.FromMilliseconds(500) ? remaining : TimeSpan.FromMilliseconds(500), ct));
        }
    }
}

public sealed record ListReports(string? Plan, ReportKind? Kind, int Limit) : IQuery<IReadOnlyList<ReportDto>>;

public sealed class ListReportsHandler(IQuerySession session) : IQueryHandler<ListReports, IReadOnlyList<ReportDto>>
{
    public async ValueTask<IReadOnlyList<ReportDto>> Handle(ListReports query, CancellationToken ct)
    {
        IQueryable<ReportView> q = session.Query<ReportView>();
        if (query.Plan is not null) q = q.Where(x => x.State.Plan == query.Plan);
        if (query.Kind is { } kind) q = q.Where(x => x.MatchesSql("d.data->'state'->>'kind' = ?", Json.Kebab(kind.ToString())));
        var views = await q.OrderByDescending(x => x.RequestedAt).Take(query.Limit).ToListAsync(ct);
        return [.. views.Select(ReportDto.From)];
    }
}

/// <summary>
/// A succeeded report's content in one format, written when it is served (a CSV of a large plan is streamed, not held).
/// <paramref name="Language"/>: the language a CSV or HTML is written in; none for the JSON, which is the same in all.
/// </summary>
public sealed record ReportFile(string ContentType, string? DownloadName, bool Page, long? Length, Func<Stream, CancellationToken, Task> Write,
    string? Language = null)
{
    /// <summary>
    /// The page is self-contained; its inline styles need this one relaxation of the policy the API and the screens
    /// otherwise send.
    /// </summary>
    public const string PagePolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";

    /// <summary>The same answer for the API (a token) and the screens' download link (a session).</summary>
    public static async Task<IResult> Serve(HttpContext http, ReportFile file, CancellationToken ct)
    {
        http.Response.ContentType = file.ContentType;
        if (file.DownloadName is { } name) http.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
        if (file.Page) http.Response.Headers.ContentSecurityPolicy = PagePolicy;
        if (file.Language is { } language)
        {
            // Rendered for each request from the canonical JSON, never stored; a cache in between is told it varies.
            http.Response.Headers.ContentLanguage = language;
            Languages.Varies(http.Response);
        }
        http.Response.ContentLength = file.Length;
        await file.Write(http.Response.Body, ct);
        return Results.Empty;
    }
}

/// <param name="Format">json (default, the canonical content its hash is taken of), csv or html.</param>
/// <param name="Lang">The language of the csv or html (<see cref="Languages.Requested"/>); the json has none.</param>
public sealed record GetReportContent(Guid Id, string? Format, string Lang) : IQuery<ReportFile>;

public sealed class GetReportContentHandler(IQuerySession session, ReportContentStore contents) : IQueryHandler<GetReportContent, ReportFile>
{
    public async ValueTask<ReportFile> Handle(GetReportContent query, CancellationToken ct)
    {
        var chosen = query.Format switch
        {
            null or "" or "json" => "json",
            "csv" => "csv",
            "html" => "html",
            _ => throw RejectedException.Invalid("format", "Use json, csv or html."),
        };
        var id = query.Id;
        var view = await session.LoadAsync<ReportView>(id, ct) ?? throw RejectedException.NotFound($"No report {id}.");
        if (view.State.Status != ReportStatus.Succeeded)
            throw new RejectedException(Domain.Rejection.Conflict($"The report is {Json.Kebab(view.State.Status.ToString())}; its content exists once it has succeeded."));
        var stored = await contents.LoadAsync(id, ct) ?? throw new InvalidOperationException($"Report {id} succeeded without content.");
        var text = ReportText.For(query.Lang);
        var name = $"{view.State.Plan}-{stored.Kind}-{id}" + (text == ReportText.English ? "" : "." + text.Lang);
        switch (chosen)
        {
            case "json":
                return new ReportFile("application/json; charset=utf-8", null, false, stored.Json.Length, (body, token) => body.WriteAsync(stored.Json, token).AsTask());
            case "csv":
                return new ReportFile("text/csv; charset=utf-8", $"{name}.csv", false, null,
                    (body, token) => ReportCsv.WriteAsync(body, ReportGenerator.Parse(stored.Kind, stored.Json), text, token), text.Lang);
            default:
                var header = new ReportHeader(id, view.State.ContentHash!, view.State.AsOf, view.RequestedAt, view.RequestedBy.Name ?? view.RequestedBy.Id);
                var html = System.Text.Encoding.UTF8.GetBytes(ReportHtml.Render(ReportGenerator.Parse(stored.Kind, stored.Json), header, text));
                return new ReportFile("text/html; charset=utf-8", null, true, html.Length, (body, token) => body.WriteAsync(html, token).AsTask(), text.Lang);
        }
    }
}

public static class ReportReadEndpoints
{
    private static readonly IntQuery Wait = new("wait", 0, 0, 60, "Hold the answer until the report has succeeded or failed, or this many seconds (0-60) have passed.");
    private static readonly IntQuery Limit = new("limit", 100, 1, 1000, "At most this many runs, 1-1000; default 100.");
    private static readonly ChoiceQuery Format = new("format", ["json", "csv", "html"], "json (default), csv or html.");
    private static readonly TextQuery Lang = Languages.Query with
    {
        Description = "The language of a csv or html: en, km, lo, my, th, vi or zh (region forms such as km-KH are read as their language). " +
            "Without it, Accept-Language decides; an unknown language gives English. The json is the same in every language.",
    };

    /// <summary>The screens' download link: the same content, for a signed-in session rather than a token.</summary>
    public static void MapForScreens(IEndpointRouteBuilder app) =>
        app.MapGet("/reports/{id:guid}/file", async (Guid id, string? format, HttpContext http, IMediator mediator, CancellationToken ct) =>
                await ReportFile.Serve(http, await mediator.Send(new GetReportContent(id, format, Languages.Requested(http.Request)), ct), ct))
            .RequireAuthorization(Auth.Policies.Read).ExcludeFromDescription();

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/reports/{id:guid}", async (Guid id, string? wait, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetReport(id, Wait.Read(wait)), ct)))
            .WithName("GetReport")
            .WithSummary("A report run: request, status, eventSequence, audit chain hash and content hash")
            .WithDescription("?wait=N (0-60) holds the answer until the report has succeeded or failed, or N seconds have passed.")
            .ReadResponses<ReportDto>()
            .Query(Wait);

        api.MapGet("/reports", async (string? plan, string? kind, string? limit, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListReports(plan, QueryValues.Enum<ReportKind>("kind", kind), Limit.Read(limit)), ct)))
            .WithName("ListReports")
            .WithSummary("Report runs, newest first; filters plan and kind; limit (default 100)")
            .WithDescription("plan and kind narrow the list; limit 1-1000 (default 100).")
            .ReadResponses<IReadOnlyList<ReportDto>>(maxItems: Limit.Max)
            .Query(Queries.Code("plan", "A plan's code."), ChoiceQuery.Of<ReportKind>("kind", "The kind of report."), Limit);

        api.MapGet("/reports/{id:guid}/content", async (Guid id, string? format, HttpContext http, IMediator mediator, CancellationToken ct) =>
                await ReportFile.Serve(http, await mediator.Send(new GetReportContent(id, format, Languages.Requested(http.Request)), ct), ct))
            .WithName("GetReportContent")
            .WithSummary("A succeeded report's content: json (canonical, hashed), csv (one RFC 4180 table of every figure) or html (self-contained page with SVG charts)")
            .WithDescription("409 until the report has succeeded. csv and html are written in the language asked for (lang, or Accept-Language): " +
                "headings, words and the method section translated (drafts, not yet checked by native speakers), numbers and dates in the language's " +
                "conventions in the html (th: years of the Buddhist Era); the csv's numbers, dates, codes, section and measure names stay as in English, " +
                "so it reads the same into a program in every language. The json, and so the contentHash, is the same in every language.")
            .Query(Format, Lang)
            .EitherResponse<Strategy.Domain.Reports.ProgressReportContent, Strategy.Domain.Reports.SdgAlignmentReportContent>()
            .Files("text/csv", "text/html")
            .ResponseHeader(StatusCodes.Status200OK, "Content-Language", "The language of a csv or html: en, km, lo, my, th, vi or zh.", maxLength: 35)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }
}
