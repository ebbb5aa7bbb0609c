using System.Security.Claims;
using Dapper;
using Grid.EnvironmentMonitoring.Domain;
using Grid.EnvironmentMonitoring.Infrastructure;
using Npgsql;

namespace Grid.EnvironmentMonitoring.Apis;

/// <summary>监测站点: the stations reading a discharge point's pollutants, and their exceedance episodes (超标过程).</summary>
public static class StationsApi
{
    public static RouteGroupBuilder MapStationsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/stations", RegisterStation).WithName("RegisterStation");
        api.MapGet("/stations", ListStations).WithName("ListStations");
        api.MapGet("/stations/{id}/episodes", ListEpisodes).WithName("ListStationEpisodes");
        return api;
    }

    public sealed record StationRequest(string? Id, string? Name, Guid? DischargePointId, string[]? Pollutants, int? SilentAfterMinutes);

    internal static async Task<IResult> RegisterStation(StationRequest r, ClaimsPrincipal user, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        if (Access.Require(user, EnvironmentRoles.Registrars) is { } denied)
        {
            return denied;
        }

        if (string.IsNullOrWhiteSpace(r.Id) || r.Id.Length > 64)
        {
            return Access.Invalid("id", "required, at most 64 characters");
        }

        if (r.DischargePointId is null)
        {
            return Access.Invalid("dischargePointId", "required");
        }

        if (r.Pollutants?.FirstOrDefault(p => Pollutants.Find(p) is null) is { } unknown)
        {
            return Access.Invalid("pollutants", $"unknown pollutant '{unknown}'");
        }

        if (r.SilentAfterMinutes is < 1)
        {
            return Access.Invalid("silentAfterMinutes", "must be ≥ 1");
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        var owner = await conn.QuerySingleOrDefaultAsync<(Guid SourceId, string GridId, string[] GridPath)>(new CommandDefinition("""
            SELECT s.id, s.grid_id, s.grid_path FROM environment.discharge_points d JOIN environment.sources s ON s.id = d.source_id WHERE d.id = @id
            """, new { id = r.DischargePointId }, cancellationToken: ct));
        if (owner.SourceId == Guid.Empty)
        {
            return Access.Invalid("dischargePointId", $"no discharge point {r.DischargePointId}");
        }

        if (Access.RequireGrid(user, EnvironmentRoles.Registrars, owner.GridPath) is { } outside)
        {
            return outside;
        }

        var added = await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO environment.stations (id, name, source_id, discharge_point_id, grid_id, grid_path, pollutants, silent_after_minutes, created_at)
            VALUES (@Id, @name, @SourceId, @DischargePointId, @GridId, @GridPath, @pollutants, @SilentAfterMinutes, @now)
            ON CONFLICT (id) DO NOTHING
            """, new
        {
            r.Id,
            name = r.Name ?? r.Id,
            owner.SourceId,
            r.DischargePointId,
            owner.GridId,
            owner.GridPath,
            pollutants = (r.Pollutants ?? []).Select(p => Pollutants.Find(p)!.Code).ToArray(),
            r.SilentAfterMinutes,
            now = clock.GetUtcNow().UtcDateTime,
        }, cancellationToken: ct));
        if (added == 0)
        {
            return TypedResults.Problem(title: "Conflict", detail: $"Station '{r.Id}' is already registered.", statusCode: StatusCodes.Status409Conflict);
        }

        return TypedResults.Created($"/api/environment/v1/stations/{r.Id}", (await SourceQueries.LoadStationsAsync(conn, "WHERE id = @id", new { id = r.Id }, ct)).Single());
    }

    internal static async Task<IResult> ListStations(string? cursor, int? limit, HttpContext http, NpgsqlDataSource db, CancellationToken ct)
    {
        if (Access.Require(http.User, EnvironmentRoles.Readers) is { } denied)
        {
            return denied;
        }

        if (!KeysetPage.TryParse(cursor, limit, out var page, out var bad))
        {
            return bad;
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await SourceQueries.LoadStationsAsync(conn, "WHERE (@scopes::text[] IS NULL OR grid_path && @scopes) AND (@afterId::text IS NULL OR id > @afterId)",
            new { scopes = Access.ScopeFilter(http.User), afterId = page.AfterId }, ct, page.Limit + 1);
        return page.Ok(http, rows, s => ("", s.Id));
    }

    internal static async Task<IResult> ListEpisodes(string id, ClaimsPrincipal user, NpgsqlDataSource db, CancellationToken ct)
    {
        if (Access.Require(user, EnvironmentRoles.Readers) is { } denied)
        {
            return denied;
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        var station = (await SourceQueries.LoadStationsAsync(conn, "WHERE id = @id", new { id }, ct)).SingleOrDefault();
        if (station is null)
        {
            return Access.NotFound($"No station '{id}'.");
        }

        if (Access.RequireGrid(user, EnvironmentRoles.Readers, station.GridPath) is { } outside)
        {
            return outside;
        }

        return TypedResults.Ok(await SourceQueries.LoadEpisodesAsync(conn, id, ct));
    }
}
