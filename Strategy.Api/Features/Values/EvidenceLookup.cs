using Marten;
using Strategy.Api.Http;
using Strategy.Domain.Commitments;
using Strategy.Infrastructure.Evidence;

namespace Strategy.Api.Features.Values;

/// <summary>The evidence files a value refers to, each of which must have been uploaded to the same commitment.</summary>
public sealed class EvidenceLookup(IQuerySession session)
{
    public async Task<IReadOnlyList<EvidenceRef>> ForCommitmentAsync(Guid commitmentId, IReadOnlyList<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        var found = (await session.LoadManyAsync<EvidenceView>(ct, ids.Distinct())).ToDictionary(e => e.Id);
        var refs = new List<EvidenceRef>();
        for (var i = 0; i < ids.Count; i++)
        {
            if (!found.TryGetValue(ids[i], out var file) || file.CommitmentId != commitmentId)
                throw RejectedException.Invalid($"evidence[{i}]", $"No evidence file {ids[i]} on this commitment; upload it to the commitment first.");
            if (refs.All(r => r.Id != file.Id)) refs.Add(new EvidenceRef(file.Id, file.Name, file.Sha256));
        }
        return refs;
    }
}
