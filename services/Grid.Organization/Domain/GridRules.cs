using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;
using NetTopologySuite.Operation.Valid;

namespace Grid.Organization.Domain;

/// <summary>
/// Rules a grid must satisfy before it is written ("边界必须明确"): a non-empty, simple (not
/// self-intersecting) polygon in WGS 84, a known hierarchy, a parent of the same hierarchy, no cycles.
/// </summary>
public static class GridRules
{
    public const int MaxCodeLength = 64;
    public const int MaxNameLength = 200;
    public const int MaxVertices = 100_000;

    private static readonly JsonSerializerOptions GeoJson = new() { Converters = { new GeoJsonConverterFactory() } };

    /// <summary>Reads a GeoJSON geometry and checks it is a usable boundary; returns the geometry or why not.</summary>
    public static (Geometry? Boundary, string? Error) ParseBoundary(JsonElement? json)
    {
        if (json is null || json.Value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return (null, "A boundary (GeoJSON Polygon or MultiPolygon) is required.");
        }

        Geometry? g;
        try
        {
            g = json.Value.Deserialize<Geometry>(GeoJson);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or NotSupportedException or FormatException or IndexOutOfRangeException)
        {
            return (null, $"Not a readable GeoJSON geometry: {e.Message}");
        }

        return (g, CheckBoundary(g));
    }

    /// <summary>Null when the boundary is acceptable, otherwise the reason.</summary>
    public static string? CheckBoundary(Geometry? g)
    {
        if (g is null)
        {
            return "A boundary (GeoJSON Polygon or MultiPolygon) is required.";
        }

        if (g is not (Polygon or MultiPolygon))
        {
            return $"The boundary must be a Polygon or MultiPolygon, not {g.GeometryType}.";
        }

        if (g.IsEmpty || g.Area <= 0)
        {
            return "The boundary is empty (it encloses no area).";
        }

        if (g.NumPoints > MaxVertices)
        {
            return $"The boundary has {g.NumPoints} vertices; at most {MaxVertices} are accepted.";
        }

        foreach (var c in g.Coordinates)
        {
            if (double.IsNaN(c.X) || double.IsNaN(c.Y) || c.X is < -180 or > 180 || c.Y is < -90 or > 90)
            {
                return $"Coordinate ({c.X}, {c.Y}) is not a WGS 84 longitude/latitude.";
            }
        }

        var op = new IsValidOp(g);
        if (!op.IsValid)
        {
            var e = op.ValidationError;
            return $"The boundary is not a valid polygon: {e.Message} at ({e.Coordinate?.X}, {e.Coordinate?.Y}).";
        }

        g.SRID = 4326;
        return null;
    }

    /// <summary>Re-parenting under the grid itself or one of its descendants would make a cycle.</summary>
    public static bool WouldCycle(Guid gridId, IReadOnlyCollection<Guid> newParentPath) => newParentPath.Contains(gridId);

    /// <summary>Field-level checks of the plain attributes; returns field → message.</summary>
    public static Dictionary<string, string[]> CheckAttributes(string? code, string? name, string? levelName, string? hierarchy, int? households, int? population)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(code) || code.Length > MaxCodeLength || code.Any(char.IsWhiteSpace))
        {
            errors["code"] = [$"A code of 1–{MaxCodeLength} characters without spaces is required."];
        }

        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength)
        {
            errors["name"] = [$"A name of 1–{MaxNameLength} characters is required."];
        }

        if (string.IsNullOrWhiteSpace(levelName) || levelName.Length > 50)
        {
            errors["levelName"] = ["A level name (e.g. 大网格, 中网格, 小网格) is required."];
        }

        if (hierarchy is null || !Hierarchies.IsKnown(hierarchy))
        {
            errors["hierarchy"] = ["One of fire, environment, labor, drugs, cadre, comprehensive."];
        }

        if (households is < 0)
        {
            errors["households"] = ["Must not be negative."];
        }

        if (population is < 0)
        {
            errors["population"] = ["Must not be negative."];
        }

        return errors;
    }
}
