using Grid.Casework.Infrastructure;

namespace Grid.Casework.Application;

/// <summary>The clock of case steps, at PostgreSQL's precision (microseconds), so what a response shows is what is stored.</summary>
public sealed class CaseClock(TimeProvider time)
{
    public DateTimeOffset Now() => AuditChain.Truncate(time.GetUtcNow());
}
