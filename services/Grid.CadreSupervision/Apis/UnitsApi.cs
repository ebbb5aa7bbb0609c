using System.Security.Claims;
using Grid.CadreSupervision.Domain;
using Grid.CadreSupervision.Infrastructure;
using Grid.Casework.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.CadreSupervision.Apis.CadreSupervisionApi;

namespace Grid.CadreSupervision.Apis;

/// <summary>
/// 用人单位: the employing unit's view of its own cadres — their warnings and the tasks those put on the unit — and
/// never who reported or what the register holds. A unit is read by its named contacts (a <c>cadre-unit</c> post
/// and a contact record the discipline commission made) or by the discipline commission.
/// </summary>
public static class UnitsApi
{
    public sealed record ContactRequest(string? Subject);

    public sealed record UnitWarningDto(Guid Id, Guid CadreId, string CadreName, string Reason, DateOnly IssuedOn, int CountInWindow);

    public static RouteGroupBuilder MapUnitsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/units/{departmentId}/contacts", NameContact).WithSummary("Name who speaks for a unit (a cadre-unit post holder).");
        api.MapGet("/units/{departmentId}/warnings", Warnings).WithSummary("The unit's cadres' warnings (never reporters, never the register).");
        api.MapGet("/units/{departmentId}/tasks", Tasks).WithSummary("What the unit owes: warning education, written explanations, circulars.");
        return api;
    }

    private static async Task<IResult> NameContact(
        string departmentId, ContactRequest? req, ClaimsPrincipal user, CadreDbContext db, IDepartmentDirectory departments, TimeProvider time,
        CancellationToken ct)
    {
        if (CadreAccess.Deny(user, CadreRoles.FileOwners) is { } denied)
        {
            return denied;
        }

        var e = new Errors();
        var subject = e.Text("subject", req?.Subject, 100);
        var unit = await departments.FindAsync(departmentId, ct);
        if (unit is null)
        {
            e.Add("departmentId", $"the organization knows no department '{departmentId}'");
        }

        if (e.Any)
        {
            return e.Problem();
        }

        if (!await db.UnitContacts.AnyAsync(c => c.Subject == subject && c.DepartmentId == unit!.Id, ct))
        {
            db.UnitContacts.Add(new UnitContact { Subject = subject, DepartmentId = unit!.Id, NamedBy = user.Subject(), NamedAt = time.GetUtcNow() });
            await db.SaveChangesAsync(ct);
        }

        return TypedResults.Ok(new { subject, departmentId = unit!.Id });
    }

    /// <summary>Null when the caller reads this unit; else 403 (no unit or discipline post) or 404 (another unit's contact).</summary>
    internal static async Task<IResult?> DenyUnitAsync(ClaimsPrincipal user, string departmentId, CadreDbContext db, CancellationToken ct)
    {
        if (CadreAccess.Deny(user, [.. CadreRoles.FileOwners, CadreRoles.Unit]) is { } denied)
        {
            return denied;
        }

        if (user.Allows(CadreRoles.FileOwners, Grid.Contracts.Events.Domains.Cadre))
        {
            return null;
        }

        var me = user.Subject();
        return await db.UnitContacts.AnyAsync(c => c.Subject == me && c.DepartmentId == departmentId, ct)
            ? null
            : GridProblems.NotFound("Unit", departmentId);
    }

    /// <summary>A file owner reads only the units' cadres living in the owner's grids.</summary>
    internal static string[]? OwnerScope(ClaimsPrincipal user) =>
        user.Allows(CadreRoles.FileOwners, Grid.Contracts.Events.Domains.Cadre) ? CadreAccess.ScopeFilter(user, CadreRoles.FileOwners) : null;

    private static async Task<IResult> Warnings(string departmentId, ClaimsPrincipal user, CadreDbContext db, CancellationToken ct)
    {
        if (await DenyUnitAsync(user, departmentId, db, ct) is { } denied)
        {
            return denied;
        }

        var scopes = OwnerScope(user);
        var rows = await (from w in db.Warnings.AsNoTracking()
                          join c in db.Cadres.AsNoTracking() on w.CadreId equals c.Id
                          where w.DepartmentId == departmentId && (scopes == null || c.GridPath.Any(g => scopes.Contains(g)))
                          orderby w.IssuedAt descending
                          select new UnitWarningDto(w.Id, w.CadreId, c.Name, w.Reason, w.IssuedOn, w.CountInWindow)).Take(500).ToListAsync(ct);
        return TypedResults.Ok(rows);
    }

    private static async Task<IResult> Tasks(string departmentId, ClaimsPrincipal user, CadreDbContext db, CancellationToken ct)
    {
        if (await DenyUnitAsync(user, departmentId, db, ct) is { } denied)
        {
            return denied;
        }

        var scopes = OwnerScope(user);
        var rows = await (from t in db.UnitTasks.AsNoTracking()
                          join c in db.Cadres.AsNoTracking() on t.CadreId equals c.Id
                          where t.DepartmentId == departmentId && (scopes == null || c.GridPath.Any(g => scopes.Contains(g)))
                          orderby t.CreatedAt descending
                          select new { t.Id, t.Kind, t.DueBy, t.CadreId, cadreName = c.Name, t.WarningId, t.CreatedAt }).Take(500).ToListAsync(ct);
        return TypedResults.Ok(rows);
    }
}
