namespace Grid.FireSafety.Domain;

/// <summary>器材配置点的种类: a village's public equipment point or a fire team's kit.</summary>
public enum EquipmentPointKind
{
    /// <summary>公共消防器材配置点 (每个村(居)、场不少于1处).</summary>
    VillagePoint,

    /// <summary>专(兼)职消防队.</summary>
    FireTeam,
}

/// <summary>One required line of a kit: item code, quantity and unit (具, 米, 把, 台, 支, 只).</summary>
public sealed record KitLine(string Item, decimal Quantity, string Unit, string Name);

/// <summary>What is actually at a point: one line per item, with the earliest expiry date if the item has one.</summary>
public sealed record StockLine(string Item, decimal Quantity, DateOnly? ExpiresOn);

/// <summary>A shortfall or expiry that becomes a task for the custodian.</summary>
public sealed record KitDefect(string Item, string Name, string Kind, decimal Required, decimal Present, DateOnly? ExpiresOn);

/// <summary>
/// 器材配置标准: the kits 003 requires. Village point (003 四(二)3): "4公斤ABC干粉灭火器4具、消防水带100米、水枪1把、
/// 消防斧1把、救生绳50米、强光应急照明手电1把、消火栓扳手1把". Fire team (003 四(一)2): "至少1台手抬泵、400米消防水带、
/// 2支水枪、10只4公斤ABC干粉灭火器". Configuration (Fire:Kits:VillagePoint / Fire:Kits:FireTeam) replaces a list.
/// </summary>
public static class EquipmentKit
{
    public static readonly IReadOnlyList<KitLine> VillagePoint =
    [
        new("extinguisher-abc-4kg", 4, "具", "4公斤ABC干粉灭火器"),
        new("hose", 100, "米", "消防水带"),
        new("nozzle", 1, "把", "水枪"),
        new("axe", 1, "把", "消防斧"),
        new("rope", 50, "米", "救生绳"),
        new("flashlight", 1, "把", "强光应急照明手电"),
        new("hydrant-wrench", 1, "把", "消火栓扳手"),
    ];

    public static readonly IReadOnlyList<KitLine> FireTeam =
    [
        new("portable-pump", 1, "台", "手抬泵"),
        new("hose", 400, "米", "消防水带"),
        new("nozzle", 2, "支", "水枪"),
        new("extinguisher-abc-4kg", 10, "只", "4公斤ABC干粉灭火器"),
    ];

    /// <summary>Missing or short items, and items whose expiry date is before <paramref name="today"/> (expired stock does not count as present).</summary>
    public static IReadOnlyList<KitDefect> Check(IReadOnlyList<KitLine> required, IReadOnlyList<StockLine> stock, DateOnly today)
    {
        var defects = new List<KitDefect>();
        foreach (var line in required)
        {
            var lines = stock.Where(s => s.Item == line.Item).ToList();
            var expired = lines.Where(s => s.ExpiresOn is { } e && e < today).ToList();
            var valid = lines.Except(expired).Sum(s => s.Quantity);
            foreach (var e in expired)
            {
                defects.Add(new KitDefect(line.Item, line.Name, "expired", line.Quantity, e.Quantity, e.ExpiresOn));
            }

            if (valid < line.Quantity)
            {
                defects.Add(new KitDefect(line.Item, line.Name, "missing", line.Quantity, valid, null));
            }
        }

        return defects;
    }
}
