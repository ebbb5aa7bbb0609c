using System.Security.Claims;
using Grid.CadreSupervision.Domain;
using Grid.CadreSupervision.Infrastructure;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;
using Microsoft.EntityFrameworkCore;
using static Grid.CadreSupervision.Apis.CadreSupervisionApi;

namespace Grid.CadreSupervision.Apis;

/// <summary>
/// 预警书: the discipline commission warns a cadre in writing; the warning is counted over the configured window and
/// its consequences fall on the employing unit as tasks (<see cref="WarningRules"/>), each an event through the outbox.
/// </summary>
public static class WarningsApi
{
    public sealed record WarningRequest(string? Reason);

    public static RouteGroupBuilder MapWarningsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/cadres/{id:guid}/warnings", Issue).WithSummary("预警书: warn a cadre; the unit's tasks follow from the count (1 / 3 / 5).");
        return api;
    }

    private static async Task<IResult> Issue(
        Guid id, WarningRequest? req, ClaimsPrincipal user, CaseworkDatabase casework, CadreOptions options, TimeProvider time, CancellationToken ct)
    {
        if (CadreAccess.Deny(user, CadreRoles.FileOwners) is { } denied)
        {
            return denied;
        }

        var e = new Errors();
        var reason = e.Text("reason", req?.Reason, 1000);
        await using var tx = await casework.BeginAsync(ct);
        await using var db = CadreDbContext.Within(tx);

        // The cadre's row is locked so that two warnings issued together are counted one after the other.
        var cadre = await db.Cadres.FromSqlRaw("SELECT * FROM cadre.cadres WHERE \"Id\" = {0} FOR UPDATE", id).AsNoTracking().FirstOrDefaultAsync(ct);
        if (cadre is null || !CadreAccess.Covers(user, CadreRoles.FileOwners, cadre.GridPath))
        {
            return GridProblems.NotFound("Cadre", id);
        }

        if (e.Any)
        {
            return e.Problem();
        }

        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.ToOffset(TimeSpan.FromHours(8)).DateTime);
        var since = now - options.Warnings.Window;
        var count = await db.Warnings.CountAsync(w => w.CadreId == id && w.IssuedAt > since, ct) + 1;
        var warning = new Warning
        {
            Id = Guid.CreateVersion7(),
            CadreId = id,
            DepartmentId = cadre.DepartmentId,
            Reason = reason,
            IssuedOn = today,
            IssuedAt = now,
            IssuedBy = user.Subject(),
            CountInWindow = count,
        };
        db.Warnings.Add(warning);
        var tasks = options.Warnings.ConsequencesOf(count, today).Select(c => new UnitTask
        {
            Id = Guid.CreateVersion7(),
            WarningId = warning.Id,
            CadreId = id,
            DepartmentId = cadre.DepartmentId,
            Kind = c.Kind,
            DueBy = c.DueBy,
            CreatedAt = now,
        }).ToList();
        db.UnitTasks.AddRange(tasks);
        await db.SaveChangesAsync(ct);

        tx.Audit(id, warning.IssuedBy, "warning-issued", "cadre", null, FileAudit.Of(warning));
        tx.Publish(new CadreWarningIssued
        {
            OccurredAt = now,
            Domain = Domains.Cadre,
            WarningId = warning.Id,
            CadreId = id,
            DepartmentId = cadre.DepartmentId,
            GridId = cadre.GridId,
            CountInWindow = count,
        });
        foreach (var t in tasks)
        {
            tx.Audit(id, "system:warning-rules", "unit-task", "cadre", null, FileAudit.Of(t));
            tx.Publish(new CadreUnitTaskAssigned
            {
                OccurredAt = now,
                Domain = Domains.Cadre,
                TaskId = t.Id,
                WarningId = warning.Id,
                CadreId = id,
                DepartmentId = t.DepartmentId,
                Kind = t.Kind,
                DueBy = t.DueBy,
            });
        }

        await tx.CommitAsync(ct);
        return TypedResults.Created($"/api/cadre/v1/cadres/{id}/warnings/{warning.Id}", new { warning, tasks });
    }
}
