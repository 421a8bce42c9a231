using Strategy.Domain.Progress;
namespace Strategy.Domain.Commitments;

public sealed record Measurement(DateOnly AsOf, double Value);

public sealed record Commitment(
    Guid Id, string PlanCode, string Code, string Country, string Goal, string Outcome,
    string Title, string? Description, string LeadAgency, DateOnly PlanStart, DateOnly PlanEnd, DateOnly Due,
    string? Indicator, string? Unit, double? Baseline, double? Target, bool ShouldDecrease,
    CommitmentStatus Status, bool Withdrawn, IReadOnlyList<Measurement> Values, DateOnly? OverdueRecordedFor = null)
{
    public bool IsFinal => Status is CommitmentStatus.Completed or CommitmentStatus.Cancelled;

    /// <summary>The value with the latest as-of date; a later report for the same date corrects an earlier one.</summary>
    public Measurement? Latest => Values.Count == 0 ? null : Values[^1];

    public double? Progress => Latest is { } m ? ProgressMath.Ratio(Baseline, Target, m.Value, ShouldDecrease) : null;

    public static Commitment Create(CommitmentMade e) => new(
        e.CommitmentId, e.PlanCode, e.Code, e.Country, e.Goal, e.Outcome, e.Title, e.Description, e.LeadAgency,
        e.PlanStart, e.PlanEnd, e.Due, e.Indicator, e.Unit, e.Baseline, e.Target, e.ShouldDecrease,
        CommitmentStatus.NotStarted, false, []);

    public static Commitment? Evolve(Commitment? state, object @event) => @event switch
    {
        CommitmentMade e => Create(e),
        CommitmentStatusChanged e when state is not null => state with { Status = e.To },
        CommitmentReopened e when state is not null => state with { Status = e.To },
        ProgressReported e when state is not null => state with { Values = Insert(state.Values, new Measurement(e.AsOf, e.Value)) },
        CommitmentRevised e when state is not null => state with
        {
            Title = e.After.Title ?? state.Title,
            Description = e.After.Description ?? state.Description,
            LeadAgency = e.After.LeadAgency ?? state.LeadAgency,
            Due = e.After.Due ?? state.Due,
            Target = e.After.Target ?? state.Target,
        },
        CommitmentWithdrawn when state is not null => state with { Withdrawn = true },
        CommitmentBecameOverdue e when state is not null => state with { OverdueRecordedFor = e.Due },
        _ => state,
    };

    /// <summary>Keeps values ordered by as-of date, one per date (the newest report for a date wins).</summary>
    private static IReadOnlyList<Measurement> Insert(IReadOnlyList<Measurement> values, Measurement m)
    {
        // Values nearly always arrive in date order: then the new one goes last, a plain copy (folds of long histories
        // spend most of their time here).
        if (values.Count == 0 || values[^1].AsOf < m.AsOf) return [.. values, m];
        var list = values.Where(v => v.AsOf != m.AsOf).ToList();
        var at = list.FindLastIndex(v => v.AsOf < m.AsOf) + 1;
        list.Insert(at, m);
        return list;
    }
}
