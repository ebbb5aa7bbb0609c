using System.Security.Claims;
using Grid.Casework.Apis;
using Grid.Casework.Infrastructure;
using Grid.LaborInspection.Domain;
using Grid.LaborInspection.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.LaborInspection.Apis.LaborInspectionApi;

namespace Grid.LaborInspection.Apis;

/// <summary>台账: the employers, complaints and inspections ledgers as Excel sheets with the bureau's Chinese headers, in the caller's scope.</summary>
public static class LedgersApi
{
    /// <summary>The most rows a sheet carries; narrow by grid or period past it.</summary>
    public const int MaxRows = 20_000;

    public static RouteGroupBuilder MapLedgersApi(this RouteGroupBuilder api)
    {
        api.MapGet("/employers/ledger.xlsx", Employers).WithSummary("用人单位台账 as Excel.");
        api.MapGet("/complaints/ledger.xlsx", Complaints).WithSummary("投诉举报台账 as Excel (received in [from, to]; never the complainant).");
        api.MapGet("/inspections/ledger.xlsx", Inspections).WithSummary("检查台账 as Excel ([from, to]).");
        return api;
    }

    private static string KindName(EmployerKind k) => k switch
    {
        EmployerKind.Company => "企业",
        EmployerKind.IndividualBusiness => "个体工商户",
        _ => "机关事业单位",
    };

    private static string RiskName(RiskLevel r) => r switch
    {
        RiskLevel.High => "高",
        RiskLevel.Medium => "中",
        _ => "低",
    };

    private static string HoursName(WorkingHours w) => w switch
    {
        WorkingHours.Comprehensive => "综合计算工时制",
        WorkingHours.Flexible => "不定时工作制",
        _ => "标准工时制",
    };

