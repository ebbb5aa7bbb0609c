namespace Grid.EnvironmentMonitoring.Domain;

/// <summary>污染因子: a monitored pollutant and the one unit its readings must be reported in.</summary>
public sealed record Pollutant(string Code, string Name, string Unit, string Medium);

/// <summary>
/// The pollutants online monitoring (在线监控) reports, each with its reporting unit. A reading in another unit is
/// refused rather than converted: a station sending ppm for SO₂ is misconfigured and its numbers cannot be trusted.
/// </summary>
public static class Pollutants
{
    public static readonly IReadOnlyList<Pollutant> All =
    [
        new("COD", "化学需氧量", "mg/L", "water"),
        new("NH3N", "氨氮", "mg/L", "water"),
        new("TP", "总磷", "mg/L", "water"),
        new("TN", "总氮", "mg/L", "water"),
        new("PH", "pH值", "pH", "water"),
        new("SO2", "二氧化硫", "mg/m3", "gas"),
        new("NOX", "氮氧化物", "mg/m3", "gas"),
        new("PM", "颗粒物(烟尘)", "mg/m3", "gas"),
        new("VOCS", "挥发性有机物", "mg/m3", "gas"),
        new("FLOW", "流量", "m3/h", "any"),
    ];

    private static readonly Dictionary<string, Pollutant> ByCode =
        All.ToDictionary(p => p.Code, StringComparer.OrdinalIgnoreCase);

    public static Pollutant? Find(string? code) => code is not null && ByCode.TryGetValue(code, out var p) ? p : null;

    /// <summary>True when <paramref name="unit"/> is the pollutant's unit, allowing the usual spelling variants (mg/m³, m³/h).</summary>
    public static bool IsUnitOf(Pollutant pollutant, string? unit) =>
        unit is not null && string.Equals(Normalize(unit), Normalize(pollutant.Unit), StringComparison.OrdinalIgnoreCase);

    private static string Normalize(string unit) => unit.Trim().Replace("³", "3").Replace(" ", "");
}
