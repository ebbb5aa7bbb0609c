using System.Security.Claims;
using Grid.DrugSupply.Domain;
using Grid.DrugSupply.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.DrugSupply.Apis.DrugSupplyApi;

namespace Grid.DrugSupply.Apis;

/// <summary>两网 coverage: the indicators against the configured targets, and the blank spots of both networks.</summary>
public static class CoverageApi
{
    public static RouteGroupBuilder MapCoverageApi(this RouteGroupBuilder api)
    {
        api.MapGet("/coverage", Indicators).WithSummary("覆盖率: village supply, standard pharmacies, GSP certification and follow-up, per township and in total.");
        api.MapGet("/coverage/history", History).WithSummary("覆盖率 over time: the indicators at the end of each of the last months (1–24, default 12).");
        api.MapGet("/coverage/blank-spots", BlankSpots).WithSummary("空白点: townships without a coordinator, villages without an informant or a supply point.");
        return api;
    }

    private static async Task<IResult> Indicators(
        string? gridId, ClaimsPrincipal user, DrugsDbContext db, SupervisionNetwork network, CoverageCalculator calculator, DrugFigures figures,
        GridPaths grids, TimeProvider time, CancellationToken ct)
    {
        if (await LoadAsync(gridId, user, db, network, grids, ct) is not { } scope)
        {
            return await Refusal(gridId, user, grids, ct);
        }

        var today = DrugsDay.Today(time);
        var followedUp = await figures.FollowedUpAsync(scope.Points, today, ct);
        var (total, townships) = calculator.Indicators(gridId ?? "all", gridId ?? "全部", scope.Townships, scope.Villages, scope.Points, followedUp, today);
        return TypedResults.Ok(new { on = today, total, townships });
    }

    /// <summary>
    /// The indicators as they stood at each month's end, from the points on file by then and the GSP follow-ups of that
    /// year to that day. The staff posts and a point's standard-pharmacy status are today's: the files keep no history of them.
    /// </summary>
    private static async Task<IResult> History(
        string? gridId, int? months, ClaimsPrincipal user, DrugsDbContext db, SupervisionNetwork network, CoverageCalculator calculator, DrugFigures figures,
        GridPaths grids, TimeProvider time, CancellationToken ct)
    {
        if (months is < 1 or > 24)
        {
            return GridProblems.Invalid("months", "must be from 1 to 24");
        }

        if (await LoadAsync(gridId, user, db, network, grids, ct) is not { } scope)
        {
            return await Refusal(gridId, user, grids, ct);
        }

        var today = DrugsDay.Today(time);
        var thisMonth = new DateOnly(today.Year, today.Month, 1);
        var rows = new List<object>();
        for (var back = (months ?? 12) - 1; back >= 0; back--)
        {
            var start = thisMonth.AddMonths(-back);
            var end = back == 0 ? today : start.AddMonths(1).AddDays(-1);
            var onFile = scope.Points.Where(p => DrugsDay.Of(p.CreatedAt) <= end).ToList();
            var followedUp = await figures.FollowedUpAsync(onFile, end, ct);
            var (total, _) = calculator.Indicators(gridId ?? "all", gridId ?? "全部", scope.Townships, scope.Villages, onFile, followedUp, end);
            rows.Add(new { month = start.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), on = end, total });
        }

        return TypedResults.Ok(rows);
    }

    private static async Task<IResult> BlankSpots(
        string? gridId, ClaimsPrincipal user, DrugsDbContext db, SupervisionNetwork network, CoverageCalculator calculator, GridPaths grids, CancellationToken ct)
    {
        if (await LoadAsync(gridId, user, db, network, grids, ct) is not { } scope)
        {
            return await Refusal(gridId, user, grids, ct);
        }

        return TypedResults.Ok(calculator.BlankSpots(scope.Townships, scope.Villages, scope.Points));
    }

    internal sealed record Scope(List<NetworkGrid> Townships, List<NetworkGrid> Villages, List<SupplyPoint> Points);

    /// <summary>The networks and points under the grid asked for (which must be in the caller's posts) or under all the caller's grids.</summary>
    internal static async Task<Scope?> LoadAsync(string? gridId, ClaimsPrincipal user, DrugsDbContext db, SupervisionNetwork network, GridPaths grids, CancellationToken ct)
    {
        if (DrugsAccess.Deny(user, DrugRoles.Staff) is not null)
        {
            return null;
        }

        IReadOnlyCollection<string>? scopes = DrugsAccess.ScopeFilter(user);
        if (gridId is { Length: > 0 })
        {
            if (await grids.PathOfAsync(gridId, ct) is not { } path || DrugsAccess.Deny(user, DrugRoles.Staff, path) is not null)
            {
                return null;
            }

            scopes = [gridId];
        }

        var (townships, villages) = await network.LoadAsync(scopes, await StaffRegister.DismissedAsync(db, ct), ct);
        var q = db.SupplyPoints.AsNoTracking();
        var filter = scopes?.ToArray();
        if (filter is not null)
        {
            q = q.Where(p => p.GridPath.Any(g => filter.Contains(g)));
        }

        return new Scope(townships, villages, await q.ToListAsync(ct));
    }

    /// <summary>Why <see cref="LoadAsync"/> gave nothing: the post (403), or an unknown grid (400 naming gridId).</summary>
    internal static async Task<IResult> Refusal(string? gridId, ClaimsPrincipal user, GridPaths grids, CancellationToken ct)
    {
        if (DrugsAccess.Deny(user, DrugRoles.Staff) is { } denied)
        {
            return denied;
        }

        return await grids.PathOfAsync(gridId!, ct) is { } path
            ? DrugsAccess.Deny(user, DrugRoles.Staff, path)!
            : GridProblems.Invalid("gridId", $"grid '{gridId}' is unknown");
    }
}
