using System.Security.Claims;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;
using Grid.LaborInspection.Domain;
using static Grid.LaborInspection.Apis.LaborInspectionApi;

namespace Grid.LaborInspection.Apis;

/// <summary>人员配备: each labor grid in the caller's scope against its staffing minimum, the ones below it named.</summary>
public static class StaffingApi
{
    public sealed record GridStaffing(string GridId, string Name, string Level, string Post, IReadOnlyList<string> Roles, int Required, int Present, int Missing, IReadOnlyList<string> People);

    public static RouteGroupBuilder MapStaffingApi(this RouteGroupBuilder api)
    {
        api.MapGet("/staffing", Report).WithSummary("Labor grids below their staffing minimum (≥2 inspectors per township, ≥2 coordinators per village), required vs present.");
        return api;
    }

    private static async Task<IResult> Report(ClaimsPrincipal user, IGridDirectory grids, LaborOptions options, string? gridId, bool? all, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, LaborRoles.Managers) is { } denied)
        {
            return denied;
        }

        var roots = new List<GridNode>();
        if (gridId is { Length: > 0 })
        {
            if (await grids.FindAsync(gridId, ct) is not { } root)
            {
                return GridProblems.Invalid("gridId", $"grid '{gridId}' is unknown");
            }

            if (LaborAccess.Deny(user, LaborRoles.Managers, root.Path) is { } outOfScope)
            {
                return outOfScope;
            }

            roots.Add(root);
        }
        else
        {
            roots.AddRange(await grids.RootsAsync(Domains.Labor, ct));
        }

        var rules = options.Staffing;
        var rows = new List<GridStaffing>();
        foreach (var root in roots)
        {
            foreach (var g in await grids.SubtreeAsync(root.Id, ct))
            {
                if (rules.For(g.Level, GridLevelNames.Of) is not { } requirement || !LaborAccess.Covers(user, LaborRoles.Managers, g.Path))
                {
                    continue;
                }

                var staff = (await grids.GetChainAsync(g.Id, ct))?.FirstOrDefault()?.Responsible ?? [];
                var check = requirement.Check(staff.Select(s => (s.Id, s.Name, s.Role)));
                rows.Add(new GridStaffing(g.Id, g.Name, g.Level, check.Post, check.Roles, check.Required, check.Present, check.Missing, check.People));
            }
        }

        var below = rows.Where(r => r.Missing > 0).ToList();
        return TypedResults.Ok(new
        {
            rules = new { rules.TownshipLevel, rules.InspectorsPerTownship, inspectorRoles = rules.Inspectors, rules.VillageLevel, rules.CoordinatorsPerVillage, coordinatorRoles = rules.Coordinators },
            checkedGrids = rows.Count,
            belowMinimum = below.Count,
            missing = below.Sum(r => r.Missing),
            grids = all == true ? rows : below,
        });
    }
}
