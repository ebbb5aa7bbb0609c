using System.Security.Claims;
using Grid.Casework.Infrastructure;
using Grid.FireSafety.Domain;
using Grid.FireSafety.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.FireSafety.Apis.FireSafetyApi;

namespace Grid.FireSafety.Apis;

/// <summary>器材: equipment points and fire teams, their stock against the required kits, and the custodians' tasks.</summary>
public static class EquipmentApi
{
    public sealed record ItemDto(string Item, decimal Quantity, DateOnly? ExpiresOn);

    public sealed record PointRequest(EquipmentPointKind Kind, string Name, string GridId, string CustodianId, string CustodianName, IReadOnlyList<ItemDto>? Items);

    private static readonly string[] Keepers = [FireRoles.Admin, FireRoles.TownshipFireOffice, FireRoles.VillageFireManager, FireRoles.Custodian, FireRoles.FireBrigade];

    public static RouteGroupBuilder MapEquipmentApi(this RouteGroupBuilder api)
    {
        api.MapGet("/equipment/kits", (ClaimsPrincipal user, FireOptions o) => FireAccess.Deny(user, FireRoles.Staff)
            ?? TypedResults.Ok(new { villagePoint = o.Kits.For(EquipmentPointKind.VillagePoint), fireTeam = o.Kits.For(EquipmentPointKind.FireTeam) }))
            .WithSummary("The required kits (器材配置标准).");
        api.MapPost("/equipment/points", Create);
        api.MapPut("/equipment/points/{id:guid}/items", ReplaceItems).WithSummary("Record a stock count (盘点) of a point.");
        api.MapGet("/equipment/points", List);
        api.MapGet("/equipment/tasks", Tasks).WithSummary("Missing or expired items, one task per point for its custodian.");
        return api;
    }

    private static FieldErrors ValidateItems(FieldErrors e, IReadOnlyList<ItemDto>? items)
    {
        items ??= [];
        if (items.Count > 100)
        {
            return e.Add("items", "has more than 100 lines");
        }

        for (var i = 0; i < items.Count; i++)
        {
            e.Require($"items[{i}].item", items[i].Item, 64);
            if (items[i].Quantity is < 0 or > 100_000)
            {
                e.Add($"items[{i}].quantity", "must be between 0 and 100000");
            }
        }

        return e;
    }

    private static async Task<IResult> Create(PointRequest req, ClaimsPrincipal user, FireDbContext db, IGridDirectory grids, TimeProvider time, CancellationToken ct)
    {
        if (FireAccess.Deny(user, Keepers) is { } denied)
        {
            return denied;
        }

        var e = ValidateItems(new FieldErrors().Require("name", req.Name).Require("custodianId", req.CustodianId, 64).Require("custodianName", req.CustodianName, 50), req.Items);
        if (!Enum.IsDefined(req.Kind))
        {
            e.Add("kind", "must be VillagePoint or FireTeam");
        }

        var grid = string.IsNullOrWhiteSpace(req.GridId) ? null : await grids.FindAsync(req.GridId, ct);
        if (grid is null)
        {
            e.Add("gridId", $"grid '{req.GridId}' is unknown");
        }

        if (e.Any)
        {
            return e.Problem();
        }

        if (FireAccess.Deny(user, Keepers, grid!.Path) is { } outOfScope)
        {
            return outOfScope;
        }

        var point = new EquipmentPoint
        {
            Id = Guid.CreateVersion7(),
            Kind = req.Kind,
            Name = req.Name,
            GridId = grid.Id,
            GridPath = [.. grid.Path],
            CustodianId = req.CustodianId,
            CustodianName = req.CustodianName,
            UpdatedAt = time.GetUtcNow(),
            Items = (req.Items ?? []).Select(i => new EquipmentItem { Item = i.Item, Quantity = i.Quantity, ExpiresOn = i.ExpiresOn }).ToList(),
        };
        db.EquipmentPoints.Add(point);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/fire/v1/equipment/points/{point.Id}", point);
    }

    private static async Task<IResult> ReplaceItems(Guid id, List<ItemDto> items, ClaimsPrincipal user, FireDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (FireAccess.Deny(user, Keepers) is { } denied)
        {
            return denied;
        }

        var point = await db.EquipmentPoints.FirstOrDefaultAsync(p => p.Id == id, ct);
        if (point is null || !FireAccess.InScope(user, point.GridPath))
        {
            return TypedResults.Problem(statusCode: 404, title: "Equipment point not found");
        }

        if (ValidateItems(new FieldErrors(), items) is { Any: true } e)
        {
            return e.Problem();
        }

        point.Items = items.Select(i => new EquipmentItem { Item = i.Item, Quantity = i.Quantity, ExpiresOn = i.ExpiresOn }).ToList();
        point.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(point);
    }

    private static IQueryable<EquipmentPoint> Scoped(FireDbContext db, ClaimsPrincipal user, string? gridId) =>
        FireAccess.Scoped(db.EquipmentPoints.AsNoTracking(), user, p => p.GridPath).UnderGrid(gridId, p => p.GridPath);

    /// <summary>Keyset paged by grid and id (<see cref="KeysetPage"/>), the scope filter in the query.</summary>
    private static async Task<IResult> List(HttpContext http, FireDbContext db, string? gridId, string? cursor, int? limit, CancellationToken ct)
    {
        if (FireAccess.Deny(http.User, FireRoles.Staff) is { } denied)
        {
            return denied;
        }

        return (await Scoped(db, http.User, gridId).ReadPageAsync(cursor, limit, p => p.GridId, p => p.Id, ct)).Ok(http, p => p);
    }

    private static async Task<IResult> Tasks(ClaimsPrincipal user, FireDbContext db, FireOptions options, TimeProvider time, string? gridId, string? custodianId, CancellationToken ct)
    {
        if (FireAccess.Deny(user, FireRoles.Staff) is { } denied)
        {
            return denied;
        }

        var q = Scoped(db, user, gridId);
        if (custodianId is { Length: > 0 })
        {
            q = q.Where(p => p.CustodianId == custodianId);
        }

        var today = DateOnly.FromDateTime(ComplianceCalculator.ToChinaTime(time.GetUtcNow()).DateTime);
        var points = await q.OrderBy(p => p.GridId).Take(5000).ToListAsync(ct);
        var tasks = points
            .Select(p => new
            {
                pointId = p.Id,
                point = p.Name,
                kind = p.Kind,
                gridId = p.GridId,
                custodianId = p.CustodianId,
                custodianName = p.CustodianName,
                defects = EquipmentKit.Check(options.Kits.For(p.Kind), p.Items.Select(i => new StockLine(i.Item, i.Quantity, i.ExpiresOn)).ToList(), today),
            })
            .Where(t => t.defects.Count > 0)
            .ToList();
        return TypedResults.Ok(tasks);
    }
}
