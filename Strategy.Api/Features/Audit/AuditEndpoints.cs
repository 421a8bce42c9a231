using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using CsvHelper;
using Mediator;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Strategy.Api.Auth;
using Strategy.Api.Http;
using Strategy.Api.Pipeline;
using Strategy.Domain;
using Strategy.Infrastructure.Audit;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Features.Audit;

public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, long? NextAfter);

[AllowedRoles(Role.Secretariat, Role.Reviewer, Role.Admin)]
public sealed record GetAuditPage(AuditFilter Filter, long After, int Limit) : IQuery<AuditPage>;

public sealed class GetAuditPageHandler(StoreSettings store) : IQueryHandler<GetAuditPage, AuditPage>
{
    public async ValueTask<AuditPage> Handle(GetAuditPage query, CancellationToken ct)
    {
        var items = new List<AuditEntry>(query.Limit);
        await foreach (var entry in AuditLog.ReadAsync(store.ConnectionString, store.Schema, query.Filter, query.After, query.Limit, ct))
            items.Add(entry);
        return new AuditPage(items, items.Count == query.Limit ? items[^1].Sequence : null);
    }
}

[AllowedRoles(Role.Secretariat, Role.Reviewer, Role.Admin)]
public sealed record VerifyAuditChain : IQuery<AuditVerification>;

public sealed class VerifyAuditChainHandler(StoreSettings store) : IQueryHandler<VerifyAuditChain, AuditVerification>
{
    public async ValueTask<AuditVerification> Handle(VerifyAuditChain query, CancellationToken ct) =>
        await AuditVerifier.VerifyAsync(store.ConnectionString, store.Schema, ct);
}

public static class AuditEndpoints
{
    public const int MaxLimit = 1000;

