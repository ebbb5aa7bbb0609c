using System.Security.Claims;
using Grid.CadreSupervision.Domain;
using Grid.CadreSupervision.Infrastructure;
using Grid.Casework.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.CadreSupervision.Apis.CadreSupervisionApi;

namespace Grid.CadreSupervision.Apis;

/// <summary>
/// 一人一档: the cadres' files, owned by the discipline commission; the grid's register (登记册) kept by its supervision
/// group; 亮身份, the public list of the cadres living in a grid (name, unit, post — nothing more).
/// </summary>
public static class CadresApi
{
    public sealed record CadreRequest(string? Name, string? Post, string? DepartmentId, string? GridId);

    public sealed record EntryRequest(string? Circle, string? Item, string? Summary);

    public sealed record CadreDto(Guid Id, string Name, string Post, string DepartmentId, string DepartmentName, string GridId, DateTimeOffset CreatedAt)
    {
        public static CadreDto From(Cadre c) => new(c.Id, c.Name, c.Post, c.DepartmentId, c.DepartmentName, c.GridId, c.CreatedAt);
    }

    public sealed record EntryDto(Guid Id, string Kind, string Circle, string? Item, string Summary, Guid? CaseId, string RecordedBy, DateTimeOffset RecordedAt)
    {
        public static EntryDto From(RegisterEntry e) => new(e.Id, e.Kind, e.Circle, e.Item, e.Summary, e.CaseId, e.RecordedBy, e.RecordedAt);
    }

    /// <summary>亮身份: what the grid's public notice shows of a cadre living there.</summary>
    public sealed record DisclosureDto(string Name, string Unit, string Post);

    public static RouteGroupBuilder MapCadresApi(this RouteGroupBuilder api)
    {
        api.MapPost("/cadres", Create).WithSummary("建档: open a cadre's file (unit and residential grid); discipline commission only.");
        api.MapGet("/cadres", List).WithSummary("The cadres in the caller's grid scope, paged by cursor (Next-Cursor).");
        api.MapGet("/cadres/{id:guid}", Get).WithSummary("The file: the discipline commission sees all of it, a supervisor only what they recorded.");
        api.MapPost("/cadres/{id:guid}/entries", AddEntry).WithSummary("登记: an observation in the grid's register, under one of the four circles.");
        api.MapGet("/cadres/{id:guid}/export.html", Export).WithSummary("The file as a printable page (discipline commission only; each export audited).");
        api.MapGet("/circles", (CadreOptions o) => TypedResults.Ok(o.Circles)).WithSummary("四圈: the checklists of the four circles.")
            .RequireAuthorization();
        api.MapGet("/public/grids/{gridId}/cadres", Disclosure).AllowAnonymous()
            .WithSummary("亮身份: name, unit and post of the cadres living in a grid, for its public notice board.");
        return api;
    }

    private static async Task<IResult> Create(
        CadreRequest? req, ClaimsPrincipal user, CaseworkDatabase casework, IGridDirectory grids, IDepartmentDirectory departments,
        TimeProvider time, CancellationToken ct)
    {
        if (CadreAccess.Deny(user, CadreRoles.FileOwners) is { } denied)
        {
            return denied;
        }

        var e = new Errors();
        var name = e.Text("name", req?.Name, 50);
        var post = e.Text("post", req?.Post, 100);
        DepartmentRef? unit = null;
        if (string.IsNullOrWhiteSpace(req?.DepartmentId))
        {
            e.Add("departmentId", "is required: the employing unit, a department of the organization");
        }
        else if ((unit = await departments.FindAsync(req.DepartmentId.Trim(), ct)) is null)
        {
            e.Add("departmentId", $"the organization knows no department '{req.DepartmentId}'");
        }

        GridNode? grid = null;
        if (string.IsNullOrWhiteSpace(req?.GridId))
        {
            e.Add("gridId", "is required: the residential grid");
        }
        else if ((grid = await grids.FindAsync(req.GridId.Trim(), ct)) is null)
        {
            e.Add("gridId", $"grid '{req.GridId}' is unknown");
        }

        if (e.Any)
        {
            return e.Problem();
        }

        if (CadreAccess.Deny(user, CadreRoles.FileOwners, grid!.Path) is { } outside)
        {
            return outside;
        }

        var cadre = new Cadre
        {
            Id = Guid.CreateVersion7(),
            Name = name,
            Post = post,
            DepartmentId = unit!.Id,
            DepartmentName = unit.Name,
            GridId = grid.Id,
            GridPath = [.. grid.Path],
            CreatedBy = user.Subject(),
            CreatedAt = time.GetUtcNow(),
        };
        await using var tx = await casework.BeginAsync(ct);
        await using (var db = CadreDbContext.Within(tx))
        {
            db.Cadres.Add(cadre);
            await db.SaveChangesAsync(ct);
        }

        tx.Audit(cadre.Id, cadre.CreatedBy, "file-opened", "cadre", null, FileAudit.Of(cadre));
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/api/cadre/v1/cadres/{cadre.Id}", CadreDto.From(cadre));
    }

