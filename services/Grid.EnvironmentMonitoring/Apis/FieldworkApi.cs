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

/// <summary>巡查/现场检查: patrol and on-site check records; a problem found becomes a case, or is handed to another department.</summary>
public static class FieldworkApi
{
    public sealed record PatrolRequest(string? Kind, string? GridId, string? Person, Guid? SourceId, DateTimeOffset? At,
        string? Findings, bool? ProblemFound, string? Category, string? Severity, string? TransferTo);

    public sealed record PatrolView(Guid Id, string Kind, string GridId, string[] GridPath, string Person, Guid? SourceId, DateTimeOffset At,
        string? Findings, bool ProblemFound, string? TransferTo, DateTimeOffset? TransferredAt, Guid? CaseId);

    public static RouteGroupBuilder MapFieldworkApi(this RouteGroupBuilder api)
    {
        api.MapPost("/patrols", RecordPatrol).WithName("RecordPatrol");
        api.MapGet("/patrols", ListPatrols).WithName("ListPatrols");
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

        var (outside, gridPath) = await Access.GridAsync(user, EnvironmentRoles.FieldStaff, r.GridId, grids, ct);
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

        if (!KeysetPage.TryParse(cursor, limit, out var page, out var afterAt, out var afterId, out var bad))
        {
            return bad;
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await LoadPatrolsAsync(conn, """
            WHERE (@grid::text IS NULL OR @grid = ANY(grid_path)) AND (@from::timestamptz IS NULL OR at >= @from) AND (@to::timestamptz IS NULL OR at < @to)
              AND (@scopes::text[] IS NULL OR grid_path && @scopes) AND (@afterId::uuid IS NULL OR (at, id) > (@afterAt, @afterId))
            """, new { grid, from = from?.UtcDateTime, to = to?.UtcDateTime, scopes = Access.ScopeFilter(http.User), afterAt, afterId }, ct, page.Limit + 1);
        return page.Ok(http, rows, p => (KeysetPage.Key(p.At), p.Id.ToString()));
    }

    internal static async Task<List<PatrolView>> LoadPatrolsAsync(NpgsqlConnection conn, string where, object args, CancellationToken ct, int? limit = null) =>
        (await conn.QueryAsync<(Guid, string, string, string[], string, Guid?, DateTime, string?, bool, string?, DateTime?, Guid?)>(new CommandDefinition($"""
            SELECT id, kind, grid_id, grid_path, person, source_id, at, findings, problem_found, transfer_to, transferred_at, case_id
            FROM environment.patrols {where} ORDER BY at, id {SourceQueries.Limit(limit)}
            """, args, cancellationToken: ct)))
        .Select(p => new PatrolView(p.Item1, p.Item2, p.Item3, p.Item4, p.Item5, p.Item6, SourceQueries.Utc(p.Item7), p.Item8, p.Item9, p.Item10,
            p.Item11 is { } t ? SourceQueries.Utc(t) : null, p.Item12))
        .ToList();
}
