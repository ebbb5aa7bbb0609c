using System.Security.Claims;
using Grid.Casework.Apis;
using Grid.Casework.Infrastructure;
using Grid.FireSafety.Domain;
using Grid.FireSafety.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.FireSafety.Apis.FireSafetyApi;

namespace Grid.FireSafety.Apis;

/// <summary>场所建档: places, their supervising authority, and the people on fire duty per grid.</summary>
public static class PlacesApi
{
    public sealed record SignageDto(string FireRisk, string ManagerShown, string Precautions, string Warning);

    public sealed record PlaceRequest(
        string Name, PlaceCategory Category, NineSmallKind? NineSmallKind, FileKind FileKind, string? SubjectId, string GridId,
        string Address, string ResponsiblePerson, string? ResponsiblePhone, string? Manager, string? ManagerPhone, SignageDto? Signage);

    public sealed record PlaceDto(
        Guid Id, string Name, PlaceCategory Category, NineSmallKind? NineSmallKind, FileKind FileKind, SupervisingAuthority Authority,
        string? SubjectId, string GridId, IReadOnlyList<string> GridPath, string Address, string ResponsiblePerson, string? ResponsiblePhone,
        string? Manager, string? ManagerPhone, SignageDto? Signage, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public static PlaceDto From(Place p) => new(p.Id, p.Name, p.Category, p.NineSmallKind, p.FileKind, p.Authority, p.SubjectId,
            p.GridId, p.GridPath, p.Address, p.ResponsiblePerson, p.ResponsiblePhone, p.Manager, p.ManagerPhone,
            p.Signage is { } s ? new SignageDto(s.FireRisk, s.ManagerShown, s.Precautions, s.Warning) : null, p.CreatedAt, p.UpdatedAt);
    }

    public sealed record DutyRequest(string StaffId, string Name, string Role, string GridId, DateOnly From, DateOnly? To);

    public static RouteGroupBuilder MapPlacesApi(this RouteGroupBuilder api)
    {
        api.MapPost("/places", CreatePlace).WithSummary("File a place (建档); the category decides the supervising authority.");
        api.MapPut("/places/{id:guid}", UpdatePlace).WithSummary("Update a place's file; a new category re-routes its supervision.");
        api.MapGet("/places/{id:guid}", GetPlace);
        api.MapGet("/places", ListPlaces);
        api.MapGet("/places/routing", Routing).WithSummary("监管分工: category → supervising authority as configured.");
        api.MapGet("/places/ledger.xlsx", PlaceLedger).WithSummary("场所台账 as Excel.");
        api.MapPost("/duties", CreateDuty).WithSummary("Put a person on fire duty for a grid (网格责任人).");
        api.MapGet("/duties", ListDuties);
        return api;
    }

    private static async Task<IResult> CreatePlace(
        PlaceRequest req, ClaimsPrincipal user, FireDbContext db, IGridDirectory grids, SupervisionRouting routing, TimeProvider time, CancellationToken ct)
    {
        if (FireAccess.Deny(user, FireRoles.PlaceKeepers) is { } denied)
        {
            return denied;
        }

        var (errors, grid) = await ValidateAsync(req, grids, ct);
        if (errors.Any)
        {
            return errors.Problem();
        }

        if (FireAccess.Deny(user, FireRoles.PlaceKeepers, grid!.Path) is { } outOfScope)
        {
            return outOfScope;
        }

        var now = time.GetUtcNow();
        var place = new Place { Id = Guid.CreateVersion7(), CreatedAt = now };
        Apply(place, req, grid, routing, now);
        db.Places.Add(place);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/fire/v1/places/{place.Id}", PlaceDto.From(place));
    }

