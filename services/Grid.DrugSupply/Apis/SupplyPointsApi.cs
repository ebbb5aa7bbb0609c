using System.Security.Claims;
using Grid.Casework.Infrastructure;
using Grid.DrugSupply.Domain;
using Grid.DrugSupply.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.DrugSupply.Apis.DrugSupplyApi;

namespace Grid.DrugSupply.Apis;

/// <summary>供应网: supply points, one file each, in the caller's grid scope.</summary>
public static class SupplyPointsApi
{
    public sealed record SupplyPointDto(
        Guid Id, string Name, SupplyPointKind Kind, string SubjectId, string GridId, IReadOnlyList<string> GridPath, string? Address,
        string LicenceNumber, DateOnly? LicenceValidUntil, string? GspNumber, DateOnly? GspIssuedOn, DateOnly? GspValidUntil,
        bool UnifiedProcurement, bool UnifiedDistribution, bool UnifiedPrice, bool Standard, DateOnly? StandardSince,
        DateOnly? LastInspectedOn, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public static SupplyPointDto From(SupplyPoint p) => new(p.Id, p.Name, p.Kind, p.SubjectId, p.GridId, p.GridPath, p.Address,
            p.LicenceNumber, p.LicenceValidUntil, p.GspNumber, p.GspIssuedOn, p.GspValidUntil, p.UnifiedProcurement, p.UnifiedDistribution,
            p.UnifiedPrice, p.Standard, p.StandardSince, p.LastInspectedOn, p.CreatedAt, p.UpdatedAt);
    }

    public static RouteGroupBuilder MapSupplyPointsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/points", Create).WithSummary("建档: file a supply point (licence, GSP certificate, 三统一) in a drugs grid.");
        api.MapPut("/points/{id:guid}", Update).WithSummary("Change a supply point's file.");
        api.MapGet("/points/{id:guid}", Get);
        api.MapDelete("/points/{id:guid}", Delete).WithSummary("Remove a point filed by mistake, with its inspections and readings.");
        api.MapGet("/points", List).WithSummary("Supply points in the caller's grid scope, keyset-paged (Next-Cursor).");
        return api;
    }

    private static async Task<IResult> Create(
        SupplyPointFacts? req, ClaimsPrincipal user, DrugsDbContext db, GridPaths grids, TimeProvider time, CancellationToken ct)
    {
        if (DrugsAccess.Deny(user, DrugRoles.Keepers) is { } denied)
        {
            return denied;
        }

        if (req is null)
        {
            return GridProblems.Invalid("body", "is required");
        }

        var (errors, path) = await CheckAsync(req, grids, ct);
        if (errors.Count > 0)
        {
            return GridProblems.Invalid(errors);
        }

        if (DrugsAccess.Deny(user, DrugRoles.Keepers, path) is { } outOfScope)
        {
            return outOfScope;
        }

        var now = time.GetUtcNow();
        var point = new SupplyPoint { Id = Guid.CreateVersion7(now), CreatedAt = now, UpdatedAt = now };
        req.ApplyTo(point, path!);
        db.SupplyPoints.Add(point);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DomainSchema.IsUniqueViolation(e))
        {
            return GridProblems.Invalid("subjectId", $"A supply point of subject '{point.SubjectId}' is already on file.");
        }

        return TypedResults.Created($"/api/drugs/v1/points/{point.Id}", SupplyPointDto.From(point));
    }

    private static async Task<IResult> Update(
        Guid id, SupplyPointFacts? req, ClaimsPrincipal user, DrugsDbContext db, GridPaths grids, TimeProvider time, CancellationToken ct)
    {
        if (DrugsAccess.Deny(user, DrugRoles.Keepers) is { } denied)
        {
            return denied;
        }

        var point = await Scoped(db.SupplyPoints, user).FirstOrDefaultAsync(p => p.Id == id, ct);
        if (point is null)
        {
            return GridProblems.NotFound("Supply point", id);
        }

        if (req is null)
        {
            return GridProblems.Invalid("body", "is required");
        }

        var (errors, path) = await CheckAsync(req, grids, ct);
        if (errors.Count > 0)
        {
            return GridProblems.Invalid(errors);
        }

        if (DrugsAccess.Deny(user, DrugRoles.Keepers, path) is { } outOfScope)
        {
            return outOfScope;
        }

        req.ApplyTo(point, path!);
        point.UpdatedAt = time.GetUtcNow();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DomainSchema.IsUniqueViolation(e))
        {
            return GridProblems.Invalid("subjectId", $"A supply point of subject '{point.SubjectId}' is already on file.");
        }
        catch (DbUpdateConcurrencyException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Changed meanwhile",
                detail: "Someone else changed this point at the same time; read it again and repeat the change.");
        }

        return TypedResults.Ok(SupplyPointDto.From(point));
    }

    /// <summary>The field checks, then the grid: an unknown grid is a field error like any other.</summary>
    private static async Task<(Dictionary<string, List<string>> Errors, string[]? Path)> CheckAsync(SupplyPointFacts req, GridPaths grids, CancellationToken ct)
    {
        var errors = req.Check();
        string[]? path = null;
        if (!errors.ContainsKey("gridId") && (path = await grids.PathOfAsync(req.GridId!.Trim(), ct)) is null)
        {
            errors["gridId"] = [$"grid '{req.GridId}' is unknown"];
        }

        return (errors, path);
    }

    private static async Task<IResult> Get(Guid id, ClaimsPrincipal user, DrugsDbContext db, CancellationToken ct)
    {
        if (DrugsAccess.Deny(user, DrugRoles.Staff) is { } denied)
        {
            return denied;
        }

        var point = await Scoped(db.SupplyPoints.AsNoTracking(), user).FirstOrDefaultAsync(p => p.Id == id, ct);
        return point is null ? GridProblems.NotFound("Supply point", id) : TypedResults.Ok(SupplyPointDto.From(point));
    }

    private static async Task<IResult> Delete(Guid id, ClaimsPrincipal user, DrugsDbContext db, CancellationToken ct)
    {
        if (DrugsAccess.Deny(user, DrugRoles.Authorities) is { } denied)
        {
            return denied;
        }

        if (await db.Samples.AnyAsync(s => s.PointId == id, ct))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Has samples",
                detail: "A point with screening samples on record stays on file (the samples are evidence).");
        }

        var removed = await Scoped(db.SupplyPoints, user).Where(p => p.Id == id).ExecuteDeleteAsync(ct);
        return removed == 0 ? GridProblems.NotFound("Supply point", id) : TypedResults.NoContent();
    }

    /// <summary>The caller's grid scope, in SQL.</summary>
    internal static IQueryable<SupplyPoint> Scoped(IQueryable<SupplyPoint> q, ClaimsPrincipal user) => DrugsAccess.Scoped(q, user, p => p.GridPath);

    private static async Task<IResult> List(
        HttpContext http, DrugsDbContext db, string? gridId, SupplyPointKind? kind, bool? standard, string? cursor, int? limit, CancellationToken ct)
    {
        if (DrugsAccess.Deny(http.User, DrugRoles.Staff) is { } denied)
        {
            return denied;
        }

        var q = Scoped(db.SupplyPoints.AsNoTracking(), http.User).UnderGrid(gridId, p => p.GridPath);
        if (kind is { } k)
        {
            q = q.Where(p => p.Kind == k);
        }

        if (standard is { } s)
        {
            q = q.Where(p => p.Standard == s);
        }

        return (await q.ReadPageAsync(cursor, limit, p => p.Id, ct)).Ok(http, SupplyPointDto.From);
    }
}
