namespace Strategy.Domain;

public enum RejectionKind { Validation, Forbidden, Conflict, NotFound }

/// <summary>
/// Why a decision refused a command. <see cref="Field"/> names the offending input for validation, and for a conflict
/// that one input causes (a code already taken), so that a form can say it next to that input.
/// </summary>
public sealed record Rejection(RejectionKind Kind, string Message, string? Field = null)
{
    public static Rejection Invalid(string field, string message) => new(RejectionKind.Validation, message, field);
    public static Rejection Forbidden(string message) => new(RejectionKind.Forbidden, message);
    public static Rejection Conflict(string message, string? field = null) => new(RejectionKind.Conflict, message, field);
}

/// <summary>The outcome of a decide function: the events to append, or why not.</summary>
public readonly record struct Decision
{
    public IReadOnlyList<object> Events { get; }
    public Rejection? Rejection { get; }

    private Decision(IReadOnlyList<object> events, Rejection? rejection) { Events = events; Rejection = rejection; }

    public bool IsAccepted => Rejection is null;

    public static Decision Accept(params object[] events) => new(events, null);
    public static Decision Accept(IReadOnlyList<object> events) => new(events, null);
    public static implicit operator Decision(Rejection rejection) => new([], rejection);
}
