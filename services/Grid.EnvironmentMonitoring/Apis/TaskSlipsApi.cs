using System.Security.Claims;
using System.Text.Json;
using Dapper;
using Grid.EnvironmentMonitoring.Domain;
using Grid.EnvironmentMonitoring.Infrastructure;
using Npgsql;

namespace Grid.EnvironmentMonitoring.Apis;

/// <summary>交办单: task slips (complaints, assignments, disputes) issued to a grid, stepped to done, and followed up as cases when they find a problem.</summary>
public static class TaskSlipsApi
{
    public static RouteGroupBuilder MapTaskSlipsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/task-slips", IssueSlip).WithName("IssueTaskSlip");
        api.MapGet("/task-slips", ListSlips).WithName("ListTaskSlips");
        api.MapPost("/task-slips/{id:guid}/steps", StepSlip).WithName("StepTaskSlip");
        return api;
    }

    public sealed record SlipRequest(string? Kind, string? GridId, Guid? SourceId, string? Title, string? Description, DateTimeOffset? DueAt);

    public sealed record SlipStepRequest(string? Step, string? Note);

    public sealed record SlipView(Guid Id, string Kind, string GridId, string[] GridPath, Guid? SourceId, string Title, string? Description,
        string IssuedBy, DateTimeOffset IssuedAt, DateTimeOffset DueAt, string Status, JsonElement Steps, Guid? CaseId);

    internal static async Task<IResult> IssueSlip(SlipRequest r, ClaimsPrincipal user, GridPaths grids, NpgsqlDataSource db, CaseFollowUp followUp, TimeProvider clock, CancellationToken ct)
    {
        if ((Access.Require(user, EnvironmentRoles.Registrars)) is { } refused)
        {
            return refused;
        }

        if (r.Kind is null || !TaskSlipKinds.All.Contains(r.Kind))
        {
            return Access.Invalid("kind", string.Join(", ", TaskSlipKinds.All));
        }

        if (string.IsNullOrWhiteSpace(r.Title))
        {
            return Access.Invalid("title", "required");
        }

        var now = clock.GetUtcNow();
        if (r.DueAt is null || r.DueAt <= now)
        {
            return Access.Invalid("dueAt", "required, in the future (在规定时限内)");
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
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO environment.task_slips (id, kind, grid_id, grid_path, source_id, title, description, issued_by, issued_at, due_at, status, steps)
            VALUES (@id, @Kind, @GridId, @GridPath, @SourceId, @Title, @Description, @by, @now, @due, @status, '[]'::jsonb)
            """, new { id, r.Kind, r.GridId, GridPath = gridPath, r.SourceId, r.Title, r.Description, by = Access.Subject(user), now = now.UtcDateTime, due = r.DueAt.Value.UtcDateTime, status = TaskSlipFlow.Issued }, cancellationToken: ct));
        await followUp.SweepAsync(ct);
        return TypedResults.Created($"/api/environment/v1/task-slips/{id}", (await LoadSlipsAsync(conn, "WHERE id = @id", new { id }, ct)).Single());
    }

    internal static async Task<IResult> ListSlips(string? grid, string? status, string? cursor, int? limit, HttpContext http, NpgsqlDataSource db, CancellationToken ct)
    {
        if (Access.Require(http.User, EnvironmentRoles.Readers) is { } denied)
        {
            return denied;
        }

        if (!KeysetPage.TryParse(cursor, limit, out var page, out var afterAt, out var afterId, out var bad))
        {
            return bad;
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await LoadSlipsAsync(conn, """
            WHERE (@grid::text IS NULL OR @grid = ANY(grid_path)) AND (@status::text IS NULL OR status = @status)
              AND (@scopes::text[] IS NULL OR grid_path && @scopes) AND (@afterId::uuid IS NULL OR (issued_at, id) > (@afterAt, @afterId))
            """, new { grid, status, scopes = Access.ScopeFilter(http.User), afterAt, afterId }, ct, page.Limit + 1);
        return page.Ok(http, rows, s => (KeysetPage.Key(s.IssuedAt), s.Id.ToString()));
    }

    internal static async Task<IResult> StepSlip(Guid id, SlipStepRequest r, ClaimsPrincipal user, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        if (Access.Require(user, EnvironmentRoles.FieldStaff) is { } denied)
        {
            return denied;
        }

        if (string.IsNullOrWhiteSpace(r.Step))
        {
            return Access.Invalid("step", "required: accepted, refused, mediated, replied or checked");
        }

        if (r.Step == TaskSlipFlow.Refused && string.IsNullOrWhiteSpace(r.Note))
        {
            return Access.Invalid("note", "a refusal needs a reason");
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var slip = await conn.QuerySingleOrDefaultAsync<(string Kind, string Status, string[] GridPath)>(new CommandDefinition(
            "SELECT kind, status, grid_path FROM environment.task_slips WHERE id = @id FOR UPDATE", new { id }, tx, cancellationToken: ct));
        if (slip.Kind is null)
        {
            return Access.NotFound($"No task slip {id}.");
        }

        if (Access.RequireGrid(user, EnvironmentRoles.FieldStaff, slip.GridPath) is { } outside)
        {
            return outside;
        }

        if (TaskSlipFlow.CheckMove(slip.Kind, slip.Status, r.Step) is { } why)
        {
            return TypedResults.Problem(title: "Step not allowed", detail: why, statusCode: StatusCodes.Status409Conflict,
                extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["step"] = [why] } });
        }

        var step = JsonSerializer.Serialize(new[] { new { step = r.Step, at = clock.GetUtcNow(), by = Access.Subject(user), note = r.Note } }, SourceQueries.Json);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE environment.task_slips SET status = @Step, steps = steps || @step::jsonb WHERE id = @id", new { id, r.Step, step }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return TypedResults.Ok((await LoadSlipsAsync(conn, "WHERE id = @id", new { id }, ct)).Single());
    }

    internal static async Task<List<SlipView>> LoadSlipsAsync(NpgsqlConnection conn, string where, object args, CancellationToken ct, int? limit = null) =>
        (await conn.QueryAsync<(Guid, string, string, string[], Guid?, string, string?, string, DateTime, DateTime, string, string, Guid?)>(new CommandDefinition($"""
            SELECT id, kind, grid_id, grid_path, source_id, title, description, issued_by, issued_at, due_at, status, steps::text, case_id
            FROM environment.task_slips {where} ORDER BY issued_at, id {SourceQueries.Limit(limit)}
            """, args, cancellationToken: ct)))
        .Select(s => new SlipView(s.Item1, s.Item2, s.Item3, s.Item4, s.Item5, s.Item6, s.Item7, s.Item8, SourceQueries.Utc(s.Item9), SourceQueries.Utc(s.Item10),
            s.Item11, JsonDocument.Parse(s.Item12).RootElement.Clone(), s.Item13))
        .ToList();
}
