using Hangfire;
using Marten;
using Mediator;
using Strategy.Api.Http;
using Strategy.Domain.Commitments;
using Strategy.Infrastructure.Store;
using Strategy.Domain.Reports;
using Strategy.Infrastructure.Projections;

namespace Strategy.Api.Features.Reports;

/// <summary>A recurring report: every plan gets one of <see cref="Kind"/> on the cron schedule (UTC).</summary>
public sealed class ReportSchedule
{
    public string Name { get; set; } = "";
    public string Kind { get; set; } = "progress";
    public string Cron { get; set; } = "";
}

public sealed class JobSettings
{
    public List<ReportSchedule> Schedules { get; set; } = [];
    public string OverdueCron { get; set; } = "30 0 * * *";
    public string SweepCron { get; set; } = "*/15 * * * *";
    public string IdempotencyPruneCron { get; set; } = "15 1 * * *";
    /// <summary>When the audit chain's head is signed (if it moved since the last checkpoint).</summary>
    public string CheckpointCron { get; set; } = "5 * * * *";

    /// <summary>How long a job fetched by a worker stays invisible to the others without a renewal from its server.</summary>
    public int InvisibilityTimeoutSeconds { get; set; } = 300;
}

/// <summary>The recurring jobs: each acts as the system and sends one command.</summary>
public sealed class ScheduledJobs(IMediator mediator, Auth.CurrentActor actor)
{
    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Scheduled reports {0}")]
    public async Task RequestReports(string schedule, string kind, CancellationToken ct)
    {
        actor.ActAsSystem();
        await mediator.Send(new RequestScheduledReports(schedule, kind), ct);
    }

    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Record overdue commitments")]
    public async Task MarkOverdue(CancellationToken ct)
    {
        actor.ActAsSystem();
        await mediator.Send(new MarkOverdueCommitments(), ct);
    }

    [AutomaticRetry(Attempts = 1)]
    [JobDisplayName("Queue forgotten reports again")]
    public async Task Sweep(CancellationToken ct)
    {
        actor.ActAsSystem();
        await mediator.Send(new RequeueStaleReports(TimeSpan.FromMinutes(10)), ct);
    }

    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Sign the audit chain's head")]
    public async Task SignCheckpoint(CancellationToken ct)
    {
        actor.ActAsSystem();
        await mediator.Send(new SignAuditCheckpoint(), ct);
    }

    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Delete expired idempotency records")]
    public async Task PruneIdempotencyRecords(CancellationToken ct)
    {
        actor.ActAsSystem();
        await mediator.Send(new PruneIdempotencyRecords(), ct);
    }
}

public sealed record RequestScheduledReports(string Schedule, string Kind) : ICommand<int>;

public sealed class RequestScheduledReportsHandler(IQuerySession session, IMediator mediator) : ICommandHandler<RequestScheduledReports, int>
{
    public async ValueTask<int> Handle(RequestScheduledReports command, CancellationToken ct)
    {
        var kind = QueryValues.Enum<ReportKind>("kind", command.Kind) ?? ReportKind.Progress;
        var plans = await session.Query<PlanView>().Select(p => p.Code).ToListAsync(ct);
        foreach (var plan in plans) await mediator.Send(new RequestReport(new RequestReportBody(kind, plan, null, null), command.Schedule), ct);
        return plans.Count;
    }
}

public sealed record MarkOverdueCommitments : ICommand<int>;

/// <summary>
/// Records, once per due date, each open commitment whose due date has passed in its country. The record goes to the
/// plan's overdue register, not to the commitment's stream: the commitment's version, last update and history of
/// changes stay as people left them.
/// </summary>
public sealed class MarkOverdueCommitmentsHandler(IDocumentStore store, TimeProvider clock) : ICommandHandler<MarkOverdueCommitments, int>
{
    public async ValueTask<int> Handle(MarkOverdueCommitments command, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // A day ahead of UTC covers every member's date; the domain check decides per country.
        var latestToday = DateOnly.FromDateTime(now.UtcDateTime).AddDays(1);
        await using var session = store.LightweightSession();
        var candidates = await session.Query<CommitmentView>().Where(x => !x.State.Withdrawn && x.State.Due < latestToday).ToListAsync(ct);
        if (candidates.Count == 0) return 0;
        var recorded = (await session.LoadManyAsync<OverdueRecord>(ct, candidates.Select(c => c.Id))).ToDictionary(r => r.Id, r => r.Due);
        var observed = candidates
            .Select(c => OverdueCheck.Check(c.State, recorded.TryGetValue(c.Id, out var due) ? due : null, now) is { } e ? (c.State.PlanCode, e) : default)
            .Where(x => x.e is not null)
            .ToList();
        if (observed.Count == 0) return 0;
        session.LastModifiedBy = Domain.Actor.System.Id;
        session.SetHeader(Infrastructure.Store.ActorRef.NameHeader, Domain.Actor.System.Name);
        session.SetHeader(Infrastructure.Store.ActorRef.RoleHeader, "admin");
        session.CorrelationId = $"overdue-{now:yyyy-MM-dd}";
        foreach (var plan in observed.GroupBy(x => x.PlanCode))
            session.Events.Append(StreamIds.ForOverdueRegister(plan.Key), plan.Select(x => (object)x.e!).ToArray());
        await session.SaveChangesAsync(ct);
        return observed.Count;
    }
}

