using System.Security.Claims;
using System.Text.Json;
using Dapper;
using Grid.EnvironmentMonitoring.Domain;
using Grid.EnvironmentMonitoring.Infrastructure;
using Npgsql;

namespace Grid.EnvironmentMonitoring.Apis;

/// <summary>水功能区: water zones with their level, water body and boundary.</summary>
public static class WaterZonesApi
{
    public static RouteGroupBuilder MapWaterZonesApi(this RouteGroupBuilder api)
    {
        api.MapPost("/water-zones", CreateWaterZone).WithName("CreateWaterZone");
        api.MapGet("/water-zones", ListWaterZones).WithName("ListWaterZones");
        return api;
    }

    public sealed record WaterZoneRequest(string? Name, string? Level, string? WaterBody, string? GridId, JsonElement? Boundary);

    internal static async Task<IResult> CreateWaterZone(WaterZoneRequest r, ClaimsPrincipal user, GridPaths grids, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        if ((Access.Require(user, EnvironmentRoles.Registrars)) is { } refused)
        {
            return refused;
        }

        if (string.IsNullOrWhiteSpace(r.Name))
        {
            return Access.Invalid("name", "required");
        }

        if (r.Level is not ("first" or "second" or "quasi"))
        {
            return Access.Invalid("level", "first (一级), second (二级) or quasi (准保护区)");
        }

        var (outside, gridPath) = await Access.GridAsync(user, EnvironmentRoles.Registrars, r.GridId, grids, ct);
        if (outside is not null)
        {
            return outside;
        }

        var id = Guid.CreateVersion7();
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO environment.water_zones (id, name, level, water_body, grid_id, grid_path, boundary, created_at)
            VALUES (@id, @Name, @Level, @WaterBody, @GridId, @GridPath, @boundary::jsonb, @now)
            """, new { id, r.Name, r.Level, r.WaterBody, r.GridId, GridPath = gridPath, boundary = r.Boundary?.GetRawText(), now = clock.GetUtcNow().UtcDateTime }, cancellationToken: ct));
        return TypedResults.Created($"/api/environment/v1/water-zones/{id}", new WaterZone(id, r.Name, r.Level, r.WaterBody, r.GridId!, gridPath, r.Boundary?.GetRawText()));
    }

    internal static async Task<IResult> ListWaterZones(string? cursor, int? limit, HttpContext http, NpgsqlDataSource db, CancellationToken ct)
    {
        if (Access.Require(http.User, EnvironmentRoles.Readers) is { } denied)
        {
            return denied;
        }

        if (!KeysetPage.TryParse(cursor, limit, out var page, out var afterId, out var bad))
        {
            return bad;
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        var zones = await conn.QueryAsync<(Guid, string, string, string?, string, string[], string?)>(new CommandDefinition($"""
            SELECT id, name, level, water_body, grid_id, grid_path, boundary::text FROM environment.water_zones
            WHERE (@scopes::text[] IS NULL OR grid_path && @scopes) AND (@afterId::uuid IS NULL OR (name, id) > (@afterName, @afterId))
            ORDER BY name, id {SourceQueries.Limit(page.Limit + 1)}
            """, new { scopes = Access.ScopeFilter(http.User), afterName = page.AfterKey, afterId }, cancellationToken: ct));
        return page.Ok(http, zones.Select(z => new WaterZone(z.Item1, z.Item2, z.Item3, z.Item4, z.Item5, z.Item6, z.Item7)).ToList(), z => (z.Name, z.Id.ToString()));
    }
}
