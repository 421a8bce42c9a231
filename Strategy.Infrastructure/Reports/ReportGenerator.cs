using System.Text.Json;
using System.Text.Json.Serialization;
using Marten;
using Marten.Linq.MatchesSql;
using Strategy.Domain.Progress;
using Strategy.Domain.Reports;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.ReferenceData;

namespace Strategy.Infrastructure.Reports;

/// <param name="Json">The canonical JSON's UTF-8 bytes: what is hashed, stored and served.</param>
public sealed record GeneratedReport(JsonChunks Json, string ContentHash, long EventSequence, string ChainHash);

/// <summary>
/// Computes a report's content from its request; the same request over the same events gives the same bytes.
/// Not sealed, and <see cref="GenerateAsync"/> is virtual, so a test host can put a generator in its place that fails
/// on demand (a report job's failure and retry paths).
/// </summary>
public class ReportGenerator(IDocumentStore store, ReportInputsLoader loader, SdgCatalog sdg, HealthThresholds thresholds, TimeProvider clock)
{
    /// <summary>
    /// Compact, camelCase, kebab-case enums, properties in declaration order: the canonical form that is hashed. Its
    /// metadata is generated at build time (<see cref="ReportJson"/>), so a report job, which runs rarely, does not
    /// build the serializer's metadata at run time nor run its code cold.
    /// </summary>
    public static readonly JsonSerializerOptions CanonicalJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false) },
        WriteIndented = false,
        TypeInfoResolver = ReportJson.Default,
    };

    public virtual async Task<GeneratedReport?> GenerateAsync(Report request, CancellationToken ct)
    {
        // Health is a matter of days: a current report is evaluated on the day it is made, an as-of report on its day
        // (both at the secretariat's seat, so the two agree for one instant), a round report on its period's last day.
        var today = Domain.MemberTime.SecretariatToday(request.AsOf ?? clock.GetUtcNow());
        var inputs = request.Kind == ReportKind.Progress
            ? await loader.LoadAsync(request.Plan, request.AsOf, ct, request.Round, (sequence, token) => PreviousAsync(request, sequence, token), (today, thresholds))
            : await loader.LoadAsync(request.Plan, request.AsOf, ct, request.Round);
        if (inputs is null) return null;
        var evaluatedOn = inputs.Round?.PeriodEnd ?? today;
        var basis = new ReportBasis(inputs.EventSequence, inputs.ChainHash, evaluatedOn, inputs.PlanVersion);

        object content;
        if (request.Kind == ReportKind.Progress)
        {
            content = inputs.Rows is { } rows
                ? ProgressReport.Build(inputs.Plan, rows, request.Countries, basis, inputs.Previous, inputs.Changes!, inputs.Round)
                : ProgressReport.Build(inputs.Plan, inputs.Commitments, request.Countries, basis, thresholds, inputs.Previous, inputs.Changes!, inputs.Round);
        }
        else
        {
            content = SdgAlignmentReport.Build(inputs.Plan, inputs.Commitments, request.Countries, basis, thresholds,
                sdg.Goals.ToDictionary(g => g.Goal, g => g.Title), sdg.Targets.ToDictionary(t => t.Target, t => t.Title));
        }
        var json = await CanonicalJsonWriter.WriteAsync(content, CanonicalJson);
        return new GeneratedReport(json, json.Sha256(), inputs.EventSequence, inputs.ChainHash);
    }

    public static object Parse(string kind, byte[] json) => kind switch
    {
        "progress" => JsonSerializer.Deserialize<ProgressReportContent>(json, CanonicalJson)!,
        _ => JsonSerializer.Deserialize<SdgAlignmentReportContent>(json, CanonicalJson)!,
    };

    /// <summary>
    /// The latest succeeded progress report of the plan (of the same round, for a round report) that saw strictly fewer
    /// events: a report of the same events is a repeat, not a predecessor, so repeating a request cannot change what it
    /// compares with.
    /// </summary>
    private async Task<PreviousReport?> PreviousAsync(Report request, long eventSequence, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var previous = await session.Query<ReportView>()
            .Where(x => x.State.Plan == request.Plan && x.Id != request.Id && x.State.EventSequence < eventSequence && x.State.Round == request.Round)
            .Where(x => x.MatchesSql("d.data->'state'->>'kind' = ? and d.data->'state'->>'status' = ?", "progress", "succeeded"))
            .OrderByDescending(x => x.State.EventSequence).ThenBy(x => x.RequestedAt)
            .FirstOrDefaultAsync(ct);
        return previous is null ? null : new PreviousReport(previous.Id, previous.State.EventSequence!.Value);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ProgressReportContent))]
[JsonSerializable(typeof(SdgAlignmentReportContent))]
internal sealed partial class ReportJson : JsonSerializerContext;