public sealed record SignAuditCheckpoint : ICommand<Strategy.Infrastructure.Audit.AuditCheckpoint?>;

public sealed class SignAuditCheckpointHandler(Strategy.Infrastructure.Audit.AuditCheckpointStore checkpoints)
    : ICommandHandler<SignAuditCheckpoint, Strategy.Infrastructure.Audit.AuditCheckpoint?>
{
    public async ValueTask<Strategy.Infrastructure.Audit.AuditCheckpoint?> Handle(SignAuditCheckpoint command, CancellationToken ct) => await checkpoints.SignHeadAsync(ct);
}

public sealed record PruneIdempotencyRecords : ICommand<int>;

/// <summary>Deletes the stored responses whose key has expired (Idempotency:RecordHours), with their bodies.</summary>
public sealed class PruneIdempotencyRecordsHandler(IDocumentStore store, IdempotencySettings settings, TimeProvider clock) : ICommandHandler<PruneIdempotencyRecords, int>
{
    public async ValueTask<int> Handle(PruneIdempotencyRecords command, CancellationToken ct)
    {
        var expiredBefore = clock.GetUtcNow() - settings.RecordLifetime;
        await using var session = store.LightweightSession();
        var expired = await session.Query<IdempotencyRecord>().Where(r => r.CreatedAt < expiredBefore).CountAsync(ct);
        session.DeleteWhere<IdempotencyRecord>(r => r.CreatedAt < expiredBefore);
        await session.SaveChangesAsync(ct);
        return expired;
    }
}

public sealed record RequeueStaleReports(TimeSpan OlderThan) : ICommand<int>;

public sealed class RequeueStaleReportsHandler(IQuerySession session, IBackgroundJobClient jobs, TimeProvider clock) : ICommandHandler<RequeueStaleReports, int>
{
    public async ValueTask<int> Handle(RequeueStaleReports command, CancellationToken ct)
    {
        var before = clock.GetUtcNow() - command.OlderThan;
        var stale = await session.Query<ReportView>()
            .Where(x => x.RequestedAt < before && x.StartedAt == null)
            .Select(x => x.Id).ToListAsync(ct);
        foreach (var id in stale) jobs.Enqueue<ReportJob>(job => job.Run(id, CancellationToken.None));
        return stale.Count;
    }
}

/// <summary>Registers the recurring jobs from configuration at start-up (replacing earlier definitions).</summary>
public sealed class RecurringJobsRegistrar(IRecurringJobManager recurring, JobSettings settings) : IHostedService
{
    public Task StartAsync(CancellationToken ct)
    {
        foreach (var s in settings.Schedules)
            recurring.AddOrUpdate<ScheduledJobs>($"report-{s.Name}", j => j.RequestReports(s.Name, s.Kind, CancellationToken.None), s.Cron);
        recurring.AddOrUpdate<ScheduledJobs>("mark-overdue", j => j.MarkOverdue(CancellationToken.None), settings.OverdueCron);
        recurring.AddOrUpdate<ScheduledJobs>("report-sweep", j => j.Sweep(CancellationToken.None), settings.SweepCron);
        recurring.AddOrUpdate<ScheduledJobs>("idempotency-prune", j => j.PruneIdempotencyRecords(CancellationToken.None), settings.IdempotencyPruneCron);
        recurring.AddOrUpdate<ScheduledJobs>("audit-checkpoint", j => j.SignCheckpoint(CancellationToken.None), settings.CheckpointCron);
        // Notices become mail within a minute; without an SMTP server they wait in the outbox (run.sh says so).
        recurring.AddOrUpdate<Features.Notifications.MailJobs>("mail-dispatch", j => j.Dispatch(CancellationToken.None), Cron.Minutely());
        // 01:00 UTC is the morning in the members' time zones (UTC+7, +6:30, +8).
        recurring.AddOrUpdate<Features.Notifications.MailJobs>("mail-deadline-reminders", j => j.Reminders(CancellationToken.None), "0 1 * * *");
        // Monday 01:30 UTC: the start of the secretariat's working week (09:30 in Beijing).
        recurring.AddOrUpdate<Features.Notifications.MailJobs>("mail-weekly-digest", j => j.Digest(CancellationToken.None), "30 1 * * 1");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
