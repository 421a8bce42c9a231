using Strategy.Domain.Progress;

namespace Strategy.Domain.Commitments;

public sealed record Measurement(DateOnly AsOf, double Value);

/// <summary>A value awaiting the secretariat's review.</summary>
public sealed record PendingValue(Guid ValueId, DateOnly AsOf, double Value);

/// <summary>
/// A commitment as reads and reports see it: its terms, declared status, and its official figures from accepted values
/// only (the latest and the trend's running sums), with what awaits review beside them. Its size does not grow with the
/// commitment's history: the values themselves are read models of their own.
/// </summary>
public sealed record CommitmentSummary(
    Guid Id, string PlanCode, string Code, string Country, string Goal, string Outcome,
    string Title, string? Description, string LeadAgency, DateOnly PlanStart, DateOnly PlanEnd, DateOnly Start, DateOnly Due,
    string? Indicator, string? Unit, double? Baseline, double? Target, bool ShouldDecrease, bool Review,
    CommitmentStatus Status, bool Withdrawn, Measurement? Latest, Trend Trend, IReadOnlyList<PendingValue> Pending)
{
    /// <summary>Progress from the latest accepted value. Stored with the view, where SQL filters on health read it.</summary>
    public double? Progress => Latest is { } m ? ProgressMath.Ratio(Baseline, Target, m.Value, ShouldDecrease) : null;

    public int ValuesAccepted => Trend.N;

    public double? AnticipatedRatio => ProgressMath.AnticipatedRatio(Trend, PlanStart, Baseline, Target, Due, ShouldDecrease);

    public static CommitmentSummary Create(CommitmentMade e) => new(
        e.CommitmentId, e.PlanCode, e.Code, e.Country, e.Goal, e.Outcome, e.Title, e.Description, e.LeadAgency,
        e.PlanStart, e.PlanEnd, e.Start, e.Due, e.Indicator, e.Unit, e.Baseline, e.Target, e.ShouldDecrease, e.Review,
        CommitmentStatus.NotStarted, false, null, Trend.Empty, []);

    public static CommitmentSummary Evolve(CommitmentSummary? state, ICommitmentEvent @event)
    {
        if (@event is CommitmentMade made) return Create(made);
        if (state is null) throw new InvalidOperationException($"{@event.GetType().Name} before the commitment was made.");
        return @event switch
        {
            CommitmentStatusChanged e => state with { Status = e.To },
            CommitmentReopened e => state with { Status = e.To },
            CommitmentRevised e => state with
            {
                Title = e.After.Title ?? state.Title,
                Description = e.After.Description ?? state.Description,
                LeadAgency = e.After.LeadAgency ?? state.LeadAgency,
                Due = e.After.Due ?? state.Due,
                Target = e.After.Target ?? state.Target,
            },
            // Translations are kept beside the summary (the view's), not in it: reports read the source texts.
            CommitmentTranslated => state,
            CommitmentWithdrawn => state with { Withdrawn = true },
            CommitmentRestored => state with { Withdrawn = false },
            ValueSubmitted e => state with { Pending = [.. state.Pending, new PendingValue(e.ValueId, e.AsOf, e.Value)] },
            ValueAccepted e => state.Accept(e),
            ValueReturned e => state.WithoutPending(e.ValueId),
            ValueRetracted e => state.WithoutPending(e.ValueId),
            ValueVoided e => state.Void(e),
            _ => throw CommitmentEvents.Unhandled(@event, nameof(CommitmentSummary)),
        };
    }

    private CommitmentSummary WithoutPending(Guid valueId) =>
        Pending.Any(p => p.ValueId == valueId) ? this with { Pending = [.. Pending.Where(p => p.ValueId != valueId)] } : this;

    private CommitmentSummary Accept(ValueAccepted e)
    {
        var trend = Trend;
        if (e.Replaces is { } old) trend = trend.Remove(PlanStart, old.AsOf, old.Value);
        trend = trend.Add(PlanStart, e.AsOf, e.Value);
        var latest = Latest is null || e.AsOf >= Latest.AsOf ? new Measurement(e.AsOf, e.Value) : Latest;
        return WithoutPending(e.ValueId) with { Trend = trend, Latest = latest };
    }

    private CommitmentSummary Void(ValueVoided e)
    {
        var state = WithoutPending(e.ValueId);
        if (!e.Stood) return state;
        var trend = Trend.Remove(PlanStart, e.Voided.AsOf, e.Voided.Value);
        if (e.Restored is { } back) trend = trend.Add(PlanStart, back.AsOf, back.Value);
        return state with { Trend = trend, Latest = e.LatestAfter is { } l ? new Measurement(l.AsOf, l.Value) : null };
    }
}
