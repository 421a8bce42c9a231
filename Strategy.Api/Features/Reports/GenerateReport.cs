using Hangfire;
using JasperFx;
using Marten;
using Mediator;
using Strategy.Domain.Reports;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Reports;

namespace Strategy.Api.Features.Reports;

/// <summary>The Hangfire job: it takes the report's id and sends one command. Hangfire retries it when it throws.</summary>
public sealed class ReportJob(IMediator mediator)
{
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [5, 30, 120])]
    [JobDisplayName("Report {0}")]
    public async Task Run(Guid reportId, CancellationToken ct) => await mediator.Send(new GenerateReport(reportId), ct);
}

public sealed record GenerateReport(Guid ReportId) : ICommand<ReportStatus?>;

/// <summary>
/// Start, compute, store, succeed. Idempotent: a report that already succeeded is left alone, so a job that runs
/// twice (a crash after the work, a duplicate delivery) still leaves one report. A failure is recorded on the
/// report with its error and rethrown, so Hangfire retries it.
/// </summary>
public sealed class GenerateReportHandler(IDocumentSession session, IDocumentStore store, ReportGenerator generator, ReportNotifications notifications,
    ILogger<GenerateReportHandler> log) : ICommandHandler<GenerateReport, ReportStatus?>
{
    public async ValueTask<ReportStatus?> Handle(GenerateReport command, CancellationToken ct)
    {
        var id = command.ReportId;
        var stream = await session.Events.FetchForExclusiveWriting<ReportView>(id, ct);
        if (stream.Aggregate is not { } report)
        {
            log.LogWarning("Report {Id} does not exist; nothing to do", id);
            return null;
        }
        if (ReportDecisions.Start(report.State) is not { } started) return report.State.Status;
        // Captured before saving: the inline projection updates the fetched view in place when the event is saved.
        var request = report.State;
        // The stream's version as the event store holds it, not the view's copy of it: a view written by an append
        // that did not fetch the stream first carries no version (0), and this run would then end in a conflict.
        var startedVersion = (stream.StartingVersion ?? throw new InvalidOperationException($"Report {id}: its stream's version is unknown.")) + 1;
        stream.AppendOne(started);
        await session.SaveChangesAsync(ct);

        try
        {
            var generated = await generator.GenerateAsync(request, ct)
                ?? throw new InvalidOperationException($"Plan {request.Plan} did not exist at the report's instant.");
            // Conditional on the version this run started at: if another run got there first, this one loses (412-like)
            // and its retry finds the report succeeded.
            var finishing = await session.Events.FetchForWriting<ReportView>(id, startedVersion, ct);
            session.Store(new ReportContent { Id = id, Kind = request.Kind == ReportKind.Progress ? "progress" : "sdg-alignment", Json = generated.Json });
            finishing.AppendOne(new ReportSucceeded(id, generated.EventSequence, generated.ChainHash, generated.ContentHash));
            await session.SaveChangesAsync(ct);
            notifications.Finished(id);
            return ReportStatus.Succeeded;
        }
        catch (Exception e) when (e is not OperationCanceledException && e is not ConcurrencyException)
        {
            log.LogError(e, "Report {Id} failed (attempt {Attempt})", id, started.Attempt);
            await using var failure = store.LightweightSession();
            // Fetched first, so the inline view records the stream's version with the event.
            var failing = await failure.Events.FetchForWriting<ReportView>(id, CancellationToken.None);
            failing.AppendOne(new ReportFailed(id, started.Attempt, e.Message));
            await failure.SaveChangesAsync(CancellationToken.None);
            notifications.Finished(id);
            throw;
        }
    }
}

/// <summary>Wakes requests waiting on a report (GET ?wait=) the moment this node finishes it.</summary>
public sealed class ReportNotifications
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, TaskCompletionSource> waiting = new();

    public Task WhenFinished(Guid id) => waiting.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Finished(Guid id)
    {
        if (waiting.TryRemove(id, out var done)) done.TrySetResult();
    }
}
