using System.Security.Claims;
using System.Text.Json;
using Dapper;
using Grid.EnvironmentMonitoring.Domain;
using Grid.EnvironmentMonitoring.Infrastructure;
using Npgsql;

namespace Grid.EnvironmentMonitoring.Apis;

/// <summary>一企一档: pollution sources, their permits, responsible people, discharge points and limits.</summary>
public static class SourcesApi
{
    public sealed record SourceRequest(string? Name, string? CreditCode, string? Class, string? Industry, string? GridId,
        string? Address, double? Longitude, double? Latitude, Permit[]? Permits, ResponsiblePerson[]? Responsible);

    public sealed record LimitRequest(string? Pollutant, LimitKind? Kind, double? Limit, int? WindowMinutes, int? ConsecutiveCount);

    public sealed record DischargePointRequest(string? Code, string? Name, string? Medium, LimitRequest[]? Limits);

    public sealed record SourceFile(PollutionSource Source, IReadOnlyList<DischargePoint> DischargePoints, IReadOnlyList<StationView> Stations, IReadOnlyList<object> Cases);

    public static RouteGroupBuilder MapSourcesApi(this RouteGroupBuilder api)
    {
        api.MapPost("/sources", CreateSource).WithName("CreateSource");
        api.MapGet("/sources", ListSources).WithName("ListSources");
        api.MapGet("/sources/{id:guid}", GetSource).WithName("GetSource");
        api.MapPut("/sources/{id:guid}", UpdateSource).WithName("UpdateSource");
        api.MapPost("/sources/{id:guid}/discharge-points", AddDischargePoint).WithName("AddDischargePoint");
        return api;
    }

    private static IResult? CheckSource(SourceRequest r)
    {
        if (string.IsNullOrWhiteSpace(r.Name))
        {
            return Access.Invalid("name", "required");
        }

        if (r.Class is null || !SourceClasses.All.Contains(r.Class))
        {
            return Access.Invalid("class", $"one of {string.Join(", ", SourceClasses.All)}");
        }

        if (r.Permits?.Select((p, i) => (p, i)).FirstOrDefault(x => string.IsNullOrWhiteSpace(x.p.Number) || x.p.ValidTo < x.p.ValidFrom) is { p: not null } bad)
        {
            return Access.Invalid($"permits[{bad.i}]", "a permit needs a number and validTo ≥ validFrom");
        }

        if (r.Responsible?.Select((p, i) => (p, i)).FirstOrDefault(x => string.IsNullOrWhiteSpace(x.p.Name)) is { p: not null } nobody)
        {
            return Access.Invalid($"responsible[{nobody.i}].name", "required");
        }

        return string.IsNullOrWhiteSpace(r.GridId) ? Access.Invalid("gridId", "required") : null;
    }

    /// <summary>What creating and updating a source both check: the role, the body, the grid and the caller's scope.</summary>
    private static async Task<(IResult? Refused, string[] GridPath)> AcceptSourceAsync(SourceRequest r, ClaimsPrincipal user, GridPaths grids, CancellationToken ct)
    {
        if ((Access.Require(user, EnvironmentRoles.Registrars) ?? CheckSource(r)) is { } refused)
        {
            return (refused, []);
        }

        return await Access.GridAsync(user, EnvironmentRoles.Registrars, r.GridId, grids, ct);
    }

    /// <summary>The parameters of a source row, shared by INSERT and UPDATE.</summary>
    private static object SourceParameters(Guid id, SourceRequest r, string[] gridPath, DateTime now) => new
    {
        id,
        r.Name,
        r.CreditCode,
        r.Class,
        r.Industry,
        r.GridId,
        GridPath = gridPath,
        r.Address,
        r.Longitude,
        r.Latitude,
        permits = JsonSerializer.Serialize(r.Permits ?? [], SourceQueries.Json),
        responsible = JsonSerializer.Serialize(r.Responsible ?? [], SourceQueries.Json),
        now,
    };

