namespace Strategy.Domain.Commitments;

/// <summary>A reported value as decisions need it: its state, who sent it, and whether it is the one counting for its date.</summary>
public sealed record ReportedValue(Guid Id, DateOnly AsOf, double Value, ValueState State, string SubmittedBy, string? Round,
    bool Standing = false, Guid? SupersededBy = null, long AcceptedOrder = 0);

/// <summary>
/// The write model of a commitment: what its decisions need and nothing more (no display history, no figures).
/// Read models (views, reports) are built apart from it, by <see cref="CommitmentSummary"/>.
/// </summary>
public sealed record Commitment(
    Guid Id, string PlanCode, string Code, string Country, string Title, string? Description, string LeadAgency,
    DateOnly PlanStart, DateOnly PlanEnd, DateOnly Start, DateOnly Due, string? Unit, double? Target,
    CommitmentStatus Status, bool Withdrawn, bool Review, IReadOnlyList<ReportedValue> Values,
    IReadOnlyDictionary<string, TextTranslation>? Translations = null)
{
    /// <summary>The title and description in <paramref name="language"/>, if translated.</summary>
    public TextTranslation? TextIn(string language) => Translations is { } t && t.TryGetValue(language, out var text) ? text : null;

    public bool IsFinal => Status is CommitmentStatus.Completed or CommitmentStatus.Cancelled;

    public ReportedValue? FindValue(Guid id) => Values.FirstOrDefault(v => v.Id == id);

    /// <summary>The accepted value that counts for <paramref name="asOf"/>, if any.</summary>
    public ReportedValue? StandingAt(DateOnly asOf) => Values.FirstOrDefault(v => v.Standing && v.AsOf == asOf);

    private static Commitment Made(CommitmentMade e) => new(
        e.CommitmentId, e.PlanCode, e.Code, e.Country, e.Title, e.Description, e.LeadAgency, e.PlanStart, e.PlanEnd,
        e.Start, e.Due, e.Unit, e.Target, CommitmentStatus.NotStarted, false, e.Review, []);

    /// <param name="actorId">Who appended the event (event metadata): the submitter of a value, whom only it may retract.</param>
    public static Commitment Evolve(Commitment? state, ICommitmentEvent @event, string actorId)
    {
        if (@event is CommitmentMade made) return Made(made);
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
            CommitmentTranslated e => state with { Translations = CommitmentEvents.WithTranslation(state.Translations, e) },
            CommitmentWithdrawn => state with { Withdrawn = true },
            CommitmentRestored => state with { Withdrawn = false },
            ValueSubmitted e => state with
            {
                Values = [.. state.Values.Select(v => v.Id == e.Supersedes ? v with { SupersededBy = e.ValueId } : v),
                    new ReportedValue(e.ValueId, e.AsOf, e.Value, ValueState.Submitted, actorId, e.Round)],
            },
            ValueAccepted e => state with
            {
                Values = [.. state.Values.Select(v =>
                    v.Id == e.ValueId ? v with { State = ValueState.Accepted, Standing = true, AcceptedOrder = NextOrder(state) }
                    : v.Id == e.Replaces?.ValueId ? v with { Standing = false }
                    : v)],
            },
            ValueReturned e => state.WithValue(e.ValueId, v => v with { State = ValueState.Returned }),
            ValueRetracted e => state.WithValue(e.ValueId, v => v with { State = ValueState.Retracted }),
            ValueVoided e => state with
            {
                Values = [.. state.Values.Select(v =>
                    v.Id == e.ValueId ? v with { State = ValueState.Voided, Standing = false }
                    : v.Id == e.Restored?.ValueId ? v with { Standing = true }
                    : v)],
            },
            _ => throw CommitmentEvents.Unhandled(@event, nameof(Commitment)),
        };
    }

    private Commitment WithValue(Guid id, Func<ReportedValue, ReportedValue> change) =>
        this with { Values = [.. Values.Select(v => v.Id == id ? change(v) : v)] };

    private static long NextOrder(Commitment state) => state.Values.Count == 0 ? 1 : state.Values.Max(v => v.AcceptedOrder) + 1;
}
