using System.Security.Claims;
using System.Text.Json;
using Dapper;
using Grid.EnvironmentMonitoring.Domain;
using Grid.EnvironmentMonitoring.Infrastructure;
using Npgsql;

namespace Grid.EnvironmentMonitoring.Apis;

/// <summary>一企一档: pollution sources, their discharge points and limits, monitoring stations; water zones; projects (三同时).</summary>
public static class SourcesApi
{
    public sealed record SourceRequest(string? Name, string? CreditCode, string? Class, string? Industry, string? GridId,
        string? Address, double? Longitude, double? Latitude, Permit[]? Permits, ResponsiblePerson[]? Responsible);

    public sealed record LimitRequest(string? Pollutant, LimitKind? Kind, double? Limit, int? WindowMinutes, int? ConsecutiveCount);

    public sealed record DischargePointRequest(string? Code, string? Name, string? Medium, LimitRequest[]? Limits);

    public sealed record StationRequest(string? Id, string? Name, Guid? DischargePointId, string[]? Pollutants, int? SilentAfterMinutes);

    public sealed record StationView(string Id, string Name, Guid SourceId, Guid DischargePointId, string GridId, string[] GridPath, string[] Pollutants, int? SilentAfterMinutes, DateTimeOffset? LastReadingAt);

    public sealed record EpisodeView(Guid Id, string StationId, string Pollutant, Guid RuleId, DateTimeOffset StartedAt, DateTimeOffset LastBreachAt, DateTimeOffset? EndedAt, double PeakValue, Guid? CaseId);

    public sealed record SourceFile(PollutionSource Source, IReadOnlyList<DischargePoint> DischargePoints, IReadOnlyList<StationView> Stations, IReadOnlyList<object> Cases);

    public sealed record WaterZoneRequest(string? Name, string? Level, string? WaterBody, string? GridId, JsonElement? Boundary);

    public sealed record ProjectRequest(string? Name, Guid? SourceId, string? GridId);

    public sealed record StageRequest(string? Stage, DateTimeOffset? At, string? Note);

    public sealed record ProjectView(Guid Id, string Name, Guid? SourceId, string GridId, string[] GridPath, string Stage, JsonElement Stages);

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static RouteGroupBuilder MapSourcesApi(this RouteGroupBuilder api)
    {
        api.MapPost("/sources", CreateSource).WithName("CreateSource");
        api.MapGet("/sources", ListSources).WithName("ListSources");
        api.MapGet("/sources/{id:guid}", GetSource).WithName("GetSource");
        api.MapPut("/sources/{id:guid}", UpdateSource).WithName("UpdateSource");
        api.MapPost("/sources/{id:guid}/discharge-points", AddDischargePoint).WithName("AddDischargePoint");
        api.MapPost("/stations", RegisterStation).WithName("RegisterStation");
        api.MapGet("/stations", ListStations).WithName("ListStations");
        api.MapGet("/stations/{id}/episodes", ListEpisodes).WithName("ListStationEpisodes");
        api.MapPost("/water-zones", CreateWaterZone).WithName("CreateWaterZone");
        api.MapGet("/water-zones", ListWaterZones).WithName("ListWaterZones");
        api.MapPost("/projects", CreateProject).WithName("CreateProject");
        api.MapGet("/projects", ListProjects).WithName("ListProjects");
        api.MapPost("/projects/{id:guid}/stages", AdvanceProject).WithName("AdvanceProjectStage");
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

        if (await grids.PathAsync(r.GridId, ct) is not { } gridPath)
        {
            return (Access.Invalid("gridId", $"unknown grid '{r.GridId}'"), []);
        }

        return (Access.RequireGrid(user, EnvironmentRoles.Registrars, gridPath), gridPath);
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
        permits = JsonSerializer.Serialize(r.Permits ?? [], Json),
        responsible = JsonSerializer.Serialize(r.Responsible ?? [], Json),
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
        return TypedResults.Created($"/api/environment/v1/sources/{id}", await LoadSourceAsync(conn, id, ct));
    }

