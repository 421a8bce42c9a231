using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Domain.Plans;

namespace Strategy.Tests.Domain;

/// <summary>
/// The small world the domain specs act in: a plan with two member countries (KH, TH; VN is not a member),
/// a goal with indicators of each kind of unit, the callers, and a commitment of KH built by folding events.
/// </summary>
internal static class Given
{
    public const string PlanCode = "LMEC-TEST";
    public static readonly DateOnly PlanStart = new(2023, 1, 1);
    public static readonly DateOnly PlanEnd = new(2027, 12, 31);
    public static readonly DateOnly Today = new(2025, 6, 30);
    public static readonly DateOnly Due = new(2025, 12, 31);
    public static readonly Guid CommitmentId = Guid.Parse("6f1d4c3e-2b7a-4e59-9c1d-0a8b7e6f5d41");

    public static readonly IReadOnlyList<Country> Countries =
    [
        new("KH", "KHM", "Cambodia"),
        new("TH", "THA", "Thailand"),
    ];

    /// <summary>A cumulative count indicator whose regional baseline (2) is not the country's own (0).</summary>
    public static readonly Indicator Dialogues = new("G1.O1.I1", "Policy dialogues convened", "count", 2, 12);
    /// <summary>A level (percent) whose baseline carries over to a commitment.</summary>
    public static readonly Indicator CleanRivers = new("G1.O1.I2", "River sections meeting standards", "percent", 70, 80);
    /// <summary>A level that should go down.</summary>
    public static readonly Indicator Pm25 = new("G1.O1.I3", "Annual mean PM2.5", "ug/m3", 35, 28);
    /// <summary>An indicator of another outcome.</summary>
    public static readonly Indicator Forests = new("G2.O1.I1", "Forest restored", "hectares", 0, 5000);

    public static readonly IReadOnlySet<string> KnownSdgTargets = new HashSet<string> { "6.3", "6.5", "11.6", "13.1", "13.2", "15.1" };

    public static readonly Actor FocalPointKH = new("fp-kh", "Ministry of Environment KH", Role.FocalPoint, "KH");
    public static readonly Actor FocalPointTH = new("fp-th", "Ministry of Natural Resources TH", Role.FocalPoint, "TH");
    public static readonly Actor Secretariat = new("sec-1", "LMEC secretariat", Role.Secretariat, null);
    public static readonly Actor Admin = new("admin-1", "Operator", Role.Admin, null);
    public static readonly Actor Reviewer = new("rev-1", "Auditor", Role.Reviewer, null);
    /// <summary>A reviewer who happens to carry a country claim still writes nothing.</summary>
    public static readonly Actor ReviewerKH = new("rev-kh", "Auditor KH", Role.Reviewer, "KH");

    public static object[] PlanEvents =>
    [
        new PlanCreated(PlanCode, "Test strategy", null, PlanStart, PlanEnd, Countries),
        new GoalAdded(PlanCode, "G1", "Policy and air", null),
        new OutcomeAdded(PlanCode, "G1", "G1.O1", "Cleaner air and water", ["13.2"], [Dialogues, CleanRivers, Pm25]),
        new GoalAdded(PlanCode, "G2", "Nature", null),
        new OutcomeAdded(PlanCode, "G2", "G2.O1", "Restored landscapes", ["15.1"], [Forests]),
    ];

    public static Plan Plan(params object[] events) => events.Aggregate((Plan?)null, Strategy.Domain.Plans.Plan.Evolve).ShouldNotBeNull();

    public static Plan TestPlan => Plan(PlanEvents);

    /// <summary>KH commits to 10 dialogues of its own (baseline 0) by <see cref="Due"/>.</summary>
    public static CommitmentMade Made(string country = "KH", string? indicator = "G1.O1.I1", string? unit = "count",
        double? baseline = 0, double? target = 10, bool shouldDecrease = false, DateOnly? due = null, DateOnly? start = null, bool review = true) =>
        new(CommitmentId, PlanCode, $"{country}-G1.O1-01", country, "G1", "G1.O1", "Host national dialogues", null,
            "Ministry of Environment", PlanStart, PlanEnd, start ?? PlanStart, due ?? Due, indicator, unit, baseline, target, shouldDecrease, review);

    /// <summary>
    /// The write model folded from <paramref name="events"/> (an item may be an array of events, as <see cref="Accepted"/>
    /// gives); values are submitted by KH's focal point.
    /// </summary>
    public static Commitment Commitment(params object[] events) =>
        Flat(events).Aggregate((Commitment?)null, (s, e) => Strategy.Domain.Commitments.Commitment.Evolve(s, e, FocalPointKH.Id)).ShouldNotBeNull();

    /// <summary>The read-side summary folded from the same events.</summary>
    public static CommitmentSummary Summary(params object[] events) =>
        Flat(events).Aggregate((CommitmentSummary?)null, CommitmentSummary.Evolve).ShouldNotBeNull();

    /// <summary>A value submitted and accepted, on a date no other accepted value has.</summary>
    public static object[] Accepted(double value, DateOnly asOf, Guid? commitmentId = null, Guid? valueId = null)
    {
        var commitment = commitmentId ?? CommitmentId;
        var id = valueId ?? Guid.NewGuid();
        return [new ValueSubmitted(commitment, id, value, asOf, null, false, null, null, [], null), new ValueAccepted(commitment, id, asOf, value, null, null)];
    }

    private static IEnumerable<ICommitmentEvent> Flat(object[] events) =>
        events.SelectMany(e => e is object[] many ? many.Cast<ICommitmentEvent>() : [(ICommitmentEvent)e]);

    /// <summary>KH's commitment folded from its making and the status changes that lead to <paramref name="status"/>.</summary>
    public static Commitment CommitmentIn(CommitmentStatus status, CommitmentMade? made = null)
    {
        var events = new List<object> { made ?? Made() };
        if (status != CommitmentStatus.NotStarted)
            events.Add(new CommitmentStatusChanged(CommitmentId, CommitmentStatus.NotStarted, status, null));
        return Commitment([.. events]);
    }

    public static Commitment Withdrawn(CommitmentStatus status = CommitmentStatus.InProgress) =>
        Commitment(Made(), new CommitmentStatusChanged(CommitmentId, CommitmentStatus.NotStarted, status, null),
            new CommitmentWithdrawn(CommitmentId, "Made in error"));
}

internal static class DecisionAssertions
{
    public static Rejection ShouldBeRejected(this Decision decision, RejectionKind kind, string? field = null)
    {
        decision.IsAccepted.ShouldBeFalse("the command should have been refused");
        decision.Events.ShouldBeEmpty();
        var rejection = decision.Rejection.ShouldNotBeNull();
        rejection.Kind.ShouldBe(kind, rejection.Message);
        if (field is not null) rejection.Field.ShouldBe(field, rejection.Message);
        rejection.Message.ShouldNotBeNullOrWhiteSpace();
        return rejection;
    }

    public static T ShouldAcceptSingle<T>(this Decision decision)
    {
        decision.IsAccepted.ShouldBeTrue(decision.Rejection?.Message);
        return decision.Events.ShouldHaveSingleItem().ShouldBeOfType<T>();
    }
}
