using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using CsvHelper;
using Mediator;
using Microsoft.OpenApi;
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
public sealed record VerifyAuditChain(bool SinceLastVerified = false) : IQuery<AuditVerification>;

public sealed class VerifyAuditChainHandler(AuditCheckpointStore checkpoints) : IQueryHandler<VerifyAuditChain, AuditVerification>
{
    public async ValueTask<AuditVerification> Handle(VerifyAuditChain query, CancellationToken ct) =>
        query.SinceLastVerified ? await checkpoints.VerifySinceLastAsync(ct) : await checkpoints.VerifyAsync(ct);
}

[AllowedRoles(Role.Secretariat, Role.Reviewer, Role.Admin)]
public sealed record GetAuditHashAt(long UpTo) : IQuery<AuditHashAt?>;

public sealed class GetAuditHashAtHandler(StoreSettings store) : IQueryHandler<GetAuditHashAt, AuditHashAt?>
{
    public async ValueTask<AuditHashAt?> Handle(GetAuditHashAt query, CancellationToken ct) =>
        await AuditVerifier.HashAtAsync(store.ConnectionString, store.Schema, query.UpTo, ct);
}

/// <summary>A signed chain head as listed: the checkpoint itself (what a verifier needs) and what it was taken for.</summary>
public sealed record CheckpointDto(long Sequence, string Hash, DateTimeOffset SignedAt, string KeyId, string Signature, string Occasion, Guid? ReportId);

[AllowedRoles(Role.Secretariat, Role.Reviewer, Role.Admin)]
public sealed record ListAuditCheckpoints(int Limit) : IQuery<IReadOnlyList<CheckpointDto>>;

public sealed class ListAuditCheckpointsHandler(AuditCheckpointStore checkpoints) : IQueryHandler<ListAuditCheckpoints, IReadOnlyList<CheckpointDto>>
{
    public async ValueTask<IReadOnlyList<CheckpointDto>> Handle(ListAuditCheckpoints query, CancellationToken ct) =>
        [.. (await checkpoints.ListAsync(query.Limit, ct)).Select(c => new CheckpointDto(c.Sequence, c.Hash, c.SignedAt, c.KeyId, c.Signature, c.Occasion, c.ReportId))];
}

/// <summary>The checkpoint key's public half: ECDSA P-256 with SHA-256 (ES256), SubjectPublicKeyInfo in PEM.</summary>
public sealed record CheckpointPublicKey(string KeyId, string Algorithm, string PublicKeyPem);

public static class AuditEndpoints
{
    public const int MaxLimit = 1000;

    private static readonly SequenceQuery After = new("after", 0, "Entries after this sequence (exclusive); default 0.");
    private static readonly IntQuery PageLimit = new("limit", 100, 1, MaxLimit, $"At most this many entries, 1-{MaxLimit}; default 100.");
    private static readonly IntQuery CheckpointLimit = new("limit", 100, 1, MaxLimit, $"At most this many checkpoints, 1-{MaxLimit}; default 100.");
    private static readonly SequenceQuery UpTo = new("upTo", 0,
        "An event's sequence (0 or more): answer the chain hash after it, {sequence, hash, eventsHashed, storedHash}, instead of verifying.");
    private static readonly ChoiceQuery From = new("from", ["last"], "last: check only what was added since the last point this node verified; absent: the whole log.");
    private static readonly ChoiceQuery ExportFormat = new("format", ["jsonl", "csv"], "jsonl (default) or csv.");
    private static readonly TextQuery EventType = new("type", new TextLimit(64, "^[a-z-]+$", "Use an event type such as commitment-status-changed."),
        "An event type, such as commitment-status-changed.");

    /// <summary>The filters of the log and its export.</summary>
    private static readonly QueryParam[] Filters =
    [
        Queries.Code("plan", "A plan's code."), Queries.Country,
        new TextQuery("actor", new TextLimit(MemberLimits.MaxSubjectLength), "A user id (the token's sub)."),
        EventType,
        Queries.Instant("from", "Entries at or after this instant (or date)."), Queries.Instant("to", "Entries before this instant (or date)."),
    ];

