using System.Security.Claims;
using Grid.Casework.Apis;
using Grid.DrugSupply.Domain;
using Grid.DrugSupply.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.DrugSupply.Apis.DrugSupplyApi;

namespace Grid.DrugSupply.Apis;

/// <summary>台账: the supply points, the inspections and the screening samples in the caller's scope as Excel sheets.</summary>
public static class LedgersApi
{
    private const int MaxRows = 50_000;

    public static RouteGroupBuilder MapLedgersApi(this RouteGroupBuilder api)
    {
        api.MapGet("/points/ledger.xlsx", Points).WithSummary("供应点台账 (gridId).");
        api.MapGet("/inspections/ledger.xlsx", Inspections).WithSummary("检查台账 over [from, to] (gridId).");
        api.MapGet("/samples/ledger.xlsx", Samples).WithSummary("抽验台账 over [from, to] (gridId).");
        return api;
    }

    private static async Task<IResult> Points(string? gridId, ClaimsPrincipal user, DrugsDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (DrugsAccess.Deny(user, DrugRoles.Staff) is { } denied)
        {
            return denied;
        }

        var today = DrugsDay.Today(time);
        var rows = await SupplyPointsApi.Scoped(db.SupplyPoints.AsNoTracking(), user).UnderGrid(gridId, p => p.GridPath)
            .OrderBy(p => p.GridId).ThenBy(p => p.Name).Take(MaxRows).ToListAsync(ct);
        return LedgerFile.Excel("供应点台账", rows.Select(p => new Dictionary<string, object?>
        {
            ["名称"] = p.Name,
            ["类别"] = KindName(p.Kind),
            ["网格"] = p.GridId,
            ["地址"] = p.Address,
            ["主体"] = p.SubjectId,
            ["许可证号"] = p.LicenceNumber,
            ["GSP证书"] = p.GspNumber,
            ["GSP有效期至"] = p.GspValidUntil?.ToString("yyyy-MM-dd"),
            ["GSP有效"] = p.Kind.Sells() ? (p.GspValidOn(today) ? "是" : "否") : "不适用",
            ["统一采购"] = p.UnifiedProcurement ? "是" : "否",
            ["统一配送"] = p.UnifiedDistribution ? "是" : "否",
            ["统一价格"] = p.UnifiedPrice ? "是" : "否",
            ["规范药房"] = p.Standard ? "是" : "否",
            ["最近检查"] = p.LastInspectedOn?.ToString("yyyy-MM-dd"),
        }));
    }

    private static async Task<IResult> Inspections(string? gridId, DateOnly? from, DateOnly? to, ClaimsPrincipal user, DrugsDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (DrugsAccess.Deny(user, DrugRoles.Staff) is { } denied)
        {
            return denied;
        }

        var errors = new Dictionary<string, List<string>>();
        var (f, t) = Period(errors, from, to, DrugsDay.Today(time));
        if (errors.Count > 0)
        {
            return GridProblems.Invalid(errors);
        }

        var rows = await (from i in DrugsAccess.Scoped(db.Inspections.AsNoTracking(), user, i => i.GridPath).UnderGrid(gridId, i => i.GridPath)
                          join p in db.SupplyPoints.AsNoTracking() on i.PointId equals p.Id
                          where i.On >= f && i.On <= t
                          orderby i.On, p.Name
                          select new { i, p.Name, p.GridId }).Take(MaxRows).ToListAsync(ct);
        return LedgerFile.Excel("检查台账", rows.Select(r => new Dictionary<string, object?>
        {
            ["日期"] = r.i.On.ToString("yyyy-MM-dd"),
            ["方式"] = r.i.ReInspection ? "复查" : Rectifications.KindName(r.i.Kind),
            ["供应点"] = r.Name,
            ["网格"] = r.GridId,
            ["结果"] = r.i.Passed ? "合格" : "不合格",
            ["不合格项"] = string.Join("、", r.i.Failed.Select(Checklist.Name)),
            ["整改案件"] = r.i.CaseId?.ToString(),
            ["检查人"] = r.i.InspectedBy,
            ["备注"] = r.i.Notes,
        }));
    }

    private static async Task<IResult> Samples(string? gridId, DateOnly? from, DateOnly? to, ClaimsPrincipal user, DrugsDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (DrugsAccess.Deny(user, DrugRoles.Staff) is { } denied)
        {
            return denied;
        }

        var errors = new Dictionary<string, List<string>>();
        var (f, t) = Period(errors, from, to, DrugsDay.Today(time));
        if (errors.Count > 0)
        {
            return GridProblems.Invalid(errors);
        }

        var (fromUtc, toUtc) = (DrugsDay.StartOf(f), DrugsDay.StartOf(t.AddDays(1)));
        var rows = await (from s in DrugsAccess.Scoped(db.Samples.AsNoTracking(), user, s => s.GridPath).UnderGrid(gridId, s => s.GridPath)
                          join p in db.SupplyPoints.AsNoTracking() on s.PointId equals p.Id
                          where s.SampledAt >= fromUtc && s.SampledAt < toUtc
                          orderby s.SampledAt
                          select new { s, p.Name }).Take(MaxRows).ToListAsync(ct);
        return LedgerFile.Excel("抽验台账", rows.Select(r => new Dictionary<string, object?>
        {
            ["抽样时间(北京时间)"] = r.s.SampledAt.ToOffset(DrugsDay.Offset).ToString("yyyy-MM-dd HH:mm"),
            ["供应点"] = r.Name,
            ["网格"] = r.s.GridId,
            ["品名"] = r.s.Product,
            ["批号"] = r.s.BatchNumber,
            ["生产企业"] = r.s.Manufacturer,
            ["抽样人"] = r.s.SampledBy,
            ["初筛结果"] = r.s.Screening == ScreeningResult.Pass ? "合格" : "可疑",
            ["检验结论"] = r.s.Verdict switch { LabVerdict.Genuine => "合格", LabVerdict.Fake => "假药", LabVerdict.Substandard => "劣药", _ => null },
            ["检验报告"] = r.s.LabReport,
        }));
    }

    private static string KindName(SupplyPointKind k) => k switch
    {
        SupplyPointKind.TownshipPharmacy => "乡镇卫生院便民药房",
        SupplyPointKind.CommunityHealthCentre => "社区卫生服务中心药房",
        SupplyPointKind.VillageCabinet => "村卫生室便民药柜",
        SupplyPointKind.ChainStore => "连锁药店",
        _ => "零售药店",
    };
}
