using System.Globalization;
using System.Security.Claims;
using Grid.Casework.Apis;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;
using Grid.LaborInspection.Domain;
using Grid.LaborInspection.Infrastructure;
using static Grid.LaborInspection.Apis.LaborInspectionApi;

namespace Grid.LaborInspection.Apis;

/// <summary>统计: complaints, finished within the legal time, arrears recovered, employers filed and inspected — per grid, ranked; and the monthly report per township.</summary>
public static class StatisticsApi
{
    public static RouteGroupBuilder MapStatisticsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/statistics", PerGrid).WithSummary("Figures per child grid of gridId for [from, to], ranked by complaints finished in time, then employers inspected.");
        api.MapGet("/statistics/monthly", Monthly).WithSummary("月报: a month's figures per township (format=xlsx for the sheet).");
        return api;
    }

    private static object Row(int rank, LaborFigures f) => new
    {
        rank,
        f.GridId,
        f.Name,
        f.ComplaintsReceived,
        f.ComplaintsFinished,
        f.FinishedInTime,
        f.InTimeRate,
        f.ArrearsClaimed,
        f.WorkersOwed,
        f.ArrearsRecovered,
        f.WorkersPaid,
        f.EmployersFiled,
        f.EmployersInspected,
        f.InspectedRate,
        f.Inspections,
    };

    private static async Task<IResult> PerGrid(
        ClaimsPrincipal user, IGridDirectory grids, LaborStatistics statistics, TimeProvider time, string? gridId, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, LaborRoles.Managers) is { } denied)
        {
            return denied;
        }

        var (f, t, bad) = InspectionsApi.Period(from, to, LaborDay.Today(time));
        var (root, refused) = await RootAsync(user, grids, gridId, ct);
        if ((bad ?? refused) is { } problem)
        {
            return problem;
        }

        var children = (await grids.SubtreeAsync(root!.Id, ct)).Where(g => g.ParentId == root.Id).ToList();
        var rows = LaborFigures.Ranked(await statistics.ForAsync(user, children.Count > 0 ? children : [root], f, t, ct));
        return TypedResults.Ok(new { grid = new { root.Id, root.Name }, from = f, to = t, rows = rows.Select(r => Row(r.Rank, r.Figures)) });
    }

    private static async Task<IResult> Monthly(
        ClaimsPrincipal user, IGridDirectory grids, LaborStatistics statistics, LaborOptions options, TimeProvider time, string? month, string? gridId, string? format, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, LaborRoles.Managers) is { } denied)
        {
            return denied;
        }

        var today = LaborDay.Today(time);
        var first = new DateOnly(today.Year, today.Month, 1);
        if (month is { Length: > 0 } && !DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out first))
        {
            return GridProblems.Invalid("month", "must be yyyy-MM");
        }

        if (format is { Length: > 0 } and not ("json" or "xlsx"))
        {
            return GridProblems.Invalid("format", "must be json or xlsx");
        }

        var (root, refused) = await RootAsync(user, grids, gridId, ct);
        if (refused is not null)
        {
            return refused;
        }

        var level = GridLevelNames.Of(options.Staffing.TownshipLevel);
        var townships = (await grids.SubtreeAsync(root!.Id, ct)).Where(g => g.Level == level).ToList();
        var last = first.AddMonths(1).AddDays(-1);
        var rows = LaborFigures.Ranked(await statistics.ForAsync(user, townships, first, last, ct));
        if (format == "xlsx")
        {
            return LedgerFile.Excel($"劳动保障监察月报{first:yyyy-MM}", rows.Select(r => new Dictionary<string, object?>
            {
                ["排名"] = r.Rank,
                ["乡镇(街道、园区)"] = r.Figures.Name,
                ["受理投诉举报"] = r.Figures.ComplaintsReceived,
                ["办结"] = r.Figures.ComplaintsFinished,
                ["按期办结"] = r.Figures.FinishedInTime,
                ["按期办结率"] = r.Figures.InTimeRate,
                ["投诉欠薪(元)"] = r.Figures.ArrearsClaimed,
                ["欠薪涉及劳动者(人)"] = r.Figures.WorkersOwed,
                ["追回欠薪(元)"] = r.Figures.ArrearsRecovered,
                ["涉及劳动者(人)"] = r.Figures.WorkersPaid,
                ["建档用人单位"] = r.Figures.EmployersFiled,
                ["检查用人单位"] = r.Figures.EmployersInspected,
                ["检查覆盖率"] = r.Figures.InspectedRate,
                ["检查次数"] = r.Figures.Inspections,
            }));
        }

        return TypedResults.Ok(new { month = first.ToString("yyyy-MM", CultureInfo.InvariantCulture), from = first, to = last, townshipLevel = options.Staffing.TownshipLevel, rows = rows.Select(r => Row(r.Rank, r.Figures)) });
    }

    /// <summary>The grid a report covers: the one asked, else the caller's one post grid, else the labor district; in scope for <paramref name="roles"/> (the managers' by default).</summary>
    internal static async Task<(GridNode? Root, IResult? Problem)> RootAsync(ClaimsPrincipal user, IGridDirectory grids, string? gridId, CancellationToken ct, string[]? roles = null)
    {
        roles ??= LaborRoles.Managers;
        var id = gridId is { Length: > 0 } ? gridId : LaborAccess.ScopeFilter(user, roles) is [var only] ? only : null;
        var root = id is not null ? await grids.FindAsync(id, ct) : (await grids.RootsAsync(Domains.Labor, ct)).FirstOrDefault();
        if (root is null)
        {
            return (null, GridProblems.Invalid("gridId", $"grid '{id}' is unknown"));
        }

        return LaborAccess.Deny(user, roles, root.Path) is { } outOfScope ? (null, outOfScope) : (root, null);
    }
}
