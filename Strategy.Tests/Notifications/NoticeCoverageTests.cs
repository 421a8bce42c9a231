using JasperFx.Events;
using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Domain.Rounds;
using Strategy.Domain.Notifications;
using Strategy.Infrastructure.Notifications;
using Strategy.Infrastructure.Store;
using Strategy.Tests.Domain;

namespace Strategy.Tests.Notifications;

/// <summary>
/// Every declared event type (<see cref="IDomainEvent"/>) is decided for by the notices: it tells someone (and the
/// projection makes that notice of it) or it tells nobody, on purpose. A new event type nobody decided for fails here instead of silently
/// telling no one.
/// </summary>
public sealed class NoticeCoverageTests
{
    public static TheoryData<string> NoticeEventTypes() => [.. NoticeProjection.Causes.Where(c => c.Value is not null).Select(c => c.Key.Name)];

    [Fact]
    public void Every_declared_event_type_is_decided_for_and_no_other()
    {
        DomainEvents.Types.ShouldContain(typeof(RoundOpened));
        DomainEvents.Types.ShouldContain(typeof(CommitmentBecameOverdue));
        CommitmentEvents.Types.ShouldBeSubsetOf(DomainEvents.Types);
        DomainEvents.Types.Where(t => !NoticeProjection.Causes.ContainsKey(t)).Select(t => t.Name).ShouldBeEmpty("NoticeProjection.Causes has no entry for these");
        NoticeProjection.Causes.Keys.Where(t => !DomainEvents.Types.Contains(t)).Select(t => t.Name).ShouldBeEmpty("not declared events (IDomainEvent)");
    }

    [Theory]
    [MemberData(nameof(NoticeEventTypes))]
    public void The_projection_makes_the_notice_an_event_causes(string type)
    {
        var (eventType, kind) = NoticeProjection.Causes.Single(c => c.Key.Name == type);
        var e = (IEvent)Activator.CreateInstance(typeof(Event<>).MakeGenericType(eventType), CommitmentEventCoverageSpecs.Sample(eventType))!;
        e.UserName = "sec-1";
        e.Headers = new Dictionary<string, object> { [ActorRef.NameHeader] = "Secretariat Officer", [ActorRef.RoleHeader] = "secretariat" };
        e.Timestamp = new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);

        var notice = new NoticeProjection().Evolve(null, Guid.NewGuid(), e).ShouldNotBeNull();
        notice.Kind.ShouldBe(kind.ShouldNotBeNull());
        notice.At.ShouldBe(e.Timestamp);
    }

    [Fact]
    public void A_value_accepted_as_it_is_sent_in_a_plan_without_review_tells_nobody()
    {
        var accepted = CommitmentEventCoverageSpecs.Sample(typeof(ValueAccepted));
        var e = new Event<ValueAccepted>((ValueAccepted)accepted)
        {
            UserName = "fp-kh", Headers = new Dictionary<string, object> { [ActorRef.RoleHeader] = "focal-point" },
        };
        new NoticeProjection().Evolve(null, Guid.NewGuid(), e).ShouldBeNull();
    }

    [Fact]
    public void Every_kind_has_a_name_an_audience_and_a_default()
    {
        foreach (var kind in Enum.GetValues<NoticeKind>())
        {
            Notices.Parse(Notices.Name(kind)).ShouldBe(kind);
            Should.NotThrow(() => Notices.Audience(kind));
        }
        Notices.OnByDefault(NoticeKind.ValueAccepted).ShouldBeFalse();
        Notices.WeekOf(new DateOnly(2026, 7, 1)).ShouldBe(new DateOnly(2026, 6, 29));
        Notices.WeekOf(new DateOnly(2026, 7, 5)).ShouldBe(new DateOnly(2026, 6, 29));
        Notices.WeekOf(new DateOnly(2026, 6, 29)).ShouldBe(new DateOnly(2026, 6, 29));
    }
}
