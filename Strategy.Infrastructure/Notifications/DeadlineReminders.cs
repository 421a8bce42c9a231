using Marten;
using Strategy.Domain.Notifications;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;
using Strategy.Infrastructure.Values;

namespace Strategy.Infrastructure.Notifications;

/// <summary>
/// The reminders of open rounds whose deadline is <see cref="Notices.ReminderDays"/> away on the secretariat's date:
/// one notice per round and day, to the focal points of the members whose commitments still lack a value for it. The
/// notice's id is the round's and the day's, so a second run on the same day records nothing more.
/// </summary>
public sealed class DeadlineReminders(IDocumentStore store, TimeProvider clock)
{
    public async Task<int> RecordAsync(DateOnly today, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var recorded = 0;
        foreach (var round in await session.Query<RoundView>().Where(r => !r.State.Closed).ToListAsync(ct))
        {
            var daysLeft = round.State.Deadline.DayNumber - today.DayNumber;
            if (!Notices.ReminderDays.Contains(daysLeft)) continue;
            var id = Notice.ReminderId(round.Id, daysLeft);
            if (await session.LoadAsync<Notice>(id, ct) is not null) continue;
            var plan = await session.LoadAsync<PlanView>(StreamIds.ForPlan(round.State.Plan), ct);
            if (plan is null) continue;
            session.Insert(new Notice
            {
                Id = id, Kind = NoticeKind.DeadlineReminder, At = clock.GetUtcNow(), Plan = round.State.Plan, Round = round.State.Code,
                PeriodStart = round.State.PeriodStart, PeriodEnd = round.State.PeriodEnd, Deadline = round.State.Deadline, DaysLeft = daysLeft,
                Missing = await ValueReads.MissingAsync(session, plan.Plan, round.State, ct),
            });
            recorded++;
        }
        await session.SaveChangesAsync(ct);
        return recorded;
    }
}
