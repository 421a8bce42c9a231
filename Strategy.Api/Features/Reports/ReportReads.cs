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

public static class ReportReadEndpoints
{
    private static readonly IntQuery Wait = new("wait", 0, 0, 60, "Hold the answer until the report has succeeded or failed, or this many seconds (0-60) have passed.");
    private static readonly IntQuery Limit = new("limit", 100, 1, 1000, "At most this many runs, 1-1000; default 100.");
    private static readonly ChoiceQuery Format = new("format", ["json", "csv", "html"], "json (default), csv or html.");

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

        api.MapGet("/reports/{id:guid}/content", async (Guid id, string? format, HttpContext http, IQuerySession session, ReportContentStore contents, CancellationToken ct) =>
            {
                var chosen = format switch
                {
                    null or "" or "json" => "json",
                    "csv" => "csv",
                    "html" => "html",
                    _ => throw RejectedException.Invalid(Format.Name, "Use json, csv or html."),
                };
                var view = await session.LoadAsync<ReportView>(id, ct) ?? throw RejectedException.NotFound($"No report {id}.");
                if (view.State.Status != ReportStatus.Succeeded)
                    throw new RejectedException(Domain.Rejection.Conflict($"The report is {Json.Kebab(view.State.Status.ToString())}; its content exists once it has succeeded."));
                var stored = await contents.LoadAsync(id, ct) ?? throw new InvalidOperationException($"Report {id} succeeded without content.");
                var name = $"{view.State.Plan}-{stored.Kind}-{id}";
                switch (chosen)
                {
                    case "json":
                        return Results.Bytes(stored.Json, "application/json; charset=utf-8");
                    case "csv":
                        http.Response.ContentType = "text/csv; charset=utf-8";
                        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}.csv\"";
                        await ReportCsv.WriteAsync(http.Response.Body, ReportGenerator.Parse(stored.Kind, stored.Json), ct);
                        return Results.Empty;
                    default:
                        var header = new ReportHeader(id, view.State.ContentHash!, view.State.AsOf, view.RequestedAt, view.RequestedBy.Name ?? view.RequestedBy.Id);
                        // The page is self-contained; its inline styles need this one relaxation of the API's policy.
                        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";
                        return Results.Text(ReportHtml.Render(ReportGenerator.Parse(stored.Kind, stored.Json), header), "text/html; charset=utf-8");
                }
            })
            .WithName("GetReportContent")
            .WithSummary("A succeeded report's content: json (canonical, hashed), csv (one RFC 4180 table of every figure) or html (self-contained page with SVG charts)")
            .WithDescription("409 until the report has succeeded.")
            .Query(Format)
            .EitherResponse<Strategy.Domain.Reports.ProgressReportContent, Strategy.Domain.Reports.SdgAlignmentReportContent>()
            .Files("text/csv", "text/html")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }
}