    /// <summary>The caller's grid scope for the given roles, in SQL.</summary>
    internal static IQueryable<Cadre> Scoped(IQueryable<Cadre> q, ClaimsPrincipal user, IReadOnlyCollection<string> roles) =>
        CadreAccess.Scoped(q, user, c => c.GridPath, roles);

    private static async Task<IResult> List(
        ClaimsPrincipal user, CadreDbContext db, HttpContext http, string? gridId, string? departmentId, string? cursor, int? limit, CancellationToken ct)
    {
        if (CadreAccess.Deny(user, [.. CadreRoles.FileOwners, .. CadreRoles.Recorders]) is { } denied)
        {
            return denied;
        }

        var q = Scoped(db.Cadres.AsNoTracking(), user, [.. CadreRoles.FileOwners, .. CadreRoles.Recorders]).UnderGrid(gridId, c => c.GridPath);
        if (departmentId is { Length: > 0 })
        {
            q = q.Where(c => c.DepartmentId == departmentId);
        }

        return (await q.ReadPageAsync(cursor, limit, c => c.Id, ct)).Ok(http, CadreDto.From);
    }

    /// <summary>The cadre when the caller may see the file at all (a file owner or recorder over the residential grid).</summary>
    internal static async Task<Cadre?> VisibleAsync(CadreDbContext db, ClaimsPrincipal user, Guid id, CancellationToken ct)
    {
        var cadre = await db.Cadres.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        return cadre is not null && CadreAccess.Covers(user, [.. CadreRoles.FileOwners, .. CadreRoles.Recorders], cadre.GridPath) ? cadre : null;
    }

    private static async Task<IResult> Get(Guid id, ClaimsPrincipal user, CadreDbContext db, CaseworkDatabase casework, CancellationToken ct)
    {
        if (CadreAccess.Deny(user, [.. CadreRoles.FileOwners, .. CadreRoles.Recorders]) is { } denied)
        {
            return denied;
        }

        if (await VisibleAsync(db, user, id, ct) is not { } cadre)
        {
            return GridProblems.NotFound("Cadre", id);
        }

        var whole = SeesWholeFile(user, cadre.GridPath);
        var me = user.Subject();
        var entries = await db.Entries.AsNoTracking().Where(e => e.CadreId == id && (whole || e.RecordedBy == me))
            .OrderByDescending(e => e.RecordedAt).Take(500).ToListAsync(ct);
        var warnings = whole
            ? await db.Warnings.AsNoTracking().Where(w => w.CadreId == id).OrderByDescending(w => w.IssuedAt).ToListAsync(ct)
            : [];
        // Every read of what residents reported is on the file's audit trail, whoever reads it.
        if (entries.Where(e => e.Kind == "report").Select(e => e.Id).ToList() is { Count: > 0 } reports)
        {
            await using var tx = await casework.BeginAsync(ct);
            tx.Audit(id, me, "read-reports", "cadre", null, new { entries = reports });
            await tx.CommitAsync(ct);
        }

        return TypedResults.Ok(new { cadre = CadreDto.From(cadre), entries = entries.Select(EntryDto.From), warnings, whole });
    }

    private static async Task<IResult> AddEntry(
        Guid id, EntryRequest? req, ClaimsPrincipal user, CadreDbContext read, CaseworkDatabase casework, CadreOptions options, TimeProvider time,
        CancellationToken ct)
    {
        if (CadreAccess.Deny(user, CadreRoles.Recorders) is { } denied)
        {
            return denied;
        }

        if (await VisibleAsync(read, user, id, ct) is not { } cadre)
        {
            return GridProblems.NotFound("Cadre", id);
        }

        if (CadreAccess.Deny(user, CadreRoles.Recorders, cadre.GridPath) is { } outside)
        {
            return outside;
        }

        var e = new Errors();
        var (circle, item) = CheckCircle(e, options, req?.Circle, req?.Item);
        var summary = e.Text("summary", req?.Summary, 2000);
        if (e.Any)
        {
            return e.Problem();
        }

        var entry = new RegisterEntry
        {
            Id = Guid.CreateVersion7(),
            CadreId = id,
            Kind = "observation",
            Circle = circle,
            Item = item,
            Summary = summary,
            GridPath = cadre.GridPath,
            RecordedBy = user.Subject(),
            RecordedAt = time.GetUtcNow(),
        };
        await using var tx = await casework.BeginAsync(ct);
        await using (var db = CadreDbContext.Within(tx))
        {
            db.Entries.Add(entry);
            await db.SaveChangesAsync(ct);
        }

        tx.Audit(id, entry.RecordedBy, "register-observation", "cadre", null, FileAudit.Of(entry));
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/api/cadre/v1/cadres/{id}/entries/{entry.Id}", EntryDto.From(entry));
    }

