using JasperFx;
using Marten;
using Strategy.Api.Http;
using Strategy.Domain;
using Strategy.Domain.Plans;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Features.Plans;

/// <summary>Load, decide, append, save for a change to an existing plan's structure.</summary>
public static class PlanWrites
{
    /// <param name="language">The language the answer's texts are in.</param>
    public static async Task<PlanDto> Decide(IDocumentSession session, string code, long? expectedVersion, Func<Plan, Decision> decide, CancellationToken ct,
        string language = Translations.Source)
    {
        var id = StreamIds.ForPlan(code);
        JasperFx.Events.IEventStream<PlanView> stream;
        try
        {
            stream = expectedVersion is { } v
                ? await session.Events.FetchForWriting<PlanView>(id, v, ct)
                : await session.Events.FetchForExclusiveWriting<PlanView>(id, ct);
        }
        catch (ConcurrencyException)
        {
            if (await session.LoadAsync<PlanView>(id, ct) is null) throw RejectedException.NotFound($"No plan {code}.");
            throw;
        }
        if (stream.Aggregate is not { } current) throw RejectedException.NotFound($"No plan {code}.");

        var decision = decide(current.Plan);
        if (!decision.IsAccepted) throw new RejectedException(decision.Rejection!);
        stream.AppendMany(decision.Events.ToArray());
        await session.SaveChangesAsync(ct);
        return await Read(session, id, ct, language);
    }

    public static async Task<PlanDto> Read(IDocumentSession session, Guid id, CancellationToken ct, string language = Translations.Source)
    {
        var view = await session.LoadAsync<PlanView>(id, ct) ?? throw new InvalidOperationException("The inline plan view was not written.");
        var rows = await session.Query<CommitmentView>().Where(x => x.State.PlanCode == view.Code && !x.State.Withdrawn)
            .Select(x => x.State.Country).ToListAsync(ct);
        var byCountry = view.Plan.Countries.ToDictionary(c => c.Code, c => rows.Count(r => r == c.Code));
        return PlanDto.From(view, PlanDto.Structure(view.Plan, rows.Count, byCountry, null), null, language);
    }
}
