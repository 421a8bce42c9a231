namespace Strategy.Domain.Reports;

public enum ReportKind { Progress, SdgAlignment }

public enum ReportStatus { Queued, Running, Succeeded, Failed }

/// <summary>
/// Who asked is event metadata; <see cref="Schedule"/> names the recurring schedule that asked, if any. With
/// <see cref="Round"/> (a round's code), values count up to the round's period end, as accepted when the report runs.
/// </summary>
public sealed record ReportRequested(Guid ReportId, ReportKind Kind, string Plan, DateTimeOffset? AsOf, IReadOnlyList<string> Countries, string? Schedule,
    string? Round = null) : IDomainEvent;
public sealed record ReportStarted(Guid ReportId, int Attempt) : IDomainEvent;
/// <param name="EventSequence">The last plan or commitment event the report saw.</param>
/// <param name="ChainHash">The audit chain's hash after that event: publishing the report anchors the log.</param>
public sealed record ReportSucceeded(Guid ReportId, long EventSequence, string ChainHash, string ContentHash) : IDomainEvent;
public sealed record ReportFailed(Guid ReportId, int Attempt, string Error) : IDomainEvent;

public sealed record Report(Guid Id, ReportKind Kind, string Plan, DateTimeOffset? AsOf, IReadOnlyList<string> Countries,
    ReportStatus Status, int Attempts, long? EventSequence, string? ChainHash, string? ContentHash, string? Error, string? Round = null)
{
    public static Report? Evolve(Report? state, object @event) => @event switch
    {
        ReportRequested e => new Report(e.ReportId, e.Kind, e.Plan, e.AsOf, e.Countries, ReportStatus.Queued, 0, null, null, null, null, e.Round),
        ReportStarted e when state is not null => state with { Status = ReportStatus.Running, Attempts = e.Attempt, Error = null },
        ReportSucceeded e when state is not null => state with { Status = ReportStatus.Succeeded, EventSequence = e.EventSequence, ChainHash = e.ChainHash, ContentHash = e.ContentHash, Error = null },
        ReportFailed e when state is not null => state with { Status = ReportStatus.Failed, Error = e.Error },
        _ => state,
    };
}

/// <summary>
/// Report runs: the secretariat or an admin asks, and a reviewer may too, to re-derive a published report as of its
/// instant and compare hashes; a run that already succeeded is never redone.
/// </summary>
public static class ReportDecisions
{
    /// <param name="round">The round named by the request, if any, as found among the plan's rounds (null when unknown).</param>
    public static Decision Request(Plans.Plan plan, Guid id, ReportKind kind, DateTimeOffset? asOf, IReadOnlyList<string> countries, Actor actor, DateTimeOffset now,
        string? schedule = null, string? roundCode = null, Rounds.Round? round = null)
    {
        if (!actor.ActsForSecretariat && actor.Role != Role.Reviewer) return Rejection.Forbidden("Only the secretariat and reviewers request reports.");
        if (asOf > now) return Rejection.Invalid("asOf", "Must not be in the future.");
        if (roundCode is not null)
        {
            if (round is null || round.Code != roundCode || round.Plan != plan.Code) return Rejection.Invalid("round", $"No round {roundCode} in plan {plan.Code}.");
            if (asOf is not null) return Rejection.Invalid("asOf", "A round report measures the round's period as accepted now: give round or asOf, not both.");
            if (kind != ReportKind.Progress) return Rejection.Invalid("round", "Only progress reports are made for a round.");
        }
        for (var i = 0; i < countries.Count; i++)
            if (!plan.HasCountry(countries[i])) return Rejection.Invalid($"countries[{i}]", $"{countries[i]} is not a member of plan {plan.Code}.");
        var ordered = countries.Distinct().Order(StringComparer.Ordinal).ToList();
        return Decision.Accept(new ReportRequested(id, kind, plan.Code, asOf?.ToUniversalTime(), ordered, schedule, roundCode));
    }

    /// <summary>Null when there is nothing to do: the report already succeeded (a job that runs twice produces one report).</summary>
    public static ReportStarted? Start(Report report) =>
        report.Status == ReportStatus.Succeeded ? null : new ReportStarted(report.Id, report.Attempts + 1);
}
