using Marten;
using Mediator;
using Strategy.Api.Http;
using Strategy.Api.Pipeline;
using Strategy.Domain;
using Strategy.Infrastructure.Evidence;

namespace Strategy.Api.Features.Evidence;

[AllowedRoles(Role.Secretariat, Role.Reviewer, Role.Admin)]
public sealed record VerifyEvidence : IQuery<EvidenceCheck>;

public sealed class VerifyEvidenceHandler(IQuerySession session, EvidenceStore store) : IQueryHandler<VerifyEvidence, EvidenceCheck>
{
    public async ValueTask<EvidenceCheck> Handle(VerifyEvidence query, CancellationToken ct) => await store.VerifyAllAsync(session, ct);
}

public static class VerifyEvidenceEndpoint
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/evidence/verify", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new VerifyEvidence(), ct)))
            .WithName("VerifyEvidence")
            .WithSummary("Recompute the SHA-256 of every stored evidence file (secretariat, reviewer, admin)")
            .WithDescription("altered lists the files whose stored bytes no longer hash to the SHA-256 they were stored under (the one their uploads " +
                "recorded in the event log); missing lists recorded files no longer stored. valid is true when both are empty.")
            .ReadResponses<EvidenceCheck>()
            .ProducesProblem(StatusCodes.Status403Forbidden);
}
