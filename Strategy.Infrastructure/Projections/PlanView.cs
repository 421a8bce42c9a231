using JasperFx.Events;
using Marten.Events.Aggregation;
using Strategy.Domain.Plans;
using Strategy.Infrastructure.Store;

namespace Strategy.Infrastructure.Projections;

/// <summary>A plan's structure as the API reads it back, with its stream version and last change.</summary>
public sealed class PlanView
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public string Code { get; set; } = "";
    public Plan Plan { get; set; } = null!;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastUpdatedAt { get; set; }
    public ActorRef LastUpdatedBy { get; set; } = null!;
}

public sealed class PlanViewProjection : SingleStreamProjection<PlanView, Guid>
{
    public override PlanView? Evolve(PlanView? snapshot, Guid id, IEvent e)
    {
        var plan = Plan.Evolve(snapshot?.Plan, e.Data);
        if (plan is null) return snapshot;
        var view = snapshot ?? new PlanView { Id = id, CreatedAt = EventTime.Of(e) };
        view.Plan = plan;
        view.Code = plan.Code;
        view.Version = e.Version;
        view.LastUpdatedAt = EventTime.Of(e);
        view.LastUpdatedBy = ActorRef.From(e);
        return view;
    }
}