    private static async Task<IResult> Export(Guid id, ClaimsPrincipal user, CadreDbContext db, CaseworkDatabase casework, TimeProvider time, CancellationToken ct) =>
        CadreAccess.Deny(user, CadreRoles.FileOwners) ?? await ExportHtmlAsync(id, user, db, casework, time, ct);

    private static async Task<IResult> ExportHtmlAsync(Guid id, ClaimsPrincipal user, CadreDbContext db, CaseworkDatabase casework, TimeProvider time, CancellationToken ct) =>
        await ExportedFileAsync(id, "html", user, db, casework, ct) is { } f
            ? TypedResults.Content(CadreFileDocument.Render(f.Cadre, f.Entries, f.Warnings, f.Commitments, f.CaseNumbers, time.GetUtcNow(), user.Subject()), "text/html; charset=utf-8")
            : GridProblems.NotFound("Cadre", id);

    /// <summary>A whole file as exported (printable page, Excel); null when absent or outside the caller's grids. Each export is audited.</summary>
    internal static async Task<ExportedFile?> ExportedFileAsync(Guid id, string format, ClaimsPrincipal user, CadreDbContext db, CaseworkDatabase casework, CancellationToken ct)
    {
        var cadre = await db.Cadres.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (cadre is null || !SeesWholeFile(user, cadre.GridPath))
        {
            return null;
        }

        var entries = await db.Entries.AsNoTracking().Where(e => e.CadreId == id).OrderBy(e => e.RecordedAt).ToListAsync(ct);
        var warnings = await db.Warnings.AsNoTracking().Where(w => w.CadreId == id).OrderBy(w => w.IssuedAt).ToListAsync(ct);
        var commitments = await db.Commitments.AsNoTracking().Where(m => m.CadreId == id).OrderBy(m => m.Year).ThenBy(m => m.RecordedAt).ToListAsync(ct);
        var caseIds = entries.Where(e => e.CaseId is not null).Select(e => e.CaseId!.Value).ToList();
        var numbers = await db.Database.SqlQueryRaw<CaseNumberRow>("SELECT id AS \"Id\", number AS \"Number\" FROM casework.cases WHERE id = ANY({0})", caseIds.ToArray())
            .ToDictionaryAsync(r => r.Id, r => r.Number, ct);

        // The export carries what residents reported: it is on the file's audit trail like every read of it.
        await using (var tx = await casework.BeginAsync(ct))
        {
            tx.Audit(id, user.Subject(), "file-exported", "cadre", null, new { format, entries = entries.Count, warnings = warnings.Count });
            await tx.CommitAsync(ct);
        }

        return new ExportedFile(cadre, entries, warnings, commitments, numbers);
    }

    internal sealed record ExportedFile(
        Cadre Cadre, List<RegisterEntry> Entries, List<Warning> Warnings, List<Commitment> Commitments, Dictionary<Guid, string> CaseNumbers);

    private sealed record CaseNumberRow(Guid Id, string Number);

    /// <summary>The circle must be one of the configured four; the item, when given, one of its checklist.</summary>
    internal static (string Circle, string? Item) CheckCircle(Errors e, CadreOptions options, string? circle, string? item)
    {
        if (circle is null || !options.Circles.TryGetValue(circle, out var items))
        {
            e.Add("circle", $"is required, one of: {string.Join(", ", options.Circles.Keys)}");
            return ("", null);
        }

        if (item is not null && !items.Contains(item))
        {
            e.Add("item", $"is not on the {circle} checklist (GET /api/cadre/v1/circles)");
        }

        return (circle, item);
    }

    private static async Task<IResult> Disclosure(string gridId, CadreDbContext db, CancellationToken ct)
    {
        var rows = await db.Cadres.AsNoTracking().Where(c => c.GridId == gridId).OrderBy(c => c.Name).Take(500)
            .Select(c => new DisclosureDto(c.Name, c.DepartmentName, c.Post)).ToListAsync(ct);
        return TypedResults.Ok(rows);
    }
}
