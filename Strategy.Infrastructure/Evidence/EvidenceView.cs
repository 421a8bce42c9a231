using JasperFx.Events;
using Marten.Events.Projections;
using Strategy.Domain.Commitments;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;

namespace Strategy.Infrastructure.Evidence;

/// <summary>An evidence file as the API reads it back (inline projection): what was recorded when it was uploaded.</summary>
public sealed class EvidenceView
{
    public Guid Id { get; set; }
    public Guid CommitmentId { get; set; }
    public string Name { get; set; } = "";
    public long Size { get; set; }
    public string ContentType { get; set; } = "";
    public string Sha256 { get; set; } = "";
    public DateTimeOffset UploadedAt { get; set; }
    public ActorRef UploadedBy { get; set; } = null!;
}

/// <summary>One view per evidence id: the uploads share their commitment's correspondence stream.</summary>
public sealed class EvidenceViewProjection : MultiStreamProjection<EvidenceView, Guid>
{
    public EvidenceViewProjection() => Identity<EvidenceUploaded>(e => e.EvidenceId);

    public override EvidenceView? Evolve(EvidenceView? snapshot, Guid id, IEvent e) => e.Data switch
    {
        EvidenceUploaded u => new EvidenceView
        {
            Id = u.EvidenceId, CommitmentId = u.CommitmentId, Name = u.Name, Size = u.Size, ContentType = u.ContentType, Sha256 = u.Sha256,
            UploadedAt = EventTime.Of(e), UploadedBy = ActorRef.From(e),
        },
        _ => snapshot,
    };
}
