namespace Strategy.Domain.Commitments;

public enum CommitmentStatus { NotStarted, InProgress, OnHold, Completed, Cancelled }

/// <summary>
/// A country's commitment under an outcome. <see cref="Baseline"/> and <see cref="Target"/> are the effective
/// values the commitment is measured by (its own, or defaults from its indicator, see <see cref="Units"/>).
/// </summary>
public sealed record CommitmentMade(
    Guid CommitmentId, string PlanCode, string Code, string Country, string Goal, string Outcome,
    string Title, string? Description, string LeadAgency, DateOnly PlanStart, DateOnly PlanEnd, DateOnly Due,
    string? Indicator, string? Unit, double? Baseline, double? Target, bool ShouldDecrease);

public sealed record CommitmentStatusChanged(Guid CommitmentId, CommitmentStatus From, CommitmentStatus To, string? Note);

/// <summary>The secretariat took a completed or cancelled commitment back to an open status.</summary>
public sealed record CommitmentReopened(Guid CommitmentId, CommitmentStatus From, CommitmentStatus To, string Reason);

public sealed record ProgressReported(Guid CommitmentId, double Value, DateOnly AsOf, string? Note, string? EvidenceUrl);

/// <summary>The changed terms only: a null field did not change. <see cref="Before"/> holds the old values of the same fields.</summary>
public sealed record CommitmentTerms(string? Title = null, string? Description = null, string? LeadAgency = null, DateOnly? Due = null, double? Target = null)
{
    /// <summary>A method, not a property: a property would be stored with the event as if it were one of the terms.</summary>
    public bool IsEmpty() => Title is null && Description is null && LeadAgency is null && Due is null && Target is null;
}

public sealed record CommitmentRevised(Guid CommitmentId, CommitmentTerms Before, CommitmentTerms After, string Reason);

public sealed record CommitmentWithdrawn(Guid CommitmentId, string Reason);

/// <summary>The daily check found the commitment past its due date and not completed (recorded once per due date).</summary>
public sealed record CommitmentBecameOverdue(Guid CommitmentId, DateOnly Due, DateOnly DetectedOn);
