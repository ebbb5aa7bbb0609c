namespace Grid.DrugSupply.Domain;

/// <summary>One indicator against its target: numerator over denominator, null percent when there is nothing to count.</summary>
public sealed record Indicator(int Count, int Total, decimal? Percent, decimal Target, bool? Met)
{
    public static Indicator Measure(int count, int total, decimal target, bool strictlyAbove = false)
    {
        decimal? percent = total == 0 ? null : Math.Round(100m * count / total, 1);
        bool? met = percent is null ? null : strictlyAbove ? 100m * count / total > target : 100m * count / total >= target;
        return new Indicator(count, total, percent, target, met);
    }
}

/// <summary>两网 coverage of one grid (a township, or the whole scope) against the configured targets.</summary>
public sealed record CoverageRow(
    string GridId, string Name, Indicator VillageSupply, Indicator TownshipStandard, Indicator VillageStandard, Indicator SellersCertified,
    Indicator GspFollowUp, Indicator Coordinators, Indicator Informants)
{
    /// <summary>Every indicator, in order.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<Indicator> All => [VillageSupply, TownshipStandard, VillageStandard, SellersCertified, GspFollowUp, Coordinators, Informants];
}

/// <summary>A grid of the supervision or supply network with nobody or nothing where the texts require someone or something.</summary>
public sealed record BlankSpot(string GridId, string Name, string TownshipId, string Gap);

/// <summary>The gaps a blank-spot report names (监管空白点, 供应空白点).</summary>
public static class Gaps
{
    /// <summary>A township without a coordinator (协管员).</summary>
    public const string NoCoordinator = "no-coordinator";

    /// <summary>A village without an informant (信息员).</summary>
    public const string NoInformant = "no-informant";

    /// <summary>A village without any supply point (便民药柜 or a chain store).</summary>
    public const string NoSupplyPoint = "no-supply-point";
}

/// <summary>
/// A grid of the network as the report sees it: its id, name, township (itself for a township) and the roles of the
/// people posted on it who are in service (dismissed staff are left out).
/// </summary>
public sealed record NetworkGrid(string Id, string Name, string TownshipId, IReadOnlyCollection<string> Roles);

/// <summary>
/// 覆盖率 and 空白点: pure computation over the townships and villages in scope, the supply points and the year's
/// GSP follow-up checks. Rules (000 篇10): every village supplied; every township-level pharmacy and 80 % of village
/// cabinets standard; every seller GSP-certified; more than half the certified sellers followed up in the year.
/// </summary>
public sealed class CoverageCalculator(CoverageTargets targets, NetworkLevels levels)
{
    public (CoverageRow Total, List<CoverageRow> Townships) Indicators(
        string scopeId, string scopeName, IReadOnlyList<NetworkGrid> townships, IReadOnlyList<NetworkGrid> villages,
        IReadOnlyList<SupplyPoint> points, IReadOnlySet<Guid> followedUp, DateOnly today)
    {
        var rows = townships.Select(t => Row(t.Id, t.Name, [t], villages.Where(v => v.TownshipId == t.Id).ToList(),
            points.Where(p => TownshipOf(p) == t.Id).ToList(), followedUp, today)).ToList();
        return (Row(scopeId, scopeName, townships, villages, points, followedUp, today), rows);
    }

    public List<BlankSpot> BlankSpots(IReadOnlyList<NetworkGrid> townships, IReadOnlyList<NetworkGrid> villages, IReadOnlyList<SupplyPoint> points)
    {
        var supplied = Supplied(points);
        var spots = new List<BlankSpot>();
        spots.AddRange(townships.Where(t => !t.Roles.Contains(DrugRoles.Coordinator)).Select(t => new BlankSpot(t.Id, t.Name, t.Id, Gaps.NoCoordinator)));
        spots.AddRange(villages.Where(v => !v.Roles.Contains(DrugRoles.Informant)).Select(v => new BlankSpot(v.Id, v.Name, v.TownshipId, Gaps.NoInformant)));
        spots.AddRange(villages.Where(v => !supplied.Contains(v.Id)).Select(v => new BlankSpot(v.Id, v.Name, v.TownshipId, Gaps.NoSupplyPoint)));
        return [.. spots.OrderBy(s => s.TownshipId, StringComparer.Ordinal).ThenBy(s => s.GridId, StringComparer.Ordinal).ThenBy(s => s.Gap, StringComparer.Ordinal)];
    }

    private CoverageRow Row(
        string id, string name, IReadOnlyList<NetworkGrid> townships, IReadOnlyList<NetworkGrid> villages, IReadOnlyList<SupplyPoint> points,
        IReadOnlySet<Guid> followedUp, DateOnly today)
    {
        var supplied = Supplied(points);
        var townshipLevel = points.Where(p => p.Kind.TownshipLevel()).ToList();
        var cabinets = points.Where(p => p.Kind == SupplyPointKind.VillageCabinet).ToList();
        var sellers = points.Where(p => p.Kind.Sells()).ToList();
        var certified = sellers.Where(p => p.GspValidOn(today)).ToList();
        return new CoverageRow(
            id, name,
            Indicator.Measure(villages.Count(v => supplied.Contains(v.Id)), villages.Count, targets.VillageSupply),
            Indicator.Measure(townshipLevel.Count(p => p.Standard), townshipLevel.Count, targets.TownshipStandard),
            Indicator.Measure(cabinets.Count(p => p.Standard), cabinets.Count, targets.VillageStandard),
            Indicator.Measure(certified.Count, sellers.Count, targets.SellersCertified),
            Indicator.Measure(certified.Count(p => followedUp.Contains(p.Id)), certified.Count, targets.GspFollowUp, strictlyAbove: true),
            Indicator.Measure(townships.Count(t => t.Roles.Contains(DrugRoles.Coordinator)), townships.Count, targets.Coordinators),
            Indicator.Measure(villages.Count(v => v.Roles.Contains(DrugRoles.Informant)), villages.Count, targets.Informants));
    }

    /// <summary>Villages with a point that serves them: a village cabinet, a chain store or a retail pharmacy in the village.</summary>
    private HashSet<string> Supplied(IEnumerable<SupplyPoint> points) =>
        points.Where(p => p.Kind is SupplyPointKind.VillageCabinet || p.Kind.Sells())
            .Select(VillageOf).OfType<string>().ToHashSet(StringComparer.Ordinal);

    public string? TownshipOf(SupplyPoint p) => p.GridPath.Length > levels.TownshipDepth ? p.GridPath[levels.TownshipDepth] : null;

    public string? VillageOf(SupplyPoint p) => p.GridPath.Length > levels.VillageDepth ? p.GridPath[levels.VillageDepth] : null;
}