    public static void Map(RouteGroupBuilder api)
    {
        var audit = api.MapGroup("/audit").RequireAuthorization(Policies.Audit);

        audit.MapGet("", async (HttpRequest request, IMediator mediator, CancellationToken ct) =>
            {
                var q = request.Query;
                var page = await mediator.Send(new GetAuditPage(Filter(request),
                    After.Read(q["after"]), PageLimit.Read(q["limit"])), ct);
                return TypedResults.Ok(page);
            })
            .WithName("ReadAuditLog")
            .WithSummary("Every event of every stream, in sequence order (secretariat, reviewer, admin)")
            .WithDescription("Filters: plan, country (of the commitment), actor (user id), type (e.g. commitment-status-changed), from, to (instants; from inclusive, to exclusive). " +
                "Page with after=<sequence> (exclusive) and limit (1-1000, default 100); nextAfter is the cursor of the next page, null on the last. " +
                "The log runs up to the async daemon's high-water mark (a new event shows within moments), so a write that commits late is never skipped by a cursor. " +
                "Each entry has the stream (kind, id, plan, commitment code, country), the actor, correlation and causation ids, the event as stored, and for changes the before and after values.")
            .ReadResponses<AuditPage>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .Query([.. Filters, After, PageLimit]);

        audit.MapGet("/verify", async (HttpRequest request, IMediator mediator, CancellationToken ct) =>
            {
                var from = request.Query["from"].ToString() switch
                {
                    "" => false,
                    "last" => true,
                    _ => throw RejectedException.Invalid(From.Name, "Use from=last (from the last point this node verified), or leave it out for the whole log."),
                };
                if (request.Query["upTo"].ToString() is not { Length: > 0 } upToText)
                    return Results.Ok(await mediator.Send(new VerifyAuditChain(from), ct));
                var upTo = UpTo.Read(upToText);
                return await mediator.Send(new GetAuditHashAt(upTo), ct) is { } at
                    ? Results.Ok(at)
                    : throw RejectedException.NotFound($"The log has no event at or after {upTo} yet, so the hash after it is not final.");
            })
            .WithName("VerifyAuditChain")
            .WithSummary("Recompute the hash chain over the whole event log and report the first broken sequence; with upTo, the hash after that event")
            .WithDescription("h(n) = SHA-256(h(n-1) || canonical(event n)). The chain is extended by an async projection; eventsPending counts events not chained yet. " +
                "The recomputed chain is also held to every signed checkpoint (GET /api/audit/checkpoints) made with the current key, and event timestamps may not go " +
                $"back by more than {AuditClock.Tolerance.TotalSeconds:0} s as sequences go up; checkpointsChecked counts the checkpoints confirmed. " +
                "A scan reads the whole log, so callers who ask while one is running on the node get its result rather than starting another. " +
                "With from=last only what was added since the last point this node verified is checked, once that point's stored link is found unchanged " +
                "(verifiedFrom says where the check started; the whole log when the node has verified nothing yet): cheap enough to ask often, " +
                "while a rewrite before that point is for the whole-log check and the checkpoints to find. " +
                "With upTo=<sequence>: {sequence, hash, eventsHashed, storedHash}, the hash after the last event at or before that sequence, recomputed from the first event " +
                "(compare it with a report's eventSequence and chainHash); 404 when no event at or after that sequence exists yet.")
            .Query(UpTo, From)
            .EitherResponse<AuditVerification, AuditHashAt>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        audit.MapGet("/checkpoints", async (HttpRequest request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListAuditCheckpoints(CheckpointLimit.Read(request)), ct)))
            .WithName("ListAuditCheckpoints")
            .WithSummary("Signed chain heads, newest first (secretariat, reviewer, admin)")
            .WithDescription("Each: sequence, hash (the chain hash after that event), signedAt, keyId, signature (base64 of the ECDSA P-256 SHA-256 signature, r then s, " +
                "over the UTF-8 of \"strategy-audit-checkpoint:v1\\n{sequence}\\n{hash}\\n{signedAt as yyyy-MM-ddTHH:mm:ss.ffffffZ}\"), occasion (periodic or report) and reportId. " +
                "Signed hourly when the chain has moved (Jobs:CheckpointCron) and when a report succeeds, with a key the database does not hold (GET /api/audit/public-key). limit 1-1000, default 100.")
            .Query(CheckpointLimit)
            .ReadResponses<IReadOnlyList<CheckpointDto>>(maxItems: MaxLimit)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapGet("/audit/public-key", (AuditCheckpointStore checkpoints) => checkpoints.SigningKey is { } key
                ? Results.Ok(new CheckpointPublicKey(key.Id, "ES256", key.PublicKeyPem))
                : throw RejectedException.NotFound("No checkpoint key is configured (Audit:CheckpointKey or Audit:CheckpointKeyFile), so no checkpoint is signed."))
            .Anonymous()
            .WithName("GetCheckpointPublicKey")
            .WithSummary("The public key checkpoints are signed with (anyone may fetch it)")
            .WithDescription("keyId, algorithm (ES256) and the SubjectPublicKeyInfo in PEM; 404 when no checkpoint key is configured. No token needed: whoever holds a checkpoint can check it.")
            .Produces<CheckpointPublicKey>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        audit.MapGet("/export", async (HttpContext http, AuditExports exports, IOptions<JsonOptions> json, ILogger<AuditExports> log, CancellationToken ct) =>
            {
                var format = http.Request.Query["format"].ToString() switch
                {
                    "" or "jsonl" => "jsonl",
                    "csv" => "csv",
                    _ => throw RejectedException.Invalid(ExportFormat.Name, "Use csv or jsonl."),
                };
                var filter = Filter(http.Request);
                // Only JSON Lines carries the chain: a CSV cell could not hold it legibly, and the verifier reads JSON.
                await using var export = await exports.OpenAsync(filter, ct, chain: format == "jsonl");
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
                "In JSON Lines each entry also has `chain`, so the hash chain can be recomputed from the file alone: `canonical` (the event's fields " +
                "as hashed: id, streamId, version, type, timestamp in UTC to the microsecond, data and headers in RFC 8785 canonical JSON as strings, " +
                "userName, correlationId, causationId; with the entry's sequence, joined by U+001F in that order, they are canonical(event n)), " +
                "`previous` (h(n-1), 64 zeros before the first event) and `hash` (h(n) = SHA-256(h(n-1) || canonical(event n)), as stored); both " +
                "null for an event not chained yet. `dotnet Strategy.Api.dll verify-export --file audit.jsonl --checkpoint checkpoint.json " +
                "--public-key key.pem` checks an unfiltered export offline; a filtered one leaves events out, so its links do not follow. " +
                "Bounded: at most RateLimits:ExportsPerCaller exports at once per caller (2; one more gets 429 with Retry-After), " +
                "at most Limits:ExportConnections at once on a node, each on a connection pool of the exports' own (4; one more gets 503 with Retry-After), " +
                "and each under a statement timeout of Limits:ExportSeconds (300 s): one stopped before it has sent anything gets 503 with Retry-After; " +
                "one stopped while streaming, or whose client stops reading, is cut off (the download ends incomplete) at most 5 s after that. " +
                "Narrow a long export with from and to.")
            .Query([.. Filters, ExportFormat])
            .Produces(StatusCodes.Status200OK)
            .Files("application/x-ndjson", "text/csv")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ResponseHeader(StatusCodes.Status429TooManyRequests, "Retry-After", "Seconds to wait before exporting again.")
            .ResponseHeader(StatusCodes.Status503ServiceUnavailable, "Retry-After", "Seconds to wait before exporting again.");
    }

    /// <summary>The filters from the query string, as the API and the audit screen read them.</summary>
    public static AuditFilter Filter(HttpRequest request)
    {
        var q = request.Query;
        string? Value(string name) => q[name].ToString() is { Length: > 0 } v ? v : null;
        var country = Value("country");
        if (country is not null && !Codes.CountryCode().IsMatch(country)) throw RejectedException.Invalid("country", "Use an ISO 3166-1 alpha-2 code such as KH.");
        var type = Value("type");
        if (type is not null && (type.Length > EventType.Limit.MaxLength || !type.All(c => c is >= 'a' and <= 'z' or '-')))
            throw RejectedException.Invalid(EventType.Name, EventType.Limit.Rule!);
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
