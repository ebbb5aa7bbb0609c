using System.Security.Claims;
using System.Text.Json;
using Dapper;
using Grid.Contracts.Events;
using Grid.EnvironmentMonitoring.Domain;
using Grid.EnvironmentMonitoring.Infrastructure;
using Grid.Messaging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Grid.EnvironmentMonitoring.Apis;

/// <summary>巡查/现场检查 records, 交办单 (complaints, assignments, disputes), sudden pollution incidents, compliance and criticism triggers.</summary>
public static class FieldworkApi
{
    public sealed record PatrolRequest(string? Kind, string? GridId, string? Person, Guid? SourceId, DateTimeOffset? At,
        string? Findings, bool? ProblemFound, string? Category, string? Severity, string? TransferTo);

    public sealed record PatrolView(Guid Id, string Kind, string GridId, string[] GridPath, string Person, Guid? SourceId, DateTimeOffset At,
        string? Findings, bool ProblemFound, string? TransferTo, DateTimeOffset? TransferredAt, Guid? CaseId);

    public sealed record SlipRequest(string? Kind, string? GridId, Guid? SourceId, string? Title, string? Description, DateTimeOffset? DueAt);

    public sealed record SlipStepRequest(string? Step, string? Note);

    public sealed record SlipView(Guid Id, string Kind, string GridId, string[] GridPath, Guid? SourceId, string Title, string? Description,
        string IssuedBy, DateTimeOffset IssuedAt, DateTimeOffset DueAt, string Status, JsonElement Steps, Guid? CaseId);

    public sealed record IncidentRequest(string? GridId, Guid? SourceId, string? Title, string? Description, string? Severity, DateTimeOffset? OccurredAt);

    public sealed record IncidentView(Guid Id, string GridId, Guid? SourceId, string Title, string Severity, DateTimeOffset OccurredAt, Guid? CaseId);

    public sealed record ComplianceView(string Period, IReadOnlyList<GridCompliance> Grids);

    public sealed record TriggerView(string GridId, string Period, bool Criticise, IReadOnlyList<TriggerResult> Triggers);

    public static RouteGroupBuilder MapFieldworkApi(this RouteGroupBuilder api)
    {
        api.MapPost("/patrols", RecordPatrol).WithName("RecordPatrol");
        api.MapGet("/patrols", ListPatrols).WithName("ListPatrols");
        api.MapPost("/task-slips", IssueSlip).WithName("IssueTaskSlip");
        api.MapGet("/task-slips", ListSlips).WithName("ListTaskSlips");
        api.MapPost("/task-slips/{id:guid}/steps", StepSlip).WithName("StepTaskSlip");
        api.MapPost("/incidents", ReportIncident).WithName("ReportIncident");
        api.MapGet("/compliance", GetCompliance).WithName("GetCompliance");
        api.MapGet("/criticism-triggers", GetTriggers).WithName("GetCriticismTriggers");
        return api;
    }

