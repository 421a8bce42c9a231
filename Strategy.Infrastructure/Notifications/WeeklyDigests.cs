using Marten;
using Strategy.Domain;
using Strategy.Domain.Notifications;
using Strategy.Domain.Progress;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;
using Strategy.Infrastructure.Values;

namespace Strategy.Infrastructure.Notifications;

/// <summary>What the weekly digest says of one plan: values waiting for review, members missing values in its open rounds, overdue commitments per member.</summary>
public sealed record DigestPlan(string Plan, string Title, long PendingReviews, DateTimeOffset? OldestPending, IReadOnlyList<DigestRound> Rounds,
    IReadOnlyDictionary<string, int> Overdue);

/// <summary>An open round, its deadline, and the members still missing values in it with how many commitments each.</summary>
public sealed record DigestRound(string Code, DateOnly Deadline, IReadOnlyDictionary<string, int> Missing);

/// <summary>
/// The secretariat's weekly digest, recorded as one notice per week (its id is the week's Monday on the secretariat's
/// date), so a second run in the same week records nothing more. The figures are those of the moment it is recorded.
/// </summary>
public sealed class WeeklyDigests(IDocumentStore store, HealthThresholds thresholds, TimeProvider clock)
{
    public async Task<bool> RecordAsync(DateOnly day, CancellationToken ct)
    {
        var monday = Notices.WeekOf(day);
        await using var session = store.LightweightSession();
        var id = Notice.DigestId(monday);
        if (await session.LoadAsync<Notice>(id, ct) is not null) return false;
        var now = clock.GetUtcNow();
        var values = new ValueReads(session);
        var digest = new List<DigestPlan>();
        foreach (var plan in (await session.Query<PlanView>().ToListAsync(ct)).OrderBy(p => p.Code, StringComparer.Ordinal))
        {
            var (oldest, pending) = await values.ReviewQueueAsync(new ReviewQueueFilter(plan.Code, null, null, 1, 1), ct);
            var rounds = new List<DigestRound>();
            foreach (var round in (await session.Query<RoundView>().Where(r => r.State.Plan == plan.Code && !r.State.Closed).ToListAsync(ct))
                         .OrderBy(r => r.State.Deadline).ThenBy(r => r.State.Code, StringComparer.Ordinal))
                rounds.Add(new DigestRound(round.State.Code, round.State.Deadline, await ValueReads.MissingAsync(session, plan.Plan, round.State, ct)));
            var overdue = await session.Query<CommitmentView>().Where(c => c.State.PlanCode == plan.Code)
                .WithHealth(Health.Overdue, now, thresholds).Select(c => c.State.Country).ToListAsync(ct);
            digest.Add(new DigestPlan(plan.Code, plan.Plan.Title, pending, oldest.FirstOrDefault()?.Value.SubmittedAt, rounds,
                overdue.CountBy(c => c).OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary()));
        }
        session.Insert(new Notice { Id = id, Kind = NoticeKind.WeeklyDigest, At = now, WeekOf = monday, Digest = digest });
        await session.SaveChangesAsync(ct);
        return true;
    }
}
