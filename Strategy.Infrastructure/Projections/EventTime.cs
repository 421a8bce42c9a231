using JasperFx.Events;

namespace Strategy.Infrastructure.Projections;

public static class EventTime
{
    /// <summary>
    /// An event's timestamp as the event table keeps it: PostgreSQL stores whole microseconds (Npgsql truncates), while
    /// an inline projection sees the .NET value with 100 ns ticks before it is stored. Views keep the stored value, so an
    /// event's time reads the same everywhere (views, history, audit) and compares correctly with as-of instants.
    /// </summary>
    public static DateTimeOffset Of(IEvent e) => new(e.Timestamp.Ticks - e.Timestamp.Ticks % 10, e.Timestamp.Offset);
}
