using System.Security.Claims;
using Grid.Casework.Apis;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;
using Grid.FireSafety.Domain;
using Grid.FireSafety.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.FireSafety.Apis.FireSafetyApi;

namespace Grid.FireSafety.Apis;

/// <summary>检查巡查: inspection records, the required frequencies and compliance against them.</summary>
public static class InspectionsApi
{
    public sealed record ChecklistDto(string Area, string Item, bool Ok, string? Note);

    public sealed record FindingDto(string Area, string Description, bool FixedOnSpot);

    public sealed record InspectionRequest(
        InspectionActivity Activity, string GridId, Guid? PlaceId, DateTimeOffset StartedAt, IReadOnlyList<ChecklistDto>? Checklist,
        IReadOnlyList<FindingDto>? Findings, IReadOnlyList<string>? PhotoRefs, string? Notes);

    public static RouteGroupBuilder MapInspectionsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/inspections", Record).WithSummary("Record an inspection or patrol (may be back-dated from an offline device).");
        api.MapGet("/inspections", List);
        api.MapGet("/inspections/{id:guid}", Get);
        api.MapGet("/inspections/rules", (ClaimsPrincipal user, FireOptions o) =>
            FireAccess.Deny(user, FireRoles.Staff) ?? TypedResults.Ok(o.Rules)).WithSummary("The required frequencies (检查频次) in force.");
        api.MapGet("/inspections/ledger.xlsx", LedgerExport).WithSummary("检查台账 as Excel.");
        api.MapGet("/compliance", Compliance).WithSummary("Required vs done per person and grid for a period, with the overdue list.");
        return api;
    }

    private static async Task<IResult> Record(
        InspectionRequest req, ClaimsPrincipal user, FireDbContext db, IGridDirectory grids, TimeProvider time, CancellationToken ct)
    {
        if (FireAccess.Deny(user, FireRoles.Inspectors) is { } denied)
        {
            return denied;
        }

        var now = time.GetUtcNow();
        var e = new FieldErrors().Max("notes", req.Notes, 2000);
        if (!Enum.IsDefined(req.Activity))
        {
            e.Add("activity", "is not a known activity");
        }

        if (req.StartedAt == default)
        {
            e.Add("startedAt", "is required");
        }
        else if (req.StartedAt > now.AddMinutes(5))
        {
            e.Add("startedAt", "lies in the future");
        }
        else if (req.StartedAt < now.AddDays(-366))
        {
            e.Add("startedAt", "is more than a year back");
        }

        var checklist = req.Checklist ?? [];
        var findings = req.Findings ?? [];
        var photos = req.PhotoRefs ?? [];
        if (checklist.Count > 200)
        {
            e.Add("checklist", "has more than 200 items");
        }

        for (var i = 0; i < Math.Min(checklist.Count, 200); i++)
        {
            if (!ChecklistItem.Areas.Contains(checklist[i].Area))
            {
                e.Add($"checklist[{i}].area", "must be fire, electricity, fuel or gas");
            }

            e.Require($"checklist[{i}].item", checklist[i].Item).Max($"checklist[{i}].note", checklist[i].Note, 500);
        }

        if (findings.Count > 100)
        {
            e.Add("findings", "has more than 100 items");
        }

        for (var i = 0; i < Math.Min(findings.Count, 100); i++)
        {
            if (!ChecklistItem.Areas.Contains(findings[i].Area))
            {
                e.Add($"findings[{i}].area", "must be fire, electricity, fuel or gas");
            }

            e.Require($"findings[{i}].description", findings[i].Description, 1000);
        }

        if (photos.Count > 20 || photos.Any(p => string.IsNullOrWhiteSpace(p) || p.Length > 300))
        {
            e.Add("photoRefs", "at most 20 references of at most 300 characters each");
        }

        var grid = string.IsNullOrWhiteSpace(req.GridId) ? null : await grids.FindAsync(req.GridId, ct);
        if (grid is null)
        {
            e.Add("gridId", $"grid '{req.GridId}' is unknown");
        }

        if (req.PlaceId is { } pid)
        {
            var place = await db.Places.AsNoTracking().Where(p => p.Id == pid).Select(p => new { p.GridPath }).FirstOrDefaultAsync(ct);
            if (place is null)
            {
                e.Add("placeId", $"place {pid} is unknown");
            }
            else if (grid is not null && !place.GridPath.Contains(grid.Id))
            {
                e.Add("placeId", "the place is not in the given grid");
            }
        }

        if (e.Any)
        {
            return e.Problem();
        }

        if (FireAccess.Deny(user, FireRoles.Inspectors, grid!.Path) is { } outOfScope)
        {
            return outOfScope;
        }

        var role = FireAccess.RoleFor(user, FireRoles.Inspectors, grid.Path);
        var record = new InspectionRecord
        {
            Id = Guid.CreateVersion7(),
            InspectorId = user.Subject(),
            InspectorName = DomainAccess.ActorName(user),
            Role = role,
            Activity = req.Activity,
            GridId = grid.Id,
            GridPath = [.. grid.Path],
            PlaceId = req.PlaceId,
            StartedAt = req.StartedAt.ToUniversalTime(),
            RecordedAt = now,
            Notes = req.Notes,
            Checklist = checklist.Select(c => new ChecklistItem { Area = c.Area, Item = c.Item, Ok = c.Ok, Note = c.Note }).ToList(),
            Findings = findings.Select(f => new InspectionFinding { Area = f.Area, Description = f.Description, FixedOnSpot = f.FixedOnSpot }).ToList(),
            PhotoRefs = [.. photos],
        };
        db.Inspections.Add(record);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/fire/v1/inspections/{record.Id}", record);
    }

    private static IQueryable<InspectionRecord> Scoped(IQueryable<InspectionRecord> q, ClaimsPrincipal user, string? gridId) =>
        FireAccess.Scoped(q, user, i => i.GridPath).UnderGrid(gridId, i => i.GridPath);

    private static async Task<IResult> Get(Guid id, ClaimsPrincipal user, FireDbContext db, CancellationToken ct)
    {
        if (FireAccess.Deny(user, FireRoles.Staff) is { } denied)
        {
            return denied;
        }

        var r = await db.Inspections.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, ct);
        return r is null || !FireAccess.InScope(user, r.GridPath)
            ? TypedResults.Problem(statusCode: 404, title: "Inspection not found")
            : TypedResults.Ok(r);
    }

    private static async Task<IResult> List(
        HttpContext http, FireDbContext db, string? gridId, string? inspectorId, DateTimeOffset? from, DateTimeOffset? to,
        string? cursor, int? limit, CancellationToken ct)
    {
        if (FireAccess.Deny(http.User, FireRoles.Staff) is { } denied)
        {
            return denied;
        }

        var q = Scoped(db.Inspections.AsNoTracking(), http.User, gridId);
        if (inspectorId is { Length: > 0 })
        {
            q = q.Where(i => i.InspectorId == inspectorId);
        }

        if (from is { } f)
        {
            var fu = f.ToUniversalTime();
            q = q.Where(i => i.StartedAt >= fu);
        }

        if (to is { } t)
        {
            var tu = t.ToUniversalTime();
            q = q.Where(i => i.StartedAt < tu);
        }

        return (await q.ReadPageAsync(cursor, limit, i => i.Id, ct)).OkWithCursor(http, i => i);
    }

    private static async Task<IResult> LedgerExport(ClaimsPrincipal user, FireDbContext db, string? gridId, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        if (FireAccess.Deny(user, FireRoles.Staff) is { } denied)
        {
            return denied;
        }

        var q = Scoped(db.Inspections.AsNoTracking(), user, gridId);
        if (from is { } f)
        {
            var fu = f.ToUniversalTime();
            q = q.Where(i => i.StartedAt >= fu);
        }

        if (to is { } t)
        {
            var tu = t.ToUniversalTime();
            q = q.Where(i => i.StartedAt < tu);
        }

        var rows = await q.OrderBy(i => i.StartedAt).Take(50_000).ToListAsync(ct);
        return LedgerFile.Excel("检查台账", rows.Select(i => new Dictionary<string, object?>
        {
            ["时间(北京时间)"] = ComplianceCalculator.ToChinaTime(i.StartedAt).ToString("yyyy-MM-dd HH:mm"),
            ["种类"] = Ledger.ActivityName(i.Activity),
            ["检查人"] = i.InspectorName,
            ["角色"] = i.Role,
            ["网格"] = i.GridId,
            ["场所"] = i.PlaceId?.ToString(),
            ["检查项"] = i.Checklist.Count,
            ["不合格项"] = i.Checklist.Count(c => !c.Ok),
            ["发现问题"] = string.Join("; ", i.Findings.Select(x => x.Description)),
        }));
    }

    /// <summary>
    /// Compliance for the grid subtree of <c>gridId</c> (default: the token's scope) over the days [from, to] in China
    /// Standard Time. Person rules bind everyone on duty in the subtree; grid rules bind every grid of the rule's level.
    /// </summary>
    private static async Task<IResult> Compliance(
        ClaimsPrincipal user, FireDbContext db, IGridDirectory grids, FireOptions options, TimeProvider time,
        string? gridId, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        if (FireAccess.Deny(user, FireRoles.Staff) is { } denied)
        {
            return denied;
        }

        var e = new FieldErrors();
        if (from is null)
        {
            e.Add("from", "is required (yyyy-MM-dd, China Standard Time)");
        }

        if (to is null)
        {
            e.Add("to", "is required (yyyy-MM-dd, China Standard Time)");
        }

        if (from is { } f0 && to is { } t0 && (t0 < f0 || t0.DayNumber - f0.DayNumber > 400))
        {
            e.Add("to", "must be on or after 'from' and at most 400 days later");
        }

        GridNode? root = null;
        if (gridId is { Length: > 0 } && (root = await grids.FindAsync(gridId, ct)) is null)
        {
            e.Add("gridId", $"grid '{gridId}' is unknown");
        }

        if (e.Any)
        {
            return e.Problem();
        }

        if (root is not null && FireAccess.Deny(user, FireRoles.Staff, root.Path) is { } outOfScope)
        {
            return outOfScope;
        }

        // Which grids: the asked subtree, or every subtree the token may see.
        var roots = root is not null ? [root] : FireAccess.ScopeFilter(user) is { } scopes
            ? (await Task.WhenAll(scopes.Select(s => grids.FindAsync(s, ct)))).OfType<GridNode>().ToList()
            : (await grids.RootsAsync(Domains.Fire, ct)).ToList();
        var subtree = new Dictionary<string, GridNode>();
        foreach (var r in roots)
        {
            foreach (var n in await grids.SubtreeAsync(r.Id, ct))
            {
                subtree[n.Id] = n;
            }
        }

        var ids = subtree.Keys.ToArray();
        var fromUtc = new DateTimeOffset(from!.Value.ToDateTime(TimeOnly.MinValue), ComplianceCalculator.ChinaOffset).ToUniversalTime();
        var toUtc = new DateTimeOffset(to!.Value.AddDays(1).ToDateTime(TimeOnly.MinValue), ComplianceCalculator.ChinaOffset).ToUniversalTime();
        var duties = await db.Duties.AsNoTracking().Where(d => ids.Contains(d.GridId)).ToListAsync(ct);
        var records = await db.Inspections.AsNoTracking()
            .Where(i => i.GridPath.Any(g => ids.Contains(g)) && i.StartedAt >= fromUtc && i.StartedAt < toUtc)
            .Select(i => new DoneInspection(i.InspectorId, i.GridPath, i.Activity, i.StartedAt))
            .ToListAsync(ct);

        var result = ComplianceCalculator.Compute(
            options.Rules,
            duties.Select(d => new DutyHolder(d.StaffId, d.Name, d.Role, d.GridId, d.GridLevel, d.From, d.To)).ToList(),
            subtree.Values.Select(g => new GridTarget(g.Id, g.Level)).ToList(),
            records, from.Value, to.Value, time.GetUtcNow());

        object Row(RuleCompliance r) => new
        {
            rule = r.RuleKey,
            target = r.Target,
            targetId = r.TargetId,
            name = r.TargetName,
            gridId = r.GridId,
            activity = r.Activity,
            required = r.Required,
            done = r.Done,
            credited = r.Credited,
            nightRequired = r.NightRequired,
            nightDone = r.NightDone,
            rate = r.Required == 0 ? 1.0 : Math.Round((double)r.Credited / r.Required, 4),
            overduePeriods = r.Overdue.Count(),
        };

        return TypedResults.Ok(new
        {
            from,
            to,
            timeZone = "China Standard Time (UTC+8)",
            totals = new
            {
                required = result.Sum(r => r.Required),
                credited = result.Sum(r => r.Credited),
                rate = result.Sum(r => r.Required) == 0 ? 1.0 : Math.Round((double)result.Sum(r => r.Credited) / result.Sum(r => r.Required), 4),
            },
            people = result.Where(r => r.Target == RuleTarget.Person).Select(Row),
            grids = result.Where(r => r.Target == RuleTarget.Grid).Select(Row),
            overdue = result.SelectMany(r => r.Overdue.Select(p => new
            {
                rule = r.RuleKey,
                targetId = r.TargetId,
                name = r.TargetName,
                gridId = r.GridId,
                periodStart = p.Start,
                periodEnd = p.End.AddDays(-1),
                required = p.Required,
                done = p.Done,
                nightRequired = p.NightRequired,
                nightDone = p.NightDone,
            })).OrderBy(o => o.periodStart).ThenBy(o => o.targetId),
        });
    }
}
