using System.Collections.Concurrent;
using Grid.EnvironmentMonitoring.Domain;

namespace Grid.EnvironmentMonitoring.Infrastructure;

/// <summary>
/// 排放限值缓存: the limit rules of each discharge point as last read, with the point's rules version. Every change to a
/// point's rules raises that version (a trigger on <c>limit_rules</c>); the register read under the stations' locks
/// returns it, and a point held at another version is read again. So a group reads rules only for a point it has not
/// seen at its current version, instead of every rule of every station it names.
/// </summary>
internal sealed class LimitRuleCache
{
    private readonly ConcurrentDictionary<Guid, (long Version, LimitRule[] Rules)> _points = new();

    /// <summary>The rules of <paramref name="point"/> if held at <paramref name="version"/>, else null (read them).</summary>
    public LimitRule[]? Rules(Guid point, long version) =>
        _points.TryGetValue(point, out var held) && held.Version == version ? held.Rules : null;

    /// <summary>Holds the rules read of a point at the version read with them.</summary>
    public void Remember(Guid point, long version, LimitRule[] rules) =>
        _points.AddOrUpdate(point, (version, rules), (_, held) => held.Version > version ? held : (version, rules));
}
