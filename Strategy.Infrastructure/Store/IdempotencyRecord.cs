namespace Strategy.Infrastructure.Store;

/// <summary>
/// The first response to a POST carrying an Idempotency-Key, stored in the same transaction as the events it
/// appended, so a retry either finds it (and gets the same response) or finds nothing was appended.
/// </summary>
public sealed class IdempotencyRecord
{
    /// <summary>Caller id and key (<see cref="IdFor"/>): keys are scoped to the caller, so two users cannot collide.</summary>
    public string Id { get; set; } = "";
    public string RequestHash { get; set; } = "";
    public int StatusCode { get; set; }
    public string ContentType { get; set; } = "";
    public string Body { get; set; } = "";
    public string? Location { get; set; }
    public string? ETag { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// The record id of a caller's key: the subject's length first, so the pair reads back one way only (subjects such
    /// as "auth0|123" contain any character a separator could be, and so may keys).
    /// </summary>
    public static string IdFor(string subject, string key) => $"{subject.Length}:{subject}:{key}";
}

/// <summary>How long a stored response answers retries of its key (Idempotency:RecordHours, 24 by default).</summary>
public sealed record IdempotencySettings(TimeSpan RecordLifetime)
{
    public static readonly IdempotencySettings Default = new(TimeSpan.FromHours(24));
}