    private static async Task<IResult> UpdatePlace(
        Guid id, PlaceRequest req, ClaimsPrincipal user, FireDbContext db, IGridDirectory grids, SupervisionRouting routing, TimeProvider time, CancellationToken ct)
    {
        if (FireAccess.Deny(user, FireRoles.PlaceKeepers) is { } denied)
        {
            return denied;
        }

        var place = await db.Places.FirstOrDefaultAsync(p => p.Id == id, ct);
        if (place is null || !FireAccess.InScope(user, place.GridPath))
        {
            return TypedResults.Problem(statusCode: 404, title: "Place not found", detail: $"No place {id} in your scope.");
        }

        var (errors, grid) = await ValidateAsync(req, grids, ct);
        if (errors.Any)
        {
            return errors.Problem();
        }

        if (FireAccess.Deny(user, FireRoles.PlaceKeepers, grid!.Path) is { } outOfScope)
        {
            return outOfScope;
        }

        Apply(place, req, grid, routing, time.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(PlaceDto.From(place));
    }

    private static void Apply(Place place, PlaceRequest req, GridNode grid, SupervisionRouting routing, DateTimeOffset now)
    {
        place.Name = req.Name.Trim();
        place.Category = req.Category;
        place.NineSmallKind = req.Category == PlaceCategory.NineSmall ? req.NineSmallKind : null;
        place.FileKind = req.FileKind;
        place.Authority = routing.AuthorityFor(req.Category);
        place.SubjectId = string.IsNullOrWhiteSpace(req.SubjectId) ? null : req.SubjectId.Trim();
        place.GridId = grid.Id;
        place.GridPath = [.. grid.Path];
        place.Address = req.Address.Trim();
        place.ResponsiblePerson = req.ResponsiblePerson.Trim();
        place.ResponsiblePhone = req.ResponsiblePhone;
        place.Manager = req.Manager;
        place.ManagerPhone = req.ManagerPhone;
        place.Signage = req.Signage is { } s
            ? new PlaceSignage { FireRisk = s.FireRisk, ManagerShown = s.ManagerShown, Precautions = s.Precautions, Warning = s.Warning }
            : null;
        place.UpdatedAt = now;
    }

    private static async Task<(FieldErrors, GridNode?)> ValidateAsync(PlaceRequest? req, IGridDirectory grids, CancellationToken ct)
    {
        var e = new FieldErrors();
        if (req is null)
        {
            return (e.Add("body", "is required"), null);
        }

        e.Require("name", req.Name).Require("address", req.Address, 300).Require("responsiblePerson", req.ResponsiblePerson, 50)
            .Max("subjectId", req.SubjectId, 64).Max("manager", req.Manager, 50).Max("responsiblePhone", req.ResponsiblePhone, 30)
            .Max("managerPhone", req.ManagerPhone, 30);
        if (!Enum.IsDefined(req.Category))
        {
            e.Add("category", "is not a known category");
        }

        if (req.Category == PlaceCategory.NineSmall && req.NineSmallKind is null)
        {
            e.Add("nineSmallKind", "is required for a nine-small venue (九小场所)");
        }

        if (req.Category != PlaceCategory.NineSmall && req.NineSmallKind is not null)
        {
            e.Add("nineSmallKind", "applies only to the NineSmall category");
        }

        if (req.Signage is { } s)
        {
            if (req.Category != PlaceCategory.NineSmall)
            {
                e.Add("signage", "标牌化管理 applies to nine-small venues only");
            }

            if (s.FireRisk is not ("high" or "medium" or "low"))
            {
                e.Add("signage.fireRisk", "must be high, medium or low");
            }

            e.Require("signage.managerShown", s.ManagerShown, 100).Max("signage.precautions", s.Precautions, 500).Max("signage.warning", s.Warning, 500);
        }

        GridNode? grid = null;
        if (string.IsNullOrWhiteSpace(req.GridId))
        {
            e.Add("gridId", "is required");
        }
        else if ((grid = await grids.FindAsync(req.GridId, ct)) is null)
        {
            e.Add("gridId", $"grid '{req.GridId}' is unknown");
        }

        return (e, grid);
    }

    private static async Task<IResult> GetPlace(Guid id, ClaimsPrincipal user, FireDbContext db, CancellationToken ct)
    {
        if (FireAccess.Deny(user, FireRoles.Staff) is { } denied)
        {
            return denied;
        }

        var place = await db.Places.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct);
        return place is null || !FireAccess.InScope(user, place.GridPath)
            ? TypedResults.Problem(statusCode: 404, title: "Place not found", detail: $"No place {id} in your scope.")
            : TypedResults.Ok(PlaceDto.From(place));
    }

    internal static IQueryable<Place> Scoped(IQueryable<Place> q, ClaimsPrincipal user, string? gridId) =>
        FireAccess.Scoped(q, user, p => p.GridPath).UnderGrid(gridId, p => p.GridPath);