    internal static async Task<IResult> UpdateSource(Guid id, SourceRequest r, ClaimsPrincipal user, GridPaths grids, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        var (refused, gridPath) = await AcceptSourceAsync(r, user, grids, ct);
        if (refused is not null)
        {
            return refused;
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        if (await LoadSourceAsync(conn, id, ct) is not { } existing)
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
        return TypedResults.Ok(await LoadSourceAsync(conn, id, ct));
    }

    internal static async Task<IResult> ListSources(string? grid, string? cursor, int? limit, HttpContext http, NpgsqlDataSource db, CancellationToken ct)
    {
        if (Access.Require(http.User, EnvironmentRoles.Readers) is { } denied)
        {
            return denied;
        }

        if (!KeysetPage.TryParse(cursor, limit, out var page, out var bad))
        {
            return bad!;
        }

        if (!page.TryAfterId(out var afterId))
        {
            return KeysetPage.BadCursor();
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await LoadSourcesAsync(conn, """
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
        if (await LoadSourceAsync(conn, id, ct) is not { } source)
        {
            return Access.NotFound($"No source {id}.");
        }

        if (Access.RequireGrid(user, EnvironmentRoles.Readers, source.GridPath) is { } outside)
        {
            return outside;
        }

        var points = await LoadDischargePointsAsync(conn, id, ct);
        var stations = await LoadStationsAsync(conn, "WHERE source_id = @id", new { id }, ct);
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
        if (await LoadSourceAsync(conn, id, ct) is not { } source)
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
        var point = (await LoadDischargePointsAsync(conn, id, ct)).Single(p => p.Id == pointId);
        return TypedResults.Created($"/api/environment/v1/sources/{id}", point);
    }

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

        return TypedResults.Created($"/api/environment/v1/stations/{r.Id}", (await LoadStationsAsync(conn, "WHERE id = @id", new { id = r.Id }, ct)).Single());
    }

    internal static async Task<IResult> ListStations(string? cursor, int? limit, HttpContext http, NpgsqlDataSource db, CancellationToken ct)
    {
        if (Access.Require(http.User, EnvironmentRoles.Readers) is { } denied)
        {
            return denied;
        }

        if (!KeysetPage.TryParse(cursor, limit, out var page, out var bad))
        {
            return bad!;
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await LoadStationsAsync(conn, "WHERE (@scopes::text[] IS NULL OR grid_path && @scopes) AND (@afterId::text IS NULL OR id > @afterId)",
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
        var station = (await LoadStationsAsync(conn, "WHERE id = @id", new { id }, ct)).SingleOrDefault();
        if (station is null)
        {
            return Access.NotFound($"No station '{id}'.");
        }

        if (Access.RequireGrid(user, EnvironmentRoles.Readers, station.GridPath) is { } outside)
        {
            return outside;
        }

        return TypedResults.Ok(await LoadEpisodesAsync(conn, id, ct));
    }

    internal static async Task<List<EpisodeView>> LoadEpisodesAsync(NpgsqlConnection conn, string stationId, CancellationToken ct) =>
        (await conn.QueryAsync<(Guid, string, string, Guid, DateTime, DateTime, DateTime?, double, Guid?)>(new CommandDefinition("""
            SELECT id, station_id, pollutant, rule_id, started_at, last_breach_at, ended_at, peak_value, case_id
            FROM environment.exceedance_episodes WHERE station_id = @stationId ORDER BY started_at
            """, new { stationId }, cancellationToken: ct)))
        .Select(e => new EpisodeView(e.Item1, e.Item2, e.Item3, e.Item4, Utc(e.Item5), Utc(e.Item6), e.Item7 is { } x ? Utc(x) : null, e.Item8, e.Item9))
        .ToList();

    /// <summary>A LIMIT clause for a page read (an integer, never caller text), or nothing.</summary>
    internal static string Limit(int? limit) => limit is { } n ? $"LIMIT {n}" : "";

    internal static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));

    private sealed class SourceRow
    {
        public Guid Id { get; init; }
        public string Name { get; init; } = default!;
        public string? CreditCode { get; init; }
        public string Class { get; init; } = default!;
        public string? Industry { get; init; }
        public string GridId { get; init; } = default!;
        public string[] GridPath { get; init; } = default!;
        public string? Address { get; init; }
        public double? Longitude { get; init; }
        public double? Latitude { get; init; }
        public string Permits { get; init; } = default!;
        public string Responsible { get; init; } = default!;
        public DateTime CreatedAt { get; init; }
        public DateTime UpdatedAt { get; init; }
    }

    internal static async Task<List<PollutionSource>> LoadSourcesAsync(NpgsqlConnection conn, string where, object? args, CancellationToken ct, int? limit = null) =>
        (await conn.QueryAsync<SourceRow>(new CommandDefinition($"""
            SELECT id AS Id, name AS Name, credit_code AS CreditCode, class AS Class, industry AS Industry, grid_id AS GridId, grid_path AS GridPath,
                   address AS Address, longitude AS Longitude, latitude AS Latitude, permits::text AS Permits, responsible::text AS Responsible,
                   created_at AS CreatedAt, updated_at AS UpdatedAt
            FROM environment.sources {where} ORDER BY name, id {Limit(limit)}
            """, args, cancellationToken: ct)))
        .Select(s => new PollutionSource
        {
            Id = s.Id,
            Name = s.Name,
            CreditCode = s.CreditCode,
            Class = s.Class,
            Industry = s.Industry,
            GridId = s.GridId,
            GridPath = s.GridPath,
            Address = s.Address,
            Longitude = s.Longitude,
            Latitude = s.Latitude,
            Permits = JsonSerializer.Deserialize<List<Permit>>(s.Permits, Json) ?? [],
            Responsible = JsonSerializer.Deserialize<List<ResponsiblePerson>>(s.Responsible, Json) ?? [],
            CreatedAt = Utc(s.CreatedAt),
            UpdatedAt = Utc(s.UpdatedAt),
        }).ToList();

    internal static async Task<PollutionSource?> LoadSourceAsync(NpgsqlConnection conn, Guid id, CancellationToken ct) =>
        (await LoadSourcesAsync(conn, "WHERE id = @id", new { id }, ct)).SingleOrDefault();

    private static async Task<List<DischargePoint>> LoadDischargePointsAsync(NpgsqlConnection conn, Guid sourceId, CancellationToken ct)
    {
        var points = await conn.QueryAsync<(Guid Id, string Code, string Name, string Medium)>(new CommandDefinition(
            "SELECT id, code, name, medium FROM environment.discharge_points WHERE source_id = @sourceId ORDER BY code", new { sourceId }, cancellationToken: ct));
        var rules = (await conn.QueryAsync<(Guid Id, Guid PointId, string Pollutant, string Kind, double Limit, int? Window, int? Count)>(new CommandDefinition("""
            SELECT r.id, r.discharge_point_id, r.pollutant, r.kind, r.limit_value, r.window_minutes, r.consecutive_count
            FROM environment.limit_rules r JOIN environment.discharge_points d ON d.id = r.discharge_point_id WHERE d.source_id = @sourceId
            """, new { sourceId }, cancellationToken: ct)))
            .Select(r => new LimitRule
            {
                Id = r.Id,
                DischargePointId = r.PointId,
                Pollutant = r.Pollutant,
                Kind = Enum.Parse<LimitKind>(r.Kind),
                Limit = r.Limit,
                WindowMinutes = r.Window,
                ConsecutiveCount = r.Count,
            }).ToList();
        return points.Select(p => new DischargePoint(p.Id, sourceId, p.Code, p.Name, p.Medium, rules.Where(r => r.DischargePointId == p.Id).ToList())).ToList();
    }

    internal static async Task<List<StationView>> LoadStationsAsync(NpgsqlConnection conn, string where, object? args, CancellationToken ct, int? limit = null) =>
        (await conn.QueryAsync<(string, string, Guid, Guid, string, string[], string[], int?, DateTime?)>(new CommandDefinition($"""
            SELECT id, name, source_id, discharge_point_id, grid_id, grid_path, pollutants, silent_after_minutes, last_reading_at
            FROM environment.stations {where} ORDER BY id {Limit(limit)}
            """, args, cancellationToken: ct)))
        .Select(s => new StationView(s.Item1, s.Item2, s.Item3, s.Item4, s.Item5, s.Item6, s.Item7, s.Item8, s.Item9 is { } t ? Utc(t) : null))
        .ToList();

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

        if (await grids.PathAsync(r.GridId, ct) is not { } gridPath)
        {
            return Access.Invalid("gridId", $"unknown grid '{r.GridId}'");
        }

        if (Access.RequireGrid(user, EnvironmentRoles.Registrars, gridPath) is { } outside)
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

        if (!KeysetPage.TryParse(cursor, limit, out var page, out var bad))
        {
            return bad!;
        }

        if (!page.TryAfterId(out var afterId))
        {
            return KeysetPage.BadCursor();
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        var zones = await conn.QueryAsync<(Guid, string, string, string?, string, string[], string?)>(new CommandDefinition($"""
            SELECT id, name, level, water_body, grid_id, grid_path, boundary::text FROM environment.water_zones
            WHERE (@scopes::text[] IS NULL OR grid_path && @scopes) AND (@afterId::uuid IS NULL OR (name, id) > (@afterName, @afterId))
            ORDER BY name, id {Limit(page.Limit + 1)}
            """, new { scopes = Access.ScopeFilter(http.User), afterName = page.AfterKey, afterId }, cancellationToken: ct));
        return page.Ok(http, zones.Select(z => new WaterZone(z.Item1, z.Item2, z.Item3, z.Item4, z.Item5, z.Item6, z.Item7)).ToList(), z => (z.Name, z.Id.ToString()));
    }

    internal static async Task<IResult> CreateProject(ProjectRequest r, ClaimsPrincipal user, GridPaths grids, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        if ((Access.Require(user, EnvironmentRoles.Registrars)) is { } refused)
        {
            return refused;
        }

        if (string.IsNullOrWhiteSpace(r.Name))
        {
            return Access.Invalid("name", "required");
        }

        if (await grids.PathAsync(r.GridId, ct) is not { } gridPath)
        {
            return Access.Invalid("gridId", $"unknown grid '{r.GridId}'");
        }

        if (Access.RequireGrid(user, EnvironmentRoles.Registrars, gridPath) is { } outside)
        {
            return outside;
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        if (r.SourceId is { } sid && await LoadSourceAsync(conn, sid, ct) is null)
        {
            return Access.Invalid("sourceId", $"no source {sid}");
        }

        var id = Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        var stages = JsonSerializer.Serialize(new[] { new { stage = ProjectStages.Approved, at = now, by = Access.Subject(user), note = (string?)null } }, Json);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO environment.projects (id, name, source_id, grid_id, grid_path, stage, stages, created_at)
            VALUES (@id, @Name, @SourceId, @GridId, @GridPath, @stage, @stages::jsonb, @now)
            """, new { id, r.Name, r.SourceId, r.GridId, GridPath = gridPath, stage = ProjectStages.Approved, stages, now = now.UtcDateTime }, cancellationToken: ct));
        return TypedResults.Created($"/api/environment/v1/projects/{id}", (await LoadProjectsAsync(conn, "WHERE id = @id", new { id }, ct)).Single());
    }

    internal static async Task<IResult> ListProjects(string? cursor, int? limit, HttpContext http, NpgsqlDataSource db, CancellationToken ct)
    {
        if (Access.Require(http.User, EnvironmentRoles.Readers) is { } denied)
        {
            return denied;
        }

        if (!KeysetPage.TryParse(cursor, limit, out var page, out var bad))
        {
            return bad!;
        }

        if (!page.TryAfterId(out var afterId))
        {
            return KeysetPage.BadCursor();
        }

        // Ids are time-ordered (UUIDv7): by id is in the order projects were registered.
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await LoadProjectsAsync(conn, "WHERE (@scopes::text[] IS NULL OR grid_path && @scopes) AND (@afterId::uuid IS NULL OR id > @afterId)",
            new { scopes = Access.ScopeFilter(http.User), afterId }, ct, page.Limit + 1);
        return page.Ok(http, rows, p => ("", p.Id.ToString()));
    }

    internal static async Task<IResult> AdvanceProject(Guid id, StageRequest r, ClaimsPrincipal user, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        if (Access.Require(user, EnvironmentRoles.Registrars) is { } denied)
        {
            return denied;
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var current = await conn.QuerySingleOrDefaultAsync<(string Stage, string[] GridPath)>(new CommandDefinition(
            "SELECT stage, grid_path FROM environment.projects WHERE id = @id FOR UPDATE", new { id }, tx, cancellationToken: ct));
        if (current.Stage is null)
        {
            return Access.NotFound($"No project {id}.");
        }

        if (Access.RequireGrid(user, EnvironmentRoles.Registrars, current.GridPath) is { } outside)
        {
            return outside;
        }

        if (ProjectStages.CheckMove(current.Stage, r.Stage ?? "") is { } why)
        {
            return Access.Invalid("stage", why);
        }

        var step = JsonSerializer.Serialize(new[] { new { stage = r.Stage, at = r.At ?? clock.GetUtcNow(), by = Access.Subject(user), note = r.Note } }, Json);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE environment.projects SET stage = @Stage, stages = stages || @step::jsonb WHERE id = @id",
            new { id, r.Stage, step }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return TypedResults.Ok((await LoadProjectsAsync(conn, "WHERE id = @id", new { id }, ct)).Single());
    }

    private static async Task<List<ProjectView>> LoadProjectsAsync(NpgsqlConnection conn, string where, object? args, CancellationToken ct, int? limit = null) =>
        (await conn.QueryAsync<(Guid, string, Guid?, string, string[], string, string)>(new CommandDefinition(
            $"SELECT id, name, source_id, grid_id, grid_path, stage, stages::text FROM environment.projects {where} ORDER BY id {Limit(limit)}", args, cancellationToken: ct)))
        .Select(p => new ProjectView(p.Item1, p.Item2, p.Item3, p.Item4, p.Item5, p.Item6, JsonDocument.Parse(p.Item7).RootElement.Clone()))
        .ToList();
}
