using Hangfire;
using JasperFx;
using Marten;
using Mediator;
using Strategy.Domain.Reports;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Reports;

namespace Strategy.Api.Features.Reports;

/// <summary>The Hangfire job: it takes the report's id and sends one command. Hangfire retries it when it throws.</summary>
public sealed class ReportJob(IMediator mediator, Auth.CurrentActor actor)
{
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [5, 30, 120])]
    [JobDisplayName("Report {0}")]
    public async Task Run(Guid reportId, CancellationToken ct)
    {
        actor.ActAsSystem();
        await mediator.Send(new GenerateReport(reportId), ct);
    }
}

public sealed record GenerateReport(Guid ReportId) : ICommand<ReportStatus?>;

/// <summary>
/// Start, compute, store, succeed. Idempotent: a report that already succeeded is left alone, so a job that runs
/// twice (a crash after the work, a duplicate delivery) still leaves one report. A failure is recorded on the
/// report with its error and rethrown, so Hangfire retries it.
/// </summary>
public sealed class GenerateReportHandler(IDocumentSession session, IDocumentStore store, ReportGenerator generator, ReportContentStore contents, ReportNotifications notifications,
    Strategy.Infrastructure.Audit.AuditCheckpointStore checkpoints, ILogger<GenerateReportHandler> log) : ICommandHandler<GenerateReport, ReportStatus?>
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
        // The version is the stream's own (the view's could lag behind it in data written before the failure fix).
        var request = report.State;
        var startedVersion = (stream.StartingVersion ?? report.Version) + 1;
        stream.AppendOne(started);
        await session.SaveChangesAsync(ct);

        try
        {
            var generated = await generator.GenerateAsync(request, ct)
                ?? throw new InvalidOperationException($"Plan {request.Plan} did not exist at the report's instant.");
            // Conditional on the version this run started at: if another run got there first, this one loses (412-like)
            // and its retry finds the report succeeded.
            var finishing = await FetchIfStillOurs(session, id, startedVersion, ct);
            contents.Store(session, id, request.Kind == ReportKind.Progress ? "progress" : "sdg-alignment", generated.Json);
            finishing.AppendOne(new ReportSucceeded(id, generated.EventSequence, generated.ChainHash, generated.ContentHash));
            await session.SaveChangesAsync(ct);
            notifications.Finished(id);
            await SignBasisAsync(id, generated, ct);
            return ReportStatus.Succeeded;
        }
        catch (Exception e) when (e is not OperationCanceledException && e is not ConcurrencyException)
        {
            // Every role reads a report's error, so it says only where to look: the exception (SQL text, internals) goes
            // to the log under an id of its own, which the stored error names.
            var errorId = System.Diagnostics.Activity.Current?.TraceId.ToString() ?? Guid.NewGuid().ToString("N");
            log.LogError(e, "Report {Id} failed (attempt {Attempt}, error {ErrorId})", id, started.Attempt, errorId);
            // Recorded only if no other run has started since this one: a later run owns the report's outcome, and may
            // already have succeeded. Fetched with the version, so the view's version stays the stream's (a plain
            // Append left it 0, and the retry then lost to itself with a concurrency error).
            await using var failure = store.LightweightSession();
            try
            {
                var failing = await FetchIfStillOurs(failure, id, startedVersion, CancellationToken.None);
                failing.AppendOne(new ReportFailed(id, started.Attempt, ReportFailure.Describe(errorId)));
                await failure.SaveChangesAsync(CancellationToken.None);
                notifications.Finished(id);
            }
            catch (ConcurrencyException)
            {
                log.LogWarning("Report {Id}: attempt {Attempt} failed after another run had started; its failure is not recorded", id, started.Attempt);
            }
            throw;
        }
    }

    /// <summary>
    /// The report's basis signed as a checkpoint, so the published report anchors the log. The report stands without
    /// it: a failure here is logged, and the next periodic checkpoint covers the same events.
    /// </summary>
    private async Task SignBasisAsync(Guid id, GeneratedReport generated, CancellationToken ct)
    {
        try { await checkpoints.SignReportAsync(id, generated.EventSequence, generated.ChainHash, ct); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Report {Id}: its basis could not be signed as a checkpoint", id);
        }
    }

    /// <summary>
    /// The report's stream under its row lock, if no other run has started since this one. Every write to a report
    /// stream takes that lock first, so concurrent runs queue for it; an optimistic append (FetchForWriting with a
    /// version) racing a locked one could deadlock inside Marten's append function.
    /// </summary>
    private static async Task<JasperFx.Events.IEventStream<ReportView>> FetchIfStillOurs(IDocumentSession s, Guid id, long startedVersion, CancellationToken ct)
    {
        var stream = await s.Events.FetchForExclusiveWriting<ReportView>(id, ct);
        if (stream.StartingVersion != startedVersion)
            throw new ConcurrencyException($"Report {id} is at version {stream.StartingVersion}, not {startedVersion}: another run started after this one.", null!);
        return stream;
    }
}

public static class ReportFailure
{
    public static string Describe(string errorId) =>
        $"The report could not be computed; it will be tried again. The service log has the cause under error {errorId}.";
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
