namespace Strategy.Infrastructure.Store;

/// <summary>
/// The first response to a POST carrying an Idempotency-Key, stored in the same transaction as the events it
/// appended, so a retry either finds it (and gets the same response) or finds nothing was appended.
/// </summary>
public sealed class IdempotencyRecord
{
    /// <summary>Caller id and key: keys are scoped to the caller, so two users cannot collide.</summary>
    public string Id { get; set; } = "";
    public string RequestHash { get; set; } = "";
    public int StatusCode { get; set; }
    public string ContentType { get; set; } = "";
    public string Body { get; set; } = "";
    public string? Location { get; set; }
    public string? ETag { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
