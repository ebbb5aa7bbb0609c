using System.Security.Claims;
using System.Text.Json;
using Dapper;
using Grid.EnvironmentMonitoring.Domain;
using Grid.EnvironmentMonitoring.Infrastructure;
using Npgsql;

namespace Grid.EnvironmentMonitoring.Apis;

/// <summary>三同时: construction projects and the stages of their pollution controls (designed, built and put into use together).</summary>
public static class ProjectsApi
{
    public static RouteGroupBuilder MapProjectsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/projects", CreateProject).WithName("CreateProject");
        api.MapGet("/projects", ListProjects).WithName("ListProjects");
        api.MapPost("/projects/{id:guid}/stages", AdvanceProject).WithName("AdvanceProjectStage");
        return api;
    }

    public sealed record ProjectRequest(string? Name, Guid? SourceId, string? GridId);

    public sealed record StageRequest(string? Stage, DateTimeOffset? At, string? Note);

    public sealed record ProjectView(Guid Id, string Name, Guid? SourceId, string GridId, string[] GridPath, string Stage, JsonElement Stages);

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

        var (outside, gridPath) = await Access.GridAsync(user, EnvironmentRoles.Registrars, r.GridId, grids, ct);
        if (outside is not null)
        {
            return outside;
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        if (r.SourceId is { } sid && await SourceQueries.LoadSourceAsync(conn, sid, ct) is null)
        {
            return Access.Invalid("sourceId", $"no source {sid}");
        }

        var id = Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        var stages = JsonSerializer.Serialize(new[] { new { stage = ProjectStages.Approved, at = now, by = Access.Subject(user), note = (string?)null } }, SourceQueries.Json);
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

        if (!KeysetPage.TryParse(cursor, limit, out var page, out var afterId, out var bad))
        {
            return bad;
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

        var step = JsonSerializer.Serialize(new[] { new { stage = r.Stage, at = r.At ?? clock.GetUtcNow(), by = Access.Subject(user), note = r.Note } }, SourceQueries.Json);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE environment.projects SET stage = @Stage, stages = stages || @step::jsonb WHERE id = @id",
            new { id, r.Stage, step }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return TypedResults.Ok((await LoadProjectsAsync(conn, "WHERE id = @id", new { id }, ct)).Single());
    }

    private static async Task<List<ProjectView>> LoadProjectsAsync(NpgsqlConnection conn, string where, object? args, CancellationToken ct, int? limit = null) =>
        (await conn.QueryAsync<(Guid, string, Guid?, string, string[], string, string)>(new CommandDefinition(
            $"SELECT id, name, source_id, grid_id, grid_path, stage, stages::text FROM environment.projects {where} ORDER BY id {SourceQueries.Limit(limit)}", args, cancellationToken: ct)))
        .Select(p => new ProjectView(p.Item1, p.Item2, p.Item3, p.Item4, p.Item5, p.Item6, JsonDocument.Parse(p.Item7).RootElement.Clone()))
        .ToList();
}
