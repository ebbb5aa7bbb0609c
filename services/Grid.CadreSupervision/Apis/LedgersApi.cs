using System.Globalization;
using System.Security.Claims;
using Grid.CadreSupervision.Domain;
using Grid.CadreSupervision.Infrastructure;
using Grid.Casework.Apis;
using Grid.Casework.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.CadreSupervision.Apis.CadreSupervisionApi;

namespace Grid.CadreSupervision.Apis;

/// <summary>
/// 台账 as Excel (<see cref="LedgerFile"/>): a cadre's file, the warnings ledger (预警台账) and the accountability ledger
/// (问责台账), with the access of the same data as JSON. Who reported is in none of them: a report's row names its case.
/// </summary>
public static class LedgersApi
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    public static RouteGroupBuilder MapLedgersApi(this RouteGroupBuilder api)
    {
        api.MapGet("/cadres/{id:guid}/export.xlsx", CadreFile).WithSummary("The file as an Excel ledger (discipline commission only; each export audited).");
        api.MapGet("/warnings/export.xlsx", Warnings).WithSummary("预警台账: warnings and their consequences, of one unit (its contact or the commission) or of the commission's grids.");
        api.MapGet("/accountability/export.xlsx", Accountability).WithSummary("问责台账: the records of every domain (county discipline commission).");
        return api;
    }

    private static string Day(DateTimeOffset at) => at.ToOffset(China).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static async Task<IResult> CadreFile(Guid id, ClaimsPrincipal user, CadreDbContext db, CaseworkDatabase casework, CancellationToken ct)
    {
        if (CadreAccess.Deny(user, CadreRoles.FileOwners) is { } denied)
        {
            return denied;
        }

        if (await CadresApi.ExportedFileAsync(id, "xlsx", user, db, casework, ct) is not { } f)
        {
            return GridProblems.NotFound("Cadre", id);
        }

        var c = f.Cadre;
        Dictionary<string, object?> Row(string section, DateTimeOffset at, string? circle, string kind, string content, string? note) => new()
        {
            ["干部"] = c.Name,
            ["职务"] = c.Post,
            ["工作单位"] = c.DepartmentName,
            ["居住网格"] = c.GridId,
            ["栏目"] = section,
            ["日期"] = Day(at),
            ["四圈"] = circle is null ? null : FourCircles.Chinese(circle),
            ["类别"] = kind,
            ["内容"] = content,
            ["备注"] = note,
        };

        var rows = f.Entries.Select(e => Row("网格监督登记", e.RecordedAt, e.Circle, CadreFileDocument.KindOf(e, f.CaseNumbers), e.Item is null ? e.Summary : $"{e.Item}：{e.Summary}", null))
            .Concat(f.Warnings.Select(w => Row("预警书", w.IssuedAt, null, $"第{w.CountInWindow}次", w.Reason, null)))
            .Concat(f.Commitments.Select(m => Row("公开承诺", m.RecordedAt, null, $"{m.Year}年度", m.Text, m.Progress)));
        return LedgerFile.Excel($"干部档案-{c.Name}", rows);
    }

    private static async Task<IResult> Warnings(string? departmentId, ClaimsPrincipal user, CadreDbContext db, CancellationToken ct)
    {
        // One unit: its contact or the commission; every unit: the commission, over its grids.
        var denied = departmentId is { Length: > 0 }
            ? await UnitsApi.DenyUnitAsync(user, departmentId, db, ct)
            : CadreAccess.Deny(user, CadreRoles.FileOwners);
        if (denied is not null)
        {
            return denied;
        }

        var scopes = UnitsApi.OwnerScope(user);
        var rows = await (from w in db.Warnings.AsNoTracking()
                          join c in db.Cadres.AsNoTracking() on w.CadreId equals c.Id
                          where (departmentId == null || departmentId == "" || w.DepartmentId == departmentId)
                                && (scopes == null || c.GridPath.Any(g => scopes.Contains(g)))
                          orderby w.IssuedAt
                          select new { w.Id, c.Name, c.Post, c.DepartmentName, w.Reason, w.IssuedOn, w.CountInWindow }).Take(5000).ToListAsync(ct);
        var ids = rows.Select(r => r.Id).ToList();
        var tasks = (await db.UnitTasks.AsNoTracking().Where(t => ids.Contains(t.WarningId)).ToListAsync(ct)).ToLookup(t => t.WarningId);
        return LedgerFile.Excel("预警台账", rows.Select(r => new Dictionary<string, object?>
        {
            ["日期"] = r.IssuedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["干部"] = r.Name,
            ["职务"] = r.Post,
            ["工作单位"] = r.DepartmentName,
            ["累计次数"] = r.CountInWindow,
            ["事由"] = r.Reason,
            ["单位须办"] = string.Join("；", tasks[r.Id].Select(t => WarningRules.Chinese(t.Kind) + (t.DueBy is { } d ? $"（{d:yyyy-MM-dd}前）" : ""))),
        }));
    }

    private static async Task<IResult> Accountability(
        ClaimsPrincipal user, CadreDbContext db, IGridDirectory grids, string? responsible, string? period, string? kind, CancellationToken ct)
    {
        if (await AccountabilityApi.DenyCountyAsync(user, grids, ct) is { } denied)
        {
            return denied;
        }

        if (AccountabilityApi.Filter(db, responsible, period, kind) is not { } q)
        {
            return AccountabilityApi.BadKind();
        }

        var rows = await q.OrderBy(r => r.OccurredAt).Take(5000).ToListAsync(ct);
        return LedgerFile.Excel("问责台账", rows.Select(r => new Dictionary<string, object?>
        {
            ["月份"] = r.Period,
            ["发生时间"] = Day(r.OccurredAt),
            ["类别"] = AccountabilityRules.Kinds.GetValueOrDefault(r.Kind, r.Kind),
            ["领域"] = r.Domain,
            ["案件编号"] = r.CaseNumber,
            ["环节"] = r.Step,
            ["期限"] = r.Deadline is { } d ? Day(d) : null,
            ["返工次数"] = r.ReopenCount,
            ["责任人"] = r.Responsible,
            ["责任网格"] = r.ResponsibleGridId,
        }));
    }
}
