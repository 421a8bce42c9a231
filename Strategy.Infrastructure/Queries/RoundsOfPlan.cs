using System.Linq.Expressions;
using Marten.Linq;
using Strategy.Domain.Rounds;

namespace Strategy.Infrastructure.Queries;

/// <summary>
/// A plan's rounds (write models), read by every submitted value. Compiled: Marten parses a LINQ query on each call and
/// compiles a delegate for each captured value, which on the write path cost a dynamic method per submission.
/// </summary>
public sealed class RoundsOfPlan : ICompiledListQuery<Round>
{
    public string Plan { get; set; } = "";

    public Expression<Func<IMartenQueryable<Round>, IEnumerable<Round>>> QueryIs() => q => q.Where(r => r.Plan == Plan);
}
