using System.Text.Json;
using System.Text.Json.Nodes;
using Grid.CommandCenter.Domain;
using Grid.CommandCenter.Infrastructure;
using Grid.Contracts.Events;
using Microsoft.AspNetCore.Http.HttpResults;
using static Grid.CommandCenter.Apis.ApiHelpers;

namespace Grid.CommandCenter.Apis;

/// <summary>网格地图: child grids of a grid as GeoJSON with open and overdue counts, and the import of boundaries.</summary>
public static class MapApi
{
    public static void MapMapApi(this RouteGroupBuilder api)
    {
        api.MapGet("/map", MapAsync)
            .WithSummary("GeoJSON of the children of parent (or your top grids) in a hierarchy (fire, environment, labor, drugs, cadre, comprehensive) with names and open/overdue counts");
        api.MapPut("/map/grids", ImportAsync).WithSummary("Stores grid boundaries (GeoJSON FeatureCollection; properties id, parentId, name, level). Role admin.");
    }

    static async Task<Results<ContentHttpResult, ValidationProblem>> MapAsync(HttpContext http, GridMap map, CommandQueries queries, string? parent, string? hierarchy,
        CancellationToken ct)
    {
        if (BadId(parent))
        {
            return Invalid("parent", "must be a grid id of 1 to 100 characters");
        }

        if (hierarchy is not null && !Domains.All.Contains(hierarchy))
        {
            return Invalid("hierarchy", $"must be one of {string.Join(", ", Domains.All)}");
        }

        var result = await map.ChildrenAsync(parent, hierarchy, UserScope.Of(http.User), Bearer(http), queries, ct);
        return TypedResults.Content(result.ToJsonString(), "application/geo+json");
    }

    static async Task<Results<Ok<int>, ValidationProblem, ProblemHttpResult>> ImportAsync(HttpContext http, GridMap map, CancellationToken ct)
    {
        if (!http.User.HoldsRole(CommandRoles.Admin))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only an administrator may store grid boundaries");
        }

        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: ct);
        }
        catch (JsonException ex)
        {
            return Invalid("body", $"is not JSON: {ex.Message}");
        }

        if (node is not JsonObject o || o["type"]?.GetValueKind() != JsonValueKind.String || o["type"]!.GetValue<string>() != "FeatureCollection"
            || o["features"] is not JsonArray)
        {
            return Invalid("type", "must be a GeoJSON FeatureCollection with features");
        }

        try
        {
            return TypedResults.Ok(await map.ImportAsync(o, ct));
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            return Invalid(ex is ArgumentException a && a.Message.StartsWith("features", StringComparison.Ordinal) ? a.Message : "features",
                "each feature needs properties.id (string), name, level (number), optional parentId, and a geometry");
        }
    }
}