    internal static async Task<IResult> RecordPatrol(PatrolRequest r, ClaimsPrincipal user, GridPaths grids, NpgsqlDataSource db, CaseFollowUp followUp, TimeProvider clock, CancellationToken ct)
    {
        if ((Access.Require(user, EnvironmentRoles.FieldStaff)) is { } refused)
        {
            return refused;
        }

        if (r.Kind is not (PatrolKinds.Patrol or PatrolKinds.OnSiteCheck))
        {
            return Access.Invalid("kind", $"{PatrolKinds.Patrol} or {PatrolKinds.OnSiteCheck}");
        }

        if (r.Kind == PatrolKinds.OnSiteCheck && r.SourceId is null)
        {
            return Access.Invalid("sourceId", "an on-site check is of one source");
        }

        var now = clock.GetUtcNow();
        if (r.At is { } at && at > now.AddMinutes(5))
        {
            return Access.Invalid("at", "is in the future");
        }

        // Only a department with a case desk can take a transfer (the comprehensive grid has none).
        if (r.TransferTo is { } target && (!CaseworkTopology.CaseDomains.Contains(target) || target == Domains.Environment))
        {
            return Access.Invalid("transferTo", $"another domain: {string.Join(", ", CaseworkTopology.CaseDomains.Where(d => d != Domains.Environment))}");
        }

        if (r.TransferTo is not null && r.ProblemFound != true)
        {
            return Access.Invalid("problemFound", "a transfer needs a problem found");
        }

        if (r.Severity is not (null or "general" or "serious" or "major" or "emergency"))
        {
            return Access.Invalid("severity", "general, serious, major or emergency");
        }

        if (await grids.PathAsync(r.GridId, ct) is not { } gridPath)
        {
            return Access.Invalid("gridId", $"unknown grid '{r.GridId}'");
        }

        if (Access.RequireGrid(user, EnvironmentRoles.FieldStaff, gridPath) is { } outside)
        {
            return outside;
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        if (r.SourceId is { } sid && await SourcesApi.LoadSourceAsync(conn, sid, ct) is null)
        {
            return Access.Invalid("sourceId", $"no source {sid}");
        }

        var id = Guid.CreateVersion7();
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO environment.patrols (id, kind, grid_id, grid_path, person, source_id, at, findings, problem_found, category, severity, transfer_to, recorded_at)
            VALUES (@id, @Kind, @GridId, @GridPath, @person, @SourceId, @at, @Findings, @problem, @Category, @Severity, @TransferTo, @now)
            """, new
        {
            id,
            r.Kind,
            r.GridId,
            GridPath = gridPath,
            person = string.IsNullOrWhiteSpace(r.Person) ? Access.Subject(user) : r.Person,
            r.SourceId,
            at = (r.At ?? now).UtcDateTime,
            r.Findings,
            problem = r.ProblemFound ?? false,
            r.Category,
            r.Severity,
            r.TransferTo,
            now = now.UtcDateTime,
        }, cancellationToken: ct));
        if (r.ProblemFound == true)
        {
            await followUp.SweepAsync(ct);
        }

        return TypedResults.Created($"/api/environment/v1/patrols/{id}", (await LoadPatrolsAsync(conn, "WHERE id = @id", new { id }, ct)).Single());
    }

    internal static async Task<IResult> ListPatrols(
        string? grid, DateTimeOffset? from, DateTimeOffset? to, string? cursor, int? limit, HttpContext http, NpgsqlDataSource db, CancellationToken ct)
    {
        if (Access.Require(http.User, EnvironmentRoles.Readers) is { } denied)
        {
            return denied;
        }

        if (!KeysetPage.TryParse(cursor, limit, out var page, out var bad))
        {
            return bad!;
        }

        if (!page.TryAfterTime(out var afterAt, out var afterId))
        {
            return KeysetPage.BadCursor();
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await LoadPatrolsAsync(conn, """
            WHERE (@grid::text IS NULL OR @grid = ANY(grid_path)) AND (@from::timestamptz IS NULL OR at >= @from) AND (@to::timestamptz IS NULL OR at < @to)
              AND (@scopes::text[] IS NULL OR grid_path && @scopes) AND (@afterId::uuid IS NULL OR (at, id) > (@afterAt, @afterId))
            """, new { grid, from = from?.UtcDateTime, to = to?.UtcDateTime, scopes = Access.ScopeFilter(http.User), afterAt, afterId }, ct, page.Limit + 1);
        return page.Ok(http, rows, p => (KeysetPage.Key(p.At), p.Id.ToString()));
    }

    private static async Task<List<PatrolView>> LoadPatrolsAsync(NpgsqlConnection conn, string where, object args, CancellationToken ct, int? limit = null) =>
        (await conn.QueryAsync<(Guid, string, string, string[], string, Guid?, DateTime, string?, bool, string?, DateTime?, Guid?)>(new CommandDefinition($"""
            SELECT id, kind, grid_id, grid_path, person, source_id, at, findings, problem_found, transfer_to, transferred_at, case_id
            FROM environment.patrols {where} ORDER BY at, id {SourcesApi.Limit(limit)}
            """, args, cancellationToken: ct)))
        .Select(p => new PatrolView(p.Item1, p.Item2, p.Item3, p.Item4, p.Item5, p.Item6, SourcesApi.Utc(p.Item7), p.Item8, p.Item9, p.Item10,
            p.Item11 is { } t ? SourcesApi.Utc(t) : null, p.Item12))
        .ToList();

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

        if (await grids.PathAsync(r.GridId, ct) is not { } gridPath)
        {
            return Access.Invalid("gridId", $"unknown grid '{r.GridId}'");
        }

        if (Access.RequireGrid(user, EnvironmentRoles.Registrars, gridPath) is { } outside)
        {
            return outside;
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        if (r.SourceId is { } sid && await SourcesApi.LoadSourceAsync(conn, sid, ct) is null)
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

        if (!KeysetPage.TryParse(cursor, limit, out var page, out var bad))
        {
            return bad!;
        }

        if (!page.TryAfterTime(out var afterAt, out var afterId))
        {
            return KeysetPage.BadCursor();
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

        var step = JsonSerializer.Serialize(new[] { new { step = r.Step, at = clock.GetUtcNow(), by = Access.Subject(user), note = r.Note } }, SourcesApi.Json);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE environment.task_slips SET status = @Step, steps = steps || @step::jsonb WHERE id = @id", new { id, r.Step, step }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return TypedResults.Ok((await LoadSlipsAsync(conn, "WHERE id = @id", new { id }, ct)).Single());
    }

    private static async Task<List<SlipView>> LoadSlipsAsync(NpgsqlConnection conn, string where, object args, CancellationToken ct, int? limit = null) =>
        (await conn.QueryAsync<(Guid, string, string, string[], Guid?, string, string?, string, DateTime, DateTime, string, string, Guid?)>(new CommandDefinition($"""
            SELECT id, kind, grid_id, grid_path, source_id, title, description, issued_by, issued_at, due_at, status, steps::text, case_id
            FROM environment.task_slips {where} ORDER BY issued_at, id {SourcesApi.Limit(limit)}
            """, args, cancellationToken: ct)))
        .Select(s => new SlipView(s.Item1, s.Item2, s.Item3, s.Item4, s.Item5, s.Item6, s.Item7, s.Item8, SourcesApi.Utc(s.Item9), SourcesApi.Utc(s.Item10),
            s.Item11, JsonDocument.Parse(s.Item12).RootElement.Clone(), s.Item13))
        .ToList();

    internal static async Task<IResult> ReportIncident(IncidentRequest r, ClaimsPrincipal user, GridPaths grids, NpgsqlDataSource db, CaseFollowUp followUp, TimeProvider clock, CancellationToken ct)
    {
        if ((Access.Require(user, EnvironmentRoles.FieldStaff)) is { } refused)
        {
            return refused;
        }

        if (string.IsNullOrWhiteSpace(r.Title))
        {
            return Access.Invalid("title", "required");
        }

        if (r.Severity is not ("general" or "serious" or "major" or "emergency"))
        {
            return Access.Invalid("severity", "general, serious, major or emergency (major goes straight to the top of the chain)");
        }

        var now = clock.GetUtcNow();
        if (r.OccurredAt is { } at && at > now.AddMinutes(5))
        {
            return Access.Invalid("occurredAt", "is in the future");
        }

        if (await grids.PathAsync(r.GridId, ct) is not { } gridPath)
        {
            return Access.Invalid("gridId", $"unknown grid '{r.GridId}'");
        }

        if (Access.RequireGrid(user, EnvironmentRoles.FieldStaff, gridPath) is { } outside)
        {
            return outside;
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        var id = Guid.CreateVersion7();
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO environment.incidents (id, grid_id, grid_path, source_id, title, description, severity, occurred_at, reported_by, recorded_at)
            VALUES (@id, @GridId, @GridPath, @SourceId, @Title, @Description, @Severity, @at, @by, @now)
            """, new { id, r.GridId, GridPath = gridPath, r.SourceId, r.Title, r.Description, r.Severity, at = (r.OccurredAt ?? now).UtcDateTime, by = Access.Subject(user), now = now.UtcDateTime }, cancellationToken: ct));
        await followUp.SweepAsync(ct);
        var row = await conn.QuerySingleAsync<(Guid? CaseId, DateTime At)>(new CommandDefinition(
            "SELECT case_id, occurred_at FROM environment.incidents WHERE id = @id", new { id }, cancellationToken: ct));
        return TypedResults.Created($"/api/environment/v1/incidents/{id}", new IncidentView(id, r.GridId!, r.SourceId, r.Title, r.Severity, SourcesApi.Utc(row.At), row.CaseId));
    }

    /// <summary>The month "yyyy-MM" as a UTC range; null when malformed.</summary>
    private static (DateTimeOffset From, DateTimeOffset To)? Month(string? period, TimeProvider clock)
    {
        if (period is null)
        {
            var now = clock.GetUtcNow();
            var start = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
            return (start, start.AddMonths(1));
        }

        return DateTime.TryParseExact(period, "yyyy-MM", null, System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var d)
            ? (new DateTimeOffset(d, TimeSpan.Zero), new DateTimeOffset(d, TimeSpan.Zero).AddMonths(1))
            : null;
    }

    internal static async Task<IResult> GetCompliance(string? period, string? grid, ClaimsPrincipal user, NpgsqlDataSource db, IOptionsMonitor<EnvironmentOptions> options, TimeProvider clock, CancellationToken ct)
    {
        if (Access.Require(user, EnvironmentRoles.Readers) is { } denied)
        {
            return denied;
        }

        if (Month(period, clock) is not { } range)
        {
            return Access.Invalid("period", "a month, yyyy-MM");
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        if (!await CanSeeAsync(user, grid, conn, ct))
        {
            return grid is null
                ? Access.Invalid("grid", "required unless the token covers the whole territory")
                : Access.Forbidden("The grid is outside this token's grid scope.");
        }

        var result = await ComplianceAsync(conn, grid, range.From, options.CurrentValue.Compliance, ct);
        return TypedResults.Ok(new ComplianceView(range.From.ToString("yyyy-MM"), result));
    }

    /// <summary>
    /// Whether the caller may look at a grid's subtree: whole-territory tokens always; otherwise when one of the
    /// caller's scope grids lies on the grid's path, as recorded on the sources and patrols under it.
    /// </summary>
    private static async Task<bool> CanSeeAsync(ClaimsPrincipal user, string? gridId, NpgsqlConnection conn, CancellationToken ct)
    {
        if (user.GridsWhere(EnvironmentRoles.Readers, Grid.Contracts.Events.Domains.Environment) is null)
        {
            return true;
        }

        if (gridId is null)
        {
            return false;
        }

        var path = await conn.QueryFirstOrDefaultAsync<string[]>(new CommandDefinition("""
            SELECT grid_path FROM (
                SELECT grid_path FROM environment.sources WHERE @gridId = ANY(grid_path)
                UNION ALL SELECT grid_path FROM environment.patrols WHERE @gridId = ANY(grid_path)) p LIMIT 1
            """, new { gridId }, cancellationToken: ct));
        return path is not null && Access.Sees(user, path.TakeWhile(g => g != gridId).Append(gridId));
    }

    private static async Task<IReadOnlyList<GridCompliance>> ComplianceAsync(NpgsqlConnection conn, string? grid, DateTimeOffset monthStart, ComplianceOptions o, CancellationToken ct)
    {
        var sources = (await conn.QueryAsync<(Guid Id, string Name, string[] GridPath)>(new CommandDefinition(
            "SELECT id, name, grid_path FROM environment.sources WHERE (@grid::text IS NULL OR @grid = ANY(grid_path))", new { grid }, cancellationToken: ct)))
            .Select(s => new SourceInGrid(s.Id, s.Name, s.GridPath)).ToList();
        var records = (await LoadPatrolsAsync(conn, "WHERE (@grid::text IS NULL OR @grid = ANY(grid_path)) AND at >= @from AND at < @to",
            new { grid, from = monthStart.UtcDateTime, to = monthStart.AddMonths(1).UtcDateTime }, ct))
            .Select(p => new PatrolRecord(p.Id, p.Kind, p.GridId, p.GridPath, p.Person, p.SourceId, p.At, p.ProblemFound, p.CaseId)).ToList();
        var rules = new FrequencyRules(o.TownshipDepth, o.VillageDepth, o.TownshipPatrolsPerMonth, o.VillageChecksPerSourcePerMonth);
        return ComplianceCalculator.ForMonth(sources, records, rules, monthStart);
    }

    internal static async Task<IResult> GetTriggers(string? grid, string? period, ClaimsPrincipal user, NpgsqlDataSource db, IOptionsMonitor<EnvironmentOptions> options, TimeProvider clock, CancellationToken ct)
    {
        if (Access.Require(user, EnvironmentRoles.Readers) is { } denied)
        {
            return denied;
        }

        if (string.IsNullOrWhiteSpace(grid))
        {
            return Access.Invalid("grid", "required: the grid (usually a township) to judge");
        }

        if (Month(period, clock) is not { } range)
        {
            return Access.Invalid("period", "a month, yyyy-MM");
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        if (!await CanSeeAsync(user, grid, conn, ct))
        {
            return Access.Forbidden("The grid is outside this token's grid scope.");
        }

        var o = options.CurrentValue.Compliance;
        var sources = await SourcesApi.LoadSourcesAsync(conn, "WHERE @grid = ANY(grid_path)", new { grid }, ct);
        var compliance = await ComplianceAsync(conn, grid, range.From, o, ct);
        var slips = (await LoadSlipsAsync(conn, "WHERE @grid = ANY(grid_path)", new { grid }, ct)).Select(s =>
        {
            DateTimeOffset? StepAt(string name) => s.Steps.EnumerateArray().Where(x => x.GetProperty("step").GetString() == name)
                .Select(x => (DateTimeOffset?)x.GetProperty("at").GetDateTimeOffset()).FirstOrDefault();
            return new SlipState(s.Id, s.Kind, s.Title, s.Status, s.IssuedAt, s.DueAt, StepAt(TaskSlipFlow.Replied), StepAt(TaskSlipFlow.Refused));
        }).ToList();
        var firstCases = (await conn.QueryAsync<(Guid SourceId, string Name, string Origin, DateTime At)>(new CommandDefinition("""
            SELECT DISTINCT ON (c.source_id) c.source_id, s.name, c.origin, c.opened_at
            FROM environment.source_cases c JOIN environment.sources s ON s.id = c.source_id
            WHERE @grid = ANY(s.grid_path) ORDER BY c.source_id, c.opened_at
            """, new { grid }, cancellationToken: ct))).Select(c => new FirstCase(c.SourceId, c.Name, c.Origin, SourcesApi.Utc(c.At))).ToList();
        var found = (await conn.QueryAsync<(Guid Id, Guid? SourceId, DateTime At, DateTime? Reported)>(new CommandDefinition(
            "SELECT id, source_id, at, case_opened_at FROM environment.patrols WHERE problem_found AND @grid = ANY(grid_path)", new { grid }, cancellationToken: ct)))
            .Select(p => new FoundProblem(p.Id, p.SourceId, SourcesApi.Utc(p.At), p.Reported is { } r ? SourcesApi.Utc(r) : null)).ToList();
        var facts = new GridPeriodFacts(grid, range.From, range.To, sources, compliance, slips, firstCases, found);
        var triggers = CriticismTriggers.Evaluate(facts, TimeSpan.FromHours(o.ReportWithinHours));
        return TypedResults.Ok(new TriggerView(grid, range.From.ToString("yyyy-MM"), triggers.Any(t => t.Triggered), triggers));
    }
}
