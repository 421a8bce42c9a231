using System.Reflection;
using System.Text.Json;
using JasperFx.Events;
using Strategy.Api.Features.Commitments;
using Strategy.Domain.Commitments;
using Strategy.Domain.Reports;
using Strategy.Infrastructure.Audit;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;
using Strategy.Tests.Api;

namespace Strategy.Tests.Domain;

/// <summary>
/// Every event type a commitment's stream holds is declared once (it implements <see cref="ICommitmentEvent"/>). Each
/// consumer of those events is run here on an instance of every type, built by reflection, so a new event type that a
/// consumer does not handle fails this test rather than vanishing silently from a view, a fold, the history, the audit
/// log's changes, a report or the rebuild.
/// </summary>
public class CommitmentEventCoverageSpecs
{
    public static TheoryData<string> EventTypes() => [.. CommitmentEvents.Types.Select(t => t.Name)];

    private static Type TypeNamed(string name) => CommitmentEvents.Types.Single(t => t.Name == name);

    [Fact]
    public void The_declared_event_types_are_the_commitment_events_of_the_domain()
    {
        CommitmentEvents.Types.Select(t => t.Name).ShouldBe([
            "CommitmentMade", "CommitmentReopened", "CommitmentRestored", "CommitmentRevised", "CommitmentStatusChanged", "CommitmentTranslated",
            "CommitmentWithdrawn",
            "ValueAccepted", "ValueReturned", "ValueRetracted", "ValueSubmitted", "ValueVoided"], ignoreOrder: true);
    }

    [Theory]
    [MemberData(nameof(EventTypes))]
    public void The_write_model_the_summary_and_the_view_fold_it(string type)
    {
        var e = (ICommitmentEvent)Sample(TypeNamed(type));
        var made = (CommitmentMade)Sample(typeof(CommitmentMade));

        Should.NotThrow(() => Commitment.Evolve(Commitment.Evolve(null, made, "fp-kh"), e, "fp-kh"));
        Should.NotThrow(() => CommitmentSummary.Evolve(CommitmentSummary.Evolve(null, made), e));
        var view = CommitmentViewProjection.Apply(null, made.CommitmentId, made, 1, DateTimeOffset.UnixEpoch, new ActorRef("a", null, null, null));
        Should.NotThrow(() => CommitmentViewProjection.Apply(view, made.CommitmentId, e, 2, DateTimeOffset.UnixEpoch, new ActorRef("a", null, null, null)));
    }

    [Theory]
    [MemberData(nameof(EventTypes))]
    public void The_value_documents_and_the_rebuild_know_whether_it_touches_a_value(string type)
    {
        Should.NotThrow(() => ViewRebuild.ValueIds((ICommitmentEvent)Sample(TypeNamed(type))).ToList());
    }

    [Theory]
    [MemberData(nameof(EventTypes))]
    public void The_history_says_its_note_or_reason(string type)
    {
        Should.NotThrow(() => HistoryEntries.NoteAndReason(Sample(TypeNamed(type))));
    }

    [Theory]
    [MemberData(nameof(EventTypes))]
    public void The_audit_log_says_what_it_changed(string type)
    {
        var stored = TypeNamed(type).GetEventTypeName().Replace('_', '-');
        AuditLog.ChangeReaders.ShouldContainKey(stored, $"AuditLog.ChangeReaders has no entry for {stored}");
        var json = JsonSerializer.SerializeToElement(Sample(TypeNamed(type)), TypeNamed(type), ApiFactory.JsonOptions);
        Should.NotThrow(() => AuditLog.ChangeReaders[stored](json));
    }

    [Theory]
    [MemberData(nameof(EventTypes))]
    public void Reports_say_whether_it_is_a_change_to_list(string type)
    {
        Should.NotThrow(() => CommitmentChanges.KindOf(TypeNamed(type)));
        var summary = CommitmentSummary.Evolve(null, (CommitmentMade)Sample(typeof(CommitmentMade)));
        Should.NotThrow(() => CommitmentChanges.From(1, DateTimeOffset.UnixEpoch, (ICommitmentEvent)Sample(TypeNamed(type)), summary));
    }

    [Theory]
    [MemberData(nameof(EventTypes))]
    public void The_event_reader_maps_its_stored_name_to_it(string type)
    {
        CommitmentEventLog.Types[TypeNamed(type).GetEventTypeName()].ShouldBe(TypeNamed(type));
    }

    /// <summary>An instance of a record built from its widest constructor with plain values for every parameter.</summary>
    internal static object Sample(Type type)
    {
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        return constructor.Invoke([.. constructor.GetParameters().Select(p => Value(p.ParameterType))]);
    }

    private static object? Value(Type type)
    {
        var inner = Nullable.GetUnderlyingType(type) ?? type;
        if (inner == typeof(string)) return "x";
        if (inner == typeof(Guid)) return Given.CommitmentId;
        if (inner == typeof(DateOnly)) return Given.Today;
        if (inner == typeof(double)) return 1.0;
        if (inner == typeof(bool)) return false;
        if (inner == typeof(long) || inner == typeof(int)) return Convert.ChangeType(1, inner);
        if (inner.IsEnum) return Enum.GetValues(inner).GetValue(0);
        if (inner.IsGenericType && inner.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
            return Array.CreateInstance(inner.GetGenericArguments()[0], 0);
        if (inner.IsClass) return Sample(inner);
        throw new InvalidOperationException($"No sample value for {type.Name}: teach {nameof(CommitmentEventCoverageSpecs)} one.");
    }
}
