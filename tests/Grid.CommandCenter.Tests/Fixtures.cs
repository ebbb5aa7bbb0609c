using System.Globalization;
using System.Text.Json.Nodes;

namespace Grid.CommandCenter.Tests;

internal static class Fixtures
{
    /// <summary>A county split into two townships (一镇, 二镇), each into two villages: rectangles without gaps or overlaps.</summary>
    public static string Boundaries(string county)
    {
        var features = new JsonArray
        {
            Feature(county, null, "示范县", 1, 113.0, 28.0, 113.4, 28.2),
            Feature(county + "-T1", county, "一镇", 2, 113.0, 28.0, 113.2, 28.2),
            Feature(county + "-T2", county, "二镇", 2, 113.2, 28.0, 113.4, 28.2),
            Feature(county + "-T1-V1", county + "-T1", "东村", 3, 113.0, 28.0, 113.1, 28.2),
            Feature(county + "-T1-V2", county + "-T1", "西村", 3, 113.1, 28.0, 113.2, 28.2),
            Feature(county + "-T2-V1", county + "-T2", "南村", 3, 113.2, 28.0, 113.4, 28.1),
            Feature(county + "-T2-V2", county + "-T2", "北村", 3, 113.2, 28.1, 113.4, 28.2),
        };
        return new JsonObject { ["type"] = "FeatureCollection", ["features"] = features }.ToJsonString();
    }

    static JsonObject Feature(string id, string? parent, string name, int level, double x0, double y0, double x1, double y1) => new()
    {
        ["type"] = "Feature",
        ["properties"] = new JsonObject { ["id"] = id, ["parentId"] = parent, ["name"] = name, ["level"] = level },
        ["geometry"] = JsonNode.Parse(string.Create(CultureInfo.InvariantCulture,
            $"{{\"type\":\"Polygon\",\"coordinates\":[[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]]}}")),
    };
}
