using System.Security.Cryptography;
using Marten;
using Marten.Exceptions;
using Npgsql;
using Strategy.Api.Auth;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Http;

/// <summary>
/// <c>Idempotency-Key</c> on a POST: the first successful response is stored in the same transaction as the events
/// the request appended. A retry with the same key and body gets that response again and appends nothing; the same
/// key with another body gets 422. Two racing requests with one key serialize on the record's primary key: the
/// loser's transaction (events included) rolls back and it answers with the winner's response.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next)
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
        var recordId = $"{actor.Id}|{key}";
        http.Request.EnableBuffering();
        var hash = await HashAsync(http.Request, http.RequestAborted);

        if (await LoadAsync(documents, recordId, http.RequestAborted) is { } earlier)
        {
            await ReplayAsync(http, earlier, hash);
            return;
        }

        await transaction.BeginAsync(store.ConnectionString, http.RequestAborted);
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
                    CreatedAt = DateTimeOffset.UtcNow,
                });
                try
                {
                    await session.SaveChangesAsync(http.RequestAborted);
                    await transaction.Transaction!.CommitAsync(http.RequestAborted);
                }
                catch (Exception ex) when (IsDuplicate(ex))
                {
                    await transaction.Transaction!.RollbackAsync(CancellationToken.None);
                    http.Response.Body = realBody;
                    var winner = await LoadAsync(documents, recordId, http.RequestAborted)
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

    private static async Task<IdempotencyRecord?> LoadAsync(IDocumentStore documents, string id, CancellationToken ct)
    {
        await using var query = documents.QuerySession();
        return await query.LoadAsync<IdempotencyRecord>(id, ct);
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

    /// <summary>The request's identity: method, path, query and body bytes.</summary>
    private static async Task<string> HashAsync(HttpRequest request, CancellationToken ct)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await request.Body.ReadAsync(buffer, ct)) > 0) sha.AppendData(buffer, 0, n);
        request.Body.Position = 0;
        return Convert.ToHexString(sha.GetHashAndReset());
    }
}
