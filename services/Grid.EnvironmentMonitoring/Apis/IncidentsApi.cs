using System.Security.Claims;
using Dapper;
using Grid.EnvironmentMonitoring.Domain;
using Grid.EnvironmentMonitoring.Infrastructure;
using Npgsql;

namespace Grid.EnvironmentMonitoring.Apis;

/// <summary>突发环境事件: a sudden pollution incident, reported straight into a case.</summary>
public static class IncidentsApi
{
    public static RouteGroupBuilder MapIncidentsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/incidents", ReportIncident).WithName("ReportIncident");
        return api;
    }

    public sealed record IncidentRequest(string? GridId, Guid? SourceId, string? Title, string? Description, string? Severity, DateTimeOffset? OccurredAt);

    public sealed record IncidentView(Guid Id, string GridId, Guid? SourceId, string Title, string Severity, DateTimeOffset OccurredAt, Guid? CaseId);

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

        var (outside, gridPath) = await Access.GridAsync(user, EnvironmentRoles.FieldStaff, r.GridId, grids, ct);
        if (outside is not null)
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
        return TypedResults.Created($"/api/environment/v1/incidents/{id}", new IncidentView(id, r.GridId!, r.SourceId, r.Title, r.Severity, SourceQueries.Utc(row.At), row.CaseId));
    }
}
