using Strategy.Api.Http;
using Strategy.Domain.Commitments;

namespace Strategy.Api.Features.Values;

/// <summary>The evidence files a value refers to, each of which must have been uploaded to the same commitment.</summary>
public sealed class EvidenceLookup
{
    public Task<IReadOnlyList<EvidenceRef>> ForCommitmentAsync(Guid commitmentId, IReadOnlyList<Guid> ids, CancellationToken ct)
    {
        if (ids.Count > 0) throw RejectedException.Invalid("evidence", $"No evidence file {ids[0]} on commitment {commitmentId}.");
        return Task.FromResult<IReadOnlyList<EvidenceRef>>([]);
    }
}