    private static async Task<IResult> Employers(ClaimsPrincipal user, LaborDbContext db, string? gridId, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, LaborRoles.Managers) is { } denied)
        {
            return denied;
        }

        var rows = await EmployersApi.Scoped(db.Employers.AsNoTracking(), user).UnderGrid(gridId, e => e.GridPath)
            .OrderBy(e => e.GridId).ThenBy(e => e.Name).Take(MaxRows).ToListAsync(ct);
        return LedgerFile.Excel("用人单位台账", rows.Select(e => new Dictionary<string, object?>
        {
            ["单位名称"] = e.Name,
            ["单位类型"] = KindName(e.Kind),
            ["统一社会信用代码"] = e.SubjectId,
            ["网格"] = e.GridId,
            ["地址"] = e.Address,
            ["法定代表人"] = e.LegalRepresentative,
            ["联系电话"] = e.Phone,
            ["用工人数"] = e.Headcount,
            ["已签合同人数"] = e.ContractsSigned,
            ["合同到期人数"] = e.ContractsDue,
            ["参保人数"] = e.InsuranceEnrolled,
            ["工资发放至"] = e.WagesPaidThrough?.ToString("yyyy-MM"),
            ["工时制度"] = HoursName(e.WorkingHours),
            ["风险等级"] = RiskName(e.Risk),
            ["上次检查"] = e.LastInspectedOn?.ToString("yyyy-MM-dd"),
            ["下次检查"] = e.NextInspectionDue.ToString("yyyy-MM-dd"),
        }));
    }

    private static async Task<IResult> Complaints(
        ClaimsPrincipal user, LaborDbContext db, CaseworkDatabase casework, TimeProvider time, string? gridId, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, LaborRoles.Managers) is { } denied)
        {
            return denied;
        }

        var (f, t, bad) = InspectionsApi.Period(from, to, LaborDay.Today(time));
        if (bad is not null)
        {
            return bad;
        }

        var rows = await (from c in LaborAccess.Scoped(db.Complaints.AsNoTracking(), user, c => c.GridPath).UnderGrid(gridId, c => c.GridPath)
                          join e in db.Employers.AsNoTracking() on c.EmployerId equals e.Id
                          join m in db.Mediations.AsNoTracking() on c.CaseId equals m.CaseId into ms
                          from m in ms.DefaultIfEmpty()
                          where c.ReceivedOn >= f && c.ReceivedOn <= t
                          orderby c.ReceivedOn, c.CaseId
                          select new { c, Employer = e.Name, GridId = e.GridId, Agreed = (decimal?)m.AmountAgreed, PaidOn = (DateOnly?)m.PaidOn })
            .Take(MaxRows).ToListAsync(ct);
        var cases = await CaseNumbersAsync(casework, [.. rows.Select(r => r.c.CaseId)], ct);
        return LedgerFile.Excel("投诉举报台账", rows.Select(r => new Dictionary<string, object?>
        {
            ["案件编号"] = cases.GetValueOrDefault(r.c.CaseId).Number,
            ["被投诉单位"] = r.Employer,
            ["网格"] = r.GridId,
            ["来源"] = r.c.Channel == "hotline" ? "12333热线" : "村(社区)协管员",
            ["收到日期"] = r.c.ReceivedOn.ToString("yyyy-MM-dd"),
            ["受理期限"] = r.c.AcceptBy.ToString("yyyy-MM-dd"),
            ["受理日期"] = r.c.AcceptedOn?.ToString("yyyy-MM-dd"),
            ["不予受理原因"] = r.c.RefusedReason,
            ["办结期限"] = r.c.FinishBy?.ToString("yyyy-MM-dd"),
            ["延期"] = r.c.Extensions > 0 ? "是" : "否",
            ["办结日期"] = r.c.FinishedOn?.ToString("yyyy-MM-dd"),
            ["按期办结"] = r.c.FinishedOn is { } done ? (r.c.FinishBy is { } by && done <= by ? "是" : "否") : null,
            ["涉及人数"] = r.c.Workers,
            ["投诉金额(元)"] = r.c.AmountClaimed,
            ["重大/群体性"] = r.c.MajorReason,
            ["调处金额(元)"] = r.Agreed,
            ["支付日期"] = r.PaidOn?.ToString("yyyy-MM-dd"),
            ["状态"] = cases.GetValueOrDefault(r.c.CaseId).State,
        }));
    }

    private static async Task<IResult> Inspections(ClaimsPrincipal user, LaborDbContext db, TimeProvider time, string? gridId, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, LaborRoles.Managers) is { } denied)
        {
            return denied;
        }

        var (f, t, bad) = InspectionsApi.Period(from, to, LaborDay.Today(time));
        if (bad is not null)
        {
            return bad;
        }

        var rows = await (from i in LaborAccess.Scoped(db.Inspections.AsNoTracking(), user, i => i.GridPath).UnderGrid(gridId, i => i.GridPath)
                          join e in db.Employers.AsNoTracking() on i.EmployerId equals e.Id
                          join c in db.Campaigns.AsNoTracking() on i.CampaignId equals c.Id into cs
                          from c in cs.DefaultIfEmpty()
                          where i.InspectedOn >= f && i.InspectedOn <= t
                          orderby i.InspectedOn, i.Id
                          select new { i, Employer = e.Name, Campaign = c.Name }).Take(MaxRows).ToListAsync(ct);
        return LedgerFile.Excel("检查台账", rows.Select(r => new Dictionary<string, object?>
        {
            ["检查日期"] = r.i.InspectedOn.ToString("yyyy-MM-dd"),
            ["用人单位"] = r.Employer,
            ["网格"] = r.i.GridId,
            ["检查类型"] = r.Campaign is null ? "巡视检查" : $"专项检查({r.Campaign})",
            ["检查人"] = r.i.InspectorName,
            ["不合格项目"] = string.Join("、", r.i.Checklist.Where(c => !c.Ok).Select(c => c.Item)),
            ["发现问题"] = string.Join("；", r.i.Findings.Select(x => x.Description)),
            ["整改期限"] = string.Join("；", r.i.Findings.Where(x => x.RectifyBy is not null).Select(x => x.RectifyBy!.Value.ToString("yyyy-MM-dd"))),
            ["跟踪案件"] = r.i.Findings.Count(x => x.CaseId is not null),
            ["检查情况"] = r.i.Summary,
        }));
    }

    /// <summary>The case number and state of each complaint, from Casework's table.</summary>
    private static async Task<Dictionary<Guid, (string? Number, string? State)>> CaseNumbersAsync(CaseworkDatabase casework, Guid[] ids, CancellationToken ct)
    {
        var result = new Dictionary<Guid, (string?, string?)>();
        await using var conn = await casework.DataSource.OpenConnectionAsync(ct);
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT id, number, state FROM casework.cases WHERE id = ANY($1)", conn);
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = ids });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            result[r.GetGuid(0)] = (r.GetString(1), r.GetString(2));
        }

        return result;
    }
}