    internal static async Task<IResult> CreateSource(SourceRequest r, ClaimsPrincipal user, GridPaths grids, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        var (refused, gridPath) = await AcceptSourceAsync(r, user, grids, ct);
        if (refused is not null)
        {
            return refused;
        }

        var id = Guid.CreateVersion7();
        var now = clock.GetUtcNow().UtcDateTime;
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO environment.sources (id, name, credit_code, class, industry, grid_id, grid_path, address, longitude, latitude, permits, responsible, created_at, updated_at)
            VALUES (@id, @Name, @CreditCode, @Class, @Industry, @GridId, @GridPath, @Address, @Longitude, @Latitude, @permits::jsonb, @responsible::jsonb, @now, @now)
            """, SourceParameters(id, r, gridPath, now), cancellationToken: ct));
        return TypedResults.Created($"/api/environment/v1/sources/{id}", await SourceQueries.LoadSourceAsync(conn, id, ct));
    }

    internal static async Task<IResult> UpdateSource(Guid id, SourceRequest r, ClaimsPrincipal user, GridPaths grids, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        var (refused, gridPath) = await AcceptSourceAsync(r, user, grids, ct);
        if (refused is not null)
        {
            return refused;
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        if (await SourceQueries.LoadSourceAsync(conn, id, ct) is not { } existing)
        {
            return Access.NotFound($"No source {id}.");
        }

        if (Access.RequireGrid(user, EnvironmentRoles.Registrars, existing.GridPath) is { } outside)
        {
            return outside;
        }

        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE environment.sources SET name = @Name, credit_code = @CreditCode, class = @Class, industry = @Industry, grid_id = @GridId,
                grid_path = @GridPath, address = @Address, longitude = @Longitude, latitude = @Latitude,
                permits = @permits::jsonb, responsible = @responsible::jsonb, updated_at = @now
            WHERE id = @id
            """, SourceParameters(id, r, gridPath, clock.GetUtcNow().UtcDateTime), cancellationToken: ct));
        return TypedResults.Ok(await SourceQueries.LoadSourceAsync(conn, id, ct));
    }

    internal static async Task<IResult> ListSources(string? grid, string? cursor, int? limit, HttpContext http, NpgsqlDataSource db, CancellationToken ct)
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
        var rows = await SourceQueries.LoadSourcesAsync(conn, """
            WHERE (@grid::text IS NULL OR @grid = ANY(grid_path)) AND (@scopes::text[] IS NULL OR grid_path && @scopes)
              AND (@afterId::uuid IS NULL OR (name, id) > (@afterName, @afterId))
            """, new { grid, scopes = Access.ScopeFilter(http.User), afterName = page.AfterKey, afterId }, ct, page.Limit + 1);
        return page.Ok(http, rows, s => (s.Name, s.Id.ToString()));
    }

    internal static async Task<IResult> GetSource(Guid id, ClaimsPrincipal user, NpgsqlDataSource db, CancellationToken ct)
    {
        if (Access.Require(user, EnvironmentRoles.Readers) is { } denied)
        {
            return denied;
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        if (await SourceQueries.LoadSourceAsync(conn, id, ct) is not { } source)
        {
            return Access.NotFound($"No source {id}.");
        }

        if (Access.RequireGrid(user, EnvironmentRoles.Readers, source.GridPath) is { } outside)
        {
            return outside;
        }

        var points = await SourceQueries.LoadDischargePointsAsync(conn, id, ct);
        var stations = await SourceQueries.LoadStationsAsync(conn, "WHERE source_id = @id", new { id }, ct);
        var cases = (await conn.QueryAsync(new CommandDefinition(
            "SELECT case_id AS \"caseId\", origin, kind, opened_at AS \"openedAt\" FROM environment.source_cases WHERE source_id = @id ORDER BY opened_at",
            new { id }, cancellationToken: ct))).Cast<object>().ToList();
        return TypedResults.Ok(new SourceFile(source, points, stations, cases));
    }

    internal static async Task<IResult> AddDischargePoint(Guid id, DischargePointRequest r, ClaimsPrincipal user, NpgsqlDataSource db, CancellationToken ct)
    {
        if (Access.Require(user, EnvironmentRoles.Registrars) is { } denied)
        {
            return denied;
        }

        if (string.IsNullOrWhiteSpace(r.Code))
        {
            return Access.Invalid("code", "required");
        }

        if (r.Medium is not ("water" or "gas"))
        {
            return Access.Invalid("medium", "water or gas");
        }

        var limits = r.Limits ?? [];
        for (var i = 0; i < limits.Length; i++)
        {
            var l = limits[i];
            if (l.Kind is null)
            {
                return Access.Invalid($"limits[{i}].kind", "Instant, RollingAverage or Consecutive");
            }

            if (LimitRule.Problem(l.Pollutant ?? "", l.Kind.Value, l.Limit ?? double.NaN, l.WindowMinutes, l.ConsecutiveCount) is { } p)
            {
                return Access.Invalid($"limits[{i}].{p.Field}", p.Message);
            }
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        if (await SourceQueries.LoadSourceAsync(conn, id, ct) is not { } source)
        {
            return Access.NotFound($"No source {id}.");
        }

        if (Access.RequireGrid(user, EnvironmentRoles.Registrars, source.GridPath) is { } outside)
        {
            return outside;
        }

        var pointId = Guid.CreateVersion7();
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "INSERT INTO environment.discharge_points (id, source_id, code, name, medium) VALUES (@pointId, @id, @Code, @name, @Medium)",
            new { pointId, id, r.Code, name = r.Name ?? r.Code, r.Medium }, tx, cancellationToken: ct));
        foreach (var l in limits)
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO environment.limit_rules (id, discharge_point_id, pollutant, kind, limit_value, window_minutes, consecutive_count)
                VALUES (@rid, @pointId, @pollutant, @kind, @Limit, @window, @count)
                """, new
            {
                rid = Guid.CreateVersion7(),
                pointId,
                pollutant = Pollutants.Find(l.Pollutant)!.Code,
                kind = l.Kind!.Value.ToString(),
                l.Limit,
                window = l.Kind == LimitKind.RollingAverage ? l.WindowMinutes : null,
                count = l.Kind == LimitKind.Consecutive ? l.ConsecutiveCount : null,
            }, tx, cancellationToken: ct));
        }

        await tx.CommitAsync(ct);
        var point = (await SourceQueries.LoadDischargePointsAsync(conn, id, ct)).Single(p => p.Id == pointId);
        return TypedResults.Created($"/api/environment/v1/sources/{id}", point);
    }
}