    public static void Map(RouteGroupBuilder api)
    {
        var audit = api.MapGroup("/audit").RequireAuthorization(Policies.Audit);

        audit.MapGet("", async (HttpRequest request, IMediator mediator, CancellationToken ct) =>
            {
                var q = request.Query;
                var page = await mediator.Send(new GetAuditPage(Filter(request),
                    QueryValues.Long("after", q["after"], 0), QueryValues.Int("limit", q["limit"], 100, 1, MaxLimit)), ct);
                return TypedResults.Ok(page);
            })
            .WithName("ReadAuditLog")
            .WithSummary("Every event of every stream, in sequence order (secretariat, reviewer, admin)")
            .WithDescription("Filters: plan, country (of the commitment), actor (user id), type (e.g. commitment-status-changed), from, to (instants; from inclusive, to exclusive). " +
                "Page with after=<sequence> (exclusive) and limit (1-1000, default 100); nextAfter is the cursor of the next page, null on the last. " +
                "The log runs up to the async daemon's high-water mark (a new event shows within moments), so a write that commits late is never skipped by a cursor. " +
                "Each entry has the stream (kind, id, plan, commitment code, country), the actor, correlation and causation ids, the event as stored, and for changes the before and after values.")
            .ReadResponses<AuditPage>()
            .ProducesProblem(StatusCodes.Status403Forbidden);

        audit.MapGet("/verify", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new VerifyAuditChain(), ct)))
            .WithName("VerifyAuditChain")
            .WithSummary("Recompute the hash chain over the whole event log and report the first broken sequence")
            .WithDescription("h(n) = SHA-256(h(n-1) || canonical(event n)). The chain is extended by an async projection; eventsPending counts events not chained yet.")
            .ReadResponses<AuditVerification>()
            .ProducesProblem(StatusCodes.Status403Forbidden);

        audit.MapGet("/export", async (HttpContext http, AuditExports exports, IOptions<JsonOptions> json, ILogger<AuditExports> log, CancellationToken ct) =>
            {
                var format = http.Request.Query["format"].ToString() switch
                {
                    "" or "jsonl" => "jsonl",
                    "csv" => "csv",
                    _ => throw RejectedException.Invalid("format", "Use csv or jsonl."),
                };
                var filter = Filter(http.Request);
                await using var export = await exports.OpenAsync(filter, ct);
                // PostgreSQL stops the export's statement at its timeout, but only once it can send again: a client that
                // stops reading would keep the export's connection. Such an export is cut off a little later.
                using var cutOff = new CancellationTokenSource(exports.Limits.ExportCutOff);
                await using var abort = cutOff.Token.Register(() =>
                {
                    log.LogWarning("Audit export for {Caller} cut off after {Seconds} s", RateLimits.Caller(http), exports.Limits.ExportCutOff.TotalSeconds);
                    http.Abort();
                });
                var entries = export.Entries;
                var stamp = DateTimeOffset.UtcNow.ToString("yyyyMMddTHHmmssZ", CultureInfo.InvariantCulture);
                http.Response.Headers.ContentDisposition = $"attachment; filename=\"audit-{stamp}.{format}\"";
                if (format == "csv")
                {
                    http.Response.ContentType = "text/csv; charset=utf-8";
                    await WriteCsv(http.Response.Body, entries, json.Value.SerializerOptions, ct);
                }
                else
                {
                    http.Response.ContentType = "application/x-ndjson; charset=utf-8";
                    await WriteJsonLines(http.Response.Body, entries, json.Value.SerializerOptions, ct);
                }
            })
            .WithName("ExportAuditLog")
            .WithSummary("The filtered audit log, streamed as CSV (RFC 4180) or JSON Lines")
            .WithDescription("Same filters and entries as GET /api/audit, all of them, oldest first. format=jsonl (default) or csv. " +
                "Bounded: at most RateLimits:ExportsPerCaller exports at once per caller (2; one more gets 429 with Retry-After), " +
                "at most Limits:ExportConnections at once on a node, each on a connection pool of the exports' own (4; one more gets 503 with Retry-After), " +
                "and each under a statement timeout of Limits:ExportSeconds (300 s): one stopped before it has sent anything gets 503 with Retry-After; " +
                "one stopped while streaming, or whose client stops reading, is cut off (the download ends incomplete) at most 5 s after that. " +
                "Narrow a long export with from and to.")
            .Produces(StatusCodes.Status200OK, contentType: "application/x-ndjson")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ResponseHeader(StatusCodes.Status429TooManyRequests, "Retry-After", "Seconds to wait before exporting again.")
            .ResponseHeader(StatusCodes.Status503ServiceUnavailable, "Retry-After", "Seconds to wait before exporting again.");
    }

    private static AuditFilter Filter(HttpRequest request)
    {
        var q = request.Query;
        string? Value(string name) => q[name].ToString() is { Length: > 0 } v ? v : null;
        var country = Value("country");
        if (country is not null && !Codes.CountryCode().IsMatch(country)) throw RejectedException.Invalid("country", "Use an ISO 3166-1 alpha-2 code such as KH.");
        var type = Value("type");
        if (type is not null && (type.Length > 64 || !type.All(c => c is >= 'a' and <= 'z' or '-')))
            throw RejectedException.Invalid("type", "Use an event type such as commitment-status-changed.");
        return new AuditFilter(Value("plan"), country, Value("actor"), type,
            QueryValues.Instant("from", Value("from")), QueryValues.Instant("to", Value("to")));
    }

    private const int FlushEvery = 500;

    private static async Task WriteJsonLines(Stream body, IAsyncEnumerable<AuditEntry> entries, JsonSerializerOptions options, CancellationToken ct)
    {
        var newline = "\n"u8.ToArray();
        var n = 0;
        await foreach (var entry in entries)
        {
            await JsonSerializer.SerializeAsync(body, entry, options, ct);
            await body.WriteAsync(newline, ct);
            if (++n % FlushEvery == 0) await body.FlushAsync(ct);
        }
    }

    public static readonly string[] CsvColumns =
    [
        "sequence", "timestamp", "streamKind", "streamId", "plan", "commitmentCode", "country", "version", "type",
        "actorId", "actorName", "actorRole", "actorCountry", "correlationId", "causationId", "note", "reason", "changes", "data",
    ];

    private static async Task WriteCsv(Stream body, IAsyncEnumerable<AuditEntry> entries, JsonSerializerOptions options, CancellationToken ct)
    {
        await using var text = new StreamWriter(body, new System.Text.UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        await using var csv = CsvWriter.Create(text, new CsvWriterOptions(), leaveOpen: true);
        // Async writes only: Kestrel refuses synchronous I/O, which a full buffer would otherwise cause mid-export.
        await csv.WriteRecordAsync(CsvColumns, ct);
        var n = 0;
        await foreach (var e in entries)
        {
            string[] cells =
            [
                e.Sequence.ToString(CultureInfo.InvariantCulture), e.Timestamp.ToString("O", CultureInfo.InvariantCulture),
                e.Stream.Kind, e.Stream.Id.ToString(), e.Stream.Plan ?? "", e.Stream.Code ?? "", e.Stream.Country ?? "",
                e.Version.ToString(CultureInfo.InvariantCulture), e.Type,
                e.Actor.Id, e.Actor.Name ?? "", e.Actor.Role ?? "", e.Actor.Country ?? "", e.CorrelationId ?? "", e.CausationId ?? "",
                e.Note ?? "", e.Reason ?? "", JsonSerializer.Serialize(e.Changes, options), e.Data.GetRawText(),
            ];
            await csv.WriteRecordAsync([.. cells.Select(Strategy.Infrastructure.Reports.CsvText.Cell)], ct);
            if (++n % FlushEvery == 0)
            {
                await csv.FlushAsync(ct);
                await text.FlushAsync(ct);
            }
        }
        await csv.FlushAsync(ct);
        await text.FlushAsync(ct);
    }
}
