namespace Strategy.Domain;

/// <summary>
/// An event the service appends, to any stream. Implementing it (directly, or through a stream's own event interface such
/// as <see cref="Commitments.ICommitmentEvent"/>) is the one declaration of an event type: consumers that must decide
/// for every event (the notices) take their list from <see cref="DomainEvents.Types"/>, and a test fails when one has
/// not decided for a type.
/// </summary>
public interface IDomainEvent;

public static class DomainEvents
{
    public static readonly IReadOnlyList<Type> Types = [.. typeof(IDomainEvent).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IDomainEvent).IsAssignableFrom(t))
        .OrderBy(t => t.Name, StringComparer.Ordinal)];
}
