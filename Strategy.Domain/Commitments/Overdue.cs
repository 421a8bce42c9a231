namespace Strategy.Domain.Commitments;

/// <summary>
/// The daily check found the commitment past its due date and not completed (recorded once per due date). A fact the
/// system observes, not a change to the commitment: it goes to the plan's overdue register, so it neither raises the
/// commitment's version nor counts as an update by anyone.
/// </summary>
public sealed record CommitmentBecameOverdue(Guid CommitmentId, string Code, string Country, DateOnly Due, DateOnly DetectedOn) : IDomainEvent;

public static class OverdueCheck
{
    /// <param name="recordedFor">The due date the register already recorded this commitment as overdue for, if any.</param>
    /// <param name="now">The instant of the check; the day is the commitment country's.</param>
    public static CommitmentBecameOverdue? Check(CommitmentSummary c, DateOnly? recordedFor, DateTimeOffset now)
    {
        var today = MemberTime.Today(c.Country, now);
        if (c.Withdrawn || c.Status is CommitmentStatus.Completed or CommitmentStatus.Cancelled || today <= c.Due || recordedFor == c.Due) return null;
        return new CommitmentBecameOverdue(c.Id, c.Code, c.Country, c.Due, today);
    }
}
