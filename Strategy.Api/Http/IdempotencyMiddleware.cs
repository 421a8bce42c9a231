using System.Security.Cryptography;
using Marten;
using Marten.Exceptions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Npgsql;
using Strategy.Api.Auth;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Http;

/// <summary>
/// <c>Idempotency-Key</c> on a POST: the first successful response is stored in the same transaction as the events
/// the request appended. A retry with the same key and body gets that response again and appends nothing; the same
/// key with another body gets 422. Two racing requests with one key serialize on an advisory lock taken before the
/// request runs, so the second finds the first's record and replays it; the record's primary key is the backstop:
/// a loser that still gets as far as saving rolls back (events included) and answers with the winner's response.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, IdempotencySettings settings, TimeProvider clock)
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public async Task Invoke(HttpContext http, RequestTransaction transaction, StoreSettings store, IDocumentStore documents)
    {
        var key = http.Request.Headers[Header].ToString();
        if (!HttpMethods.IsPost(http.Request.Method) || key.Length == 0 || http.User.Identity?.IsAuthenticated != true)
        {
            await next(http);
            return;
        }
        if (key.Length > 255 || key.Any(c => c < 0x21 || c > 0x7e))
            throw RejectedException.Invalid(Header, "Use 1-255 visible ASCII characters.");

        var actor = CurrentActor.From(http.User);
        var recordId = IdempotencyRecord.IdFor(actor.Id, key);
        http.Request.EnableBuffering();
        var hash = await HashAsync(http.Request, http.RequestAborted);
        var now = clock.GetUtcNow();
        var expiredBefore = now - settings.RecordLifetime;

        if (await LoadAsync(documents, recordId, expiredBefore, http.RequestAborted) is { } earlier)
        {
            await ReplayAsync(http, earlier, hash);
            return;
        }

        await transaction.BeginAsync(store.ConnectionString, http.RequestAborted);
        // Requests with the same caller and key queue here until the one ahead commits or rolls back, then look
        // again: without this, a request that lost the race would decide on the state the winner left (a status
        // change already made, say) and answer 409 instead of the winner's response.
        await LockAsync(transaction, recordId, http.RequestAborted);
        if (await LoadAsync(documents, recordId, expiredBefore, http.RequestAborted) is { } committed)
        {
            await transaction.Transaction!.RollbackAsync(CancellationToken.None);
            await ReplayAsync(http, committed, hash);
            return;
        }
        // An expired record of this key is gone for good: its key may name a new request.
        await DeleteExpiredAsync(transaction, store.Schema, recordId, expiredBefore, http.RequestAborted);

        var realBody = http.Response.Body;
        using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        try
        {
            await next(http);
            if (http.Response.StatusCode is >= 200 and < 300)
            {
                var session = http.RequestServices.GetRequiredService<IDocumentSession>();
                session.Insert(new IdempotencyRecord
                {
                    Id = recordId,
                    RequestHash = hash,
                    StatusCode = http.Response.StatusCode,
                    ContentType = http.Response.ContentType ?? "",
                    Body = System.Text.Encoding.UTF8.GetString(buffer.ToArray()),
                    Location = http.Response.Headers.Location.ToString() is { Length: > 0 } l ? l : null,
                    ETag = http.Response.Headers.ETag.ToString() is { Length: > 0 } e ? e : null,
                    CreatedAt = now,
                });
                try
                {
                    await session.SaveChangesAsync(http.RequestAborted);
                    await transaction.CommitAsync(http.RequestAborted);
                }
                catch (Exception ex) when (IsDuplicate(ex))
                {
                    await transaction.Transaction!.RollbackAsync(CancellationToken.None);
                    http.Response.Body = realBody;
                    var winner = await LoadAsync(documents, recordId, expiredBefore, http.RequestAborted)
                        ?? throw new InvalidOperationException("The idempotency record that won the race is missing.");
                    http.Response.Clear();
                    await ReplayAsync(http, winner, hash);
                    return;
                }
            }
            else
            {
                await transaction.Transaction!.RollbackAsync(CancellationToken.None);
            }
            http.Response.Body = realBody;
            buffer.Position = 0;
            await buffer.CopyToAsync(realBody, http.RequestAborted);
        }
        finally
        {
            http.Response.Body = realBody;
        }
    }

    private static bool IsDuplicate(Exception ex) =>
        ex is JasperFx.DocumentAlreadyExistsException ||
        ex is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } ||
        ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>A transaction-scoped advisory lock on the record id (64 bits of its SHA-256), released at commit or rollback.</summary>
    private static async Task LockAsync(RequestTransaction transaction, string recordId, CancellationToken ct)
    {
        var key = BitConverter.ToInt64(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("idempotency|" + recordId)), 0);
        await using var command = new NpgsqlCommand("select pg_advisory_xact_lock(@key)", transaction.Connection, transaction.Transaction);
        command.Parameters.AddWithValue("key", key);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The record of this caller and key, unless it expired (created before <paramref name="expiredBefore"/>).</summary>
    private static async Task<IdempotencyRecord?> LoadAsync(IDocumentStore documents, string id, DateTimeOffset expiredBefore, CancellationToken ct)
    {
        await using var query = documents.QuerySession();
        return await query.LoadAsync<IdempotencyRecord>(id, ct) is { } record && record.CreatedAt >= expiredBefore ? record : null;
    }

    private static async Task DeleteExpiredAsync(RequestTransaction transaction, string schema, string id, DateTimeOffset expiredBefore, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"delete from {schema}.mt_doc_idempotencyrecord where id = @id and (data->>'createdAt')::timestamptz < @before",
            transaction.Connection, transaction.Transaction);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("before", expiredBefore);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task ReplayAsync(HttpContext http, IdempotencyRecord record, string hash)
    {
        if (record.RequestHash != hash)
            throw new IdempotencyKeyReusedException();
        http.Response.StatusCode = record.StatusCode;
        if (record.ContentType.Length > 0) http.Response.ContentType = record.ContentType;
        if (record.Location is not null) http.Response.Headers.Location = record.Location;
        if (record.ETag is not null) http.Response.Headers.ETag = record.ETag;
        http.Response.Headers[ReplayedHeader] = "true";
        await http.Response.WriteAsync(record.Body, http.RequestAborted);
    }

    /// <summary>
    /// The request's identity: method, path, query, If-Match (a retry must be the same conditional request) and body. A multipart body is identified by its parts (each part's
    /// headers and bytes) rather than its bytes: clients draw a new boundary for each request they build, so a retry of
    /// the same upload would otherwise differ from the first and get 422.
    /// </summary>
    private static async Task<string> HashAsync(HttpRequest request, CancellationToken ct)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\nif-match: {request.Headers.IfMatch}\n"));
        if (MultipartBoundary(request) is { } boundary && await MultipartDigestAsync(request.Body, boundary, ct) is { } parts)
        {
            sha.AppendData("multipart\n"u8);
            sha.AppendData(parts);
        }
        else
        {
            request.Body.Position = 0;
            var buffer = new byte[16 * 1024];
            int n;
            while ((n = await request.Body.ReadAsync(buffer, ct)) > 0) sha.AppendData(buffer, 0, n);
        }
        request.Body.Position = 0;
        return Convert.ToHexString(sha.GetHashAndReset());
    }

    private static string? MultipartBoundary(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var media)
        && media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
        && HeaderUtilities.RemoveQuotes(media.Boundary) is { Length: > 0 } boundary
            ? boundary.Value
            : null;

    /// <summary>The digest of a multipart body's parts in order, or null when it is not well-formed (its bytes then count).</summary>
    private static async Task<byte[]?> MultipartDigestAsync(Stream body, string boundary, CancellationToken ct)
    {
        using var parts = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            var reader = new MultipartReader(boundary, body);
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                foreach (var (name, value) in (section.Headers ?? []).OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
                    parts.AppendData(System.Text.Encoding.UTF8.GetBytes($"{name.ToLowerInvariant()}: {value}\n"));
                // Each part's bytes by their own digest, so no part's content can pass for another's headers.
                parts.AppendData(await SHA256.HashDataAsync(section.Body, ct));
            }
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException || e is IOException and not BadHttpRequestException)
        {
            // A body over the limit (BadHttpRequestException, 413) is not malformed: it goes on to refuse the request.
            return null;
        }
        return parts.GetHashAndReset();
    }
}
