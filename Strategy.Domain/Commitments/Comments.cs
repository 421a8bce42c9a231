namespace Strategy.Domain.Commitments;

/// <summary>
/// A message in a commitment's thread between the secretariat and the country's focal point, optionally about one value.
/// Kept on the commitment's correspondence stream, not its own: a comment changes nothing about the commitment, so it
/// must not make anyone's If-Match on the commitment stale.
/// </summary>
public sealed record CommentPosted(Guid CommitmentId, Guid CommentId, string Text, Guid? ValueId) : IDomainEvent;

public static class CommentDecisions
{
    /// <summary>Comments a thread may hold; it bounds the thread a read returns.</summary>
    public const int MaxComments = 1000;

    /// <param name="posted">Comments already in the thread.</param>
    public static Decision Post(Commitment state, Guid commentId, string? text, Guid? valueId, Actor actor, int posted)
    {
        if (actor.Role == Role.Reviewer) return Rejection.Forbidden("Reviewers read threads; they do not write in them.");
        if (!actor.MayActFor(state.Country)) return Rejection.Forbidden($"A focal point for {actor.Country} cannot write in {state.Country}'s threads.");
        if (Codes.CheckText("text", text, required: true) is { } badText) return badText;
        if (posted >= MaxComments) return Rejection.Conflict($"The thread holds {MaxComments} comments, the most it may hold.");
        if (valueId is { } v && state.FindValue(v) is null) return Rejection.Invalid("value", $"No value {v} on this commitment.");
        return Decision.Accept(new CommentPosted(state.Id, commentId, text!.Trim(), valueId));
    }
}
