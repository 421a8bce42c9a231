using JasperFx.Events;
using Marten.Events.Aggregation;
using Strategy.Domain.Reports;
using Strategy.Infrastructure.Store;

namespace Strategy.Infrastructure.Projections;

/// <summary>A report run as the API reads it back: the request, its status and, once succeeded, what it anchors.</summary>
public sealed class ReportView
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public Report State { get; set; } = null!;
    public DateTimeOffset RequestedAt { get; set; }
    public ActorRef RequestedBy { get; set; } = null!;
    public string? Schedule { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}

public sealed class ReportViewProjection : SingleStreamProjection<ReportView, Guid>
{
    public override ReportView? Evolve(ReportView? snapshot, Guid id, IEvent e)
    {
        var state = Report.Evolve(snapshot?.State, e.Data);
        if (state is null) return snapshot;
        var view = snapshot ?? new ReportView { Id = id, RequestedAt = e.Timestamp, RequestedBy = ActorRef.From(e) };
        view.State = state;
        view.Version = e.Version;
        switch (e.Data)
        {
            case ReportRequested r: view.Schedule = r.Schedule; break;
            case ReportStarted: view.StartedAt = e.Timestamp; view.CompletedAt = null; break;
            case ReportSucceeded or ReportFailed: view.CompletedAt = e.Timestamp; break;
        }
        return view;
    }
}
