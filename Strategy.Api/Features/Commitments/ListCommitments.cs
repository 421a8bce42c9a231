using Marten;
using Marten.Linq;
using Marten.Linq.MatchesSql;
using Mediator;
using Strategy.Api.Http;
using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Domain.Progress;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Features.Commitments;

public sealed record CommitmentFilter(string? Country, string? Goal, string? Outcome, CommitmentStatus? Status, Health? Health,
    string? SdgTarget, bool Overdue, bool IncludeWithdrawn, int Page, int PageSize);

public sealed record ListCommitments(string PlanCode, CommitmentFilter Filter, string Language = Translations.Source) : IQuery<CommitmentPage>;

public sealed record CommitmentPage(IReadOnlyList<CommitmentDto> Items, long Total);

/// <summary>Every filter, the ordering and the paging run in PostgreSQL; health too, through <see cref="HealthSql"/>.</summary>
public sealed class ListCommitmentsHandler(IQuerySession session, TimeProvider clock, HealthThresholds thresholds) : IQueryHandler<ListCommitments, CommitmentPage>
{
    public async ValueTask<CommitmentPage> Handle(ListCommitments query, CancellationToken ct)
    {
        var plan = await session.LoadAsync<PlanView>(StreamIds.ForPlan(query.PlanCode), ct)
            ?? throw RejectedException.NotFound($"No plan {query.PlanCode}.");
        var f = query.Filter;
        var now = clock.GetUtcNow();

        var page = await Filtered(plan, f, now).OrderBy(x => x.State.Code)
            .Stats(out var stats)
            .Skip((f.Page - 1) * f.PageSize)
            .Take(f.PageSize)
            .ToListAsync(ct);
        // The total rides on the page's rows (count(*) over ()), so a page past the end has none to carry it; count
        // with a query of its own (Marten refuses a count on a query that took statistics).
        var total = page.Count == 0 && f.Page > 1 ? await Filtered(plan, f, now).CountAsync(ct) : stats.TotalResults;
        return new CommitmentPage([.. page.Select(v => CommitmentDto.From(v, now, thresholds, query.Language))], total);
    }

    private IQueryable<CommitmentView> Filtered(PlanView plan, CommitmentFilter f, DateTimeOffset now)
    {
        IQueryable<CommitmentView> q = session.Query<CommitmentView>().Where(x => x.State.PlanCode == plan.Code);
        if (!f.IncludeWithdrawn) q = q.Where(x => !x.State.Withdrawn);
        if (f.Country is not null) q = q.Where(x => x.State.Country == f.Country);
        if (f.Goal is not null) q = q.Where(x => x.State.Goal == f.Goal);
        if (f.Outcome is not null) q = q.Where(x => x.State.Outcome == f.Outcome);
        if (f.Status is { } status) q = q.Where(x => x.MatchesSql("d.data->'state'->>'status' = ?", Json.Kebab(status.ToString())));
        if (f.SdgTarget is not null)
        {
            var outcomes = plan.Plan.Outcomes.Where(o => o.SdgTargets.Contains(f.SdgTarget)).Select(o => o.Code).ToArray();
            q = q.Where(x => x.State.Outcome.IsOneOf(outcomes));
        }
        if (f.Health is { } health) q = q.WithHealth(health, now, thresholds);
        if (f.Overdue) q = q.WithHealth(Health.Overdue, now, thresholds);
        return q;
    }
}

public static class ListCommitmentsEndpoint
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/plans/{code}/commitments", async (string code, string? country, string? goal, string? outcome, string? status,
                string? health, string? sdgTarget, string? overdue, string? includeWithdrawn, string? page, string? pageSize,
                HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var filter = new CommitmentFilter(country, goal, outcome,
                    QueryValues.Enum<CommitmentStatus>("status", status), QueryValues.Enum<Health>("health", health), sdgTarget,
                    Flag("overdue", overdue), Flag("includeWithdrawn", includeWithdrawn),
                    Queries.Page.Read(page), Queries.PageSize.Read(pageSize));
                var result = await mediator.Send(new ListCommitments(code, filter, Languages.Read(http)), ct);
                http.Response.Headers["X-Total-Count"] = result.Total.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Ok(result.Items);
            })
            .WithName("ListCommitments")
            .WithSummary("A plan's commitments, filtered and paged in the database")
            .WithDescription("Filters: country, goal, outcome, status, health, sdgTarget (commitments under outcomes aligned with it), overdue=true, includeWithdrawn=true (withdrawn commitments are left out by default). page (from 1), pageSize (1-200, default 50), ordered by code. The total is in X-Total-Count.")
            .ReadResponses<IReadOnlyList<CommitmentDto>>(maxItems: Queries.PageSize.Max)
            .ResponseHeader(StatusCodes.Status200OK, "X-Total-Count", "How many commitments match the filters, on every page.", 10)
            .Query(Queries.Country, Queries.Code("goal", "A goal's code."), Queries.Code("outcome", "An outcome's code."),
                ChoiceQuery.Of<CommitmentStatus>("status", "The declared status."), ChoiceQuery.Of<Health>("health", "The computed health."),
                new TextQuery("sdgTarget", MemberLimits.SdgTarget, "Commitments under outcomes aligned with this SDG target, such as 13.2."),
                new ChoiceQuery("overdue", Flags, "true: only commitments past their due date and not completed or cancelled."),
                new ChoiceQuery("includeWithdrawn", Flags, "true: withdrawn commitments too (left out by default)."),
                Queries.Page, Queries.PageSize, Languages.Query);

    private static readonly string[] Flags = ["true", "false"];

    private static bool Flag(string name, string? value) => value switch
    {
        null or "" or "false" => false,
        "true" => true,
        _ => throw RejectedException.Invalid(name, "Use true or false."),
    };
}
