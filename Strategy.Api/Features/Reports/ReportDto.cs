using Strategy.Domain.Reports;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Features.Reports;

public sealed record ReportDto(Guid Id, ReportKind Kind, string Plan, DateTimeOffset? AsOf, IReadOnlyList<string> Countries, ReportStatus Status,
    ActorRef RequestedBy, DateTimeOffset RequestedAt, string? Schedule, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, int Attempts,
    long? EventSequence, string? ChainHash, string? ContentHash, string? Error, string? Round)
{
    public static ReportDto From(ReportView v) => new(v.Id, v.State.Kind, v.State.Plan, v.State.AsOf, v.State.Countries, v.State.Status,
        v.RequestedBy, v.RequestedAt, v.Schedule, v.StartedAt, v.CompletedAt, v.State.Attempts, v.State.EventSequence, v.State.ChainHash,
        v.State.ContentHash, v.State.Error, v.State.Round);
}

public sealed record ReportAccepted(Guid Id, ReportStatus Status);
