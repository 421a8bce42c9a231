namespace Strategy.Infrastructure.Store;

/// <summary>A clock truncated to whole microseconds, the precision of PostgreSQL's timestamptz.</summary>
public sealed class MicrosecondTimeProvider(TimeProvider inner) : TimeProvider
{
    public override DateTimeOffset GetUtcNow()
    {
        var now = inner.GetUtcNow();
        return new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMicrosecond, now.Offset);
    }

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;
}