    private static async Task<IResult> ListPlaces(
        HttpContext http, FireDbContext db, string? gridId, PlaceCategory? category, SupervisingAuthority? authority,
        string? cursor, int? limit, CancellationToken ct)
    {
        if (FireAccess.Deny(http.User, FireRoles.Staff) is { } denied)
        {
            return denied;
        }

        var q = Scoped(db.Places.AsNoTracking(), http.User, gridId);
        if (category is { } c)
        {
            q = q.Where(p => p.Category == c);
        }

        if (authority is { } a)
        {
            q = q.Where(p => p.Authority == a);
        }

        return (await q.ReadPageAsync(cursor, limit, p => p.Id, ct)).OkWithCursor(http, PlaceDto.From);
    }

    private static IResult Routing(ClaimsPrincipal user, SupervisionRouting routing)
    {
        if (FireAccess.Deny(user, FireRoles.Staff) is { } denied)
        {
            return denied;
        }

        return TypedResults.Ok(Enum.GetValues<PlaceCategory>().Select(c => new
        {
            category = c,
            authority = routing.AuthorityFor(c),
            role = SupervisionRouting.RoleOf(routing.AuthorityFor(c)),
        }));
    }

    private static async Task<IResult> PlaceLedger(ClaimsPrincipal user, FireDbContext db, string? gridId, CancellationToken ct)
    {
        if (FireAccess.Deny(user, FireRoles.Staff) is { } denied)
        {
            return denied;
        }

        var rows = await Scoped(db.Places.AsNoTracking(), user, gridId).OrderBy(p => p.GridId).ThenBy(p => p.Name).ToListAsync(ct);
        return LedgerFile.Excel("场所台账", rows.Select(p => new Dictionary<string, object?>
        {
            ["名称"] = p.Name,
            ["类别"] = Ledger.CategoryName(p.Category),
            ["监管主体"] = Ledger.AuthorityName(p.Authority),
            ["档案模式"] = p.FileKind.ToString(),
            ["网格"] = p.GridId,
            ["地址"] = p.Address,
            ["消防安全责任人"] = p.ResponsiblePerson,
            ["消防安全管理人"] = p.Manager,
            ["主体编号"] = p.SubjectId,
        }));
    }

    private static async Task<IResult> CreateDuty(DutyRequest req, ClaimsPrincipal user, FireDbContext db, IGridDirectory grids, CancellationToken ct)
    {
        if (FireAccess.Deny(user, [FireRoles.Admin, FireRoles.TownshipFireOffice, FireRoles.FireBrigade]) is { } denied)
        {
            return denied;
        }

        var e = new FieldErrors().Require("staffId", req.StaffId, 64).Require("name", req.Name, 50).Require("role", req.Role, 40);
        if (!string.IsNullOrEmpty(req.Role) && !FireRoles.Staff.Contains(req.Role))
        {
            e.Add("role", $"'{req.Role}' is not a fire role");
        }

        if (req.To is { } to && to < req.From)
        {
            e.Add("to", "must not be before 'from'");
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

        if (FireAccess.Deny(user, [FireRoles.Admin, FireRoles.TownshipFireOffice, FireRoles.FireBrigade], grid!.Path) is { } outOfScope)
        {
            return outOfScope;
        }

        var duty = new DutyAssignment
        {
            Id = Guid.CreateVersion7(),
            StaffId = req.StaffId,
            Name = req.Name,
            Role = req.Role,
            GridId = grid.Id,
            GridLevel = grid.Level,
            GridPath = [.. grid.Path],
            From = req.From,
            To = req.To,
        };
        db.Duties.Add(duty);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DomainSchema.IsUniqueViolation(ex))
        {
            return TypedResults.Problem(statusCode: 409, title: "Duty exists", detail: "This person already holds this role for this grid from this date.");
        }

        return TypedResults.Created($"/api/fire/v1/duties/{duty.Id}", duty);
    }

    /// <summary>Keyset paged by grid and id (<see cref="KeysetPage"/>), the scope filter in the query.</summary>
    private static async Task<IResult> ListDuties(HttpContext http, FireDbContext db, string? gridId, string? cursor, int? limit, CancellationToken ct)
    {
        if (FireAccess.Deny(http.User, FireRoles.Staff) is { } denied)
        {
            return denied;
        }

        var q = FireAccess.Scoped(db.Duties.AsNoTracking(), http.User, d => d.GridPath).UnderGrid(gridId, d => d.GridPath);
        return (await q.ReadPageAsync(cursor, limit, d => d.GridId, d => d.Id, ct)).Ok(http, d => d);
    }
}
