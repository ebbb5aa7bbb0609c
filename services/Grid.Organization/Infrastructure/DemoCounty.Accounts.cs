using Dapper;
using Grid.Organization.Domain;
using Grid.Organization.Identity;
using Npgsql;

namespace Grid.Organization.Infrastructure;

/// <summary>The demo county's log-ins.</summary>
public static partial class DemoCounty
{
    private sealed record DemoAccounts(IReadOnlyList<string> Names, string Password, bool FromConfig);

    /// <summary>Demo log-ins: accounts on existing staff of township 01 and on the county office, with one password.</summary>
    private static async Task<DemoAccounts> SeedAccountsAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, List<Cell> cells, List<(Guid Staff, Guid Grid, string Role, string Domain)> posts, Cast cast, IConfiguration configuration)
    {
        var configured = configuration["Identity:DemoPassword"];
        var password = string.IsNullOrEmpty(configured) ? PasswordHasher.NewPassword() : configured;
        var hash = PasswordHasher.Hash(password);
        var roots = cells.Where(c => c.Depth == 0).Select(c => c.Id).ToArray();
        var town01 = cells.Where(c => c.Depth == 2 && c.Township == 0).Select(c => c.Id).ToArray();
        var worker = posts.First(p => p.Role == StaffRoles.GridWorker && cells.First(c => c.Id == p.Grid) is { Hierarchy: "comprehensive", Township: 0, Depth: 4 }).Staff;
        var fireSupervisor = posts.First(p => p.Role == StaffRoles.FireSupervisor && cells.First(c => c.Id == p.Grid) is { Hierarchy: "fire", Township: 0 }).Staff;
        var envOfficer = posts.First(p => p.Role == StaffRoles.EnvironmentOfficer && cells.First(c => c.Id == p.Grid) is { Township: 0 }).Staff;
        var envChief = posts.First(p => p.Role == StaffRoles.GridChief && cells.First(c => c.Id == p.Grid) is { Hierarchy: "environment", Township: 0, Depth: 2 }).Staff;
        var laborCoordinator = posts.First(p => p.Role == StaffRoles.LaborCoordinator && cells.First(c => c.Id == p.Grid) is { Township: 0 }).Staff;
        var laborInspector = posts.First(p => p.Role == StaffRoles.LaborInspector && cells.First(c => c.Id == p.Grid) is { Township: 0 }).Staff;
        var cadreSupervisor = posts.First(p => p.Role == StaffRoles.Supervisor && cells.First(c => c.Id == p.Grid) is { Hierarchy: "cadre", Township: 0, Depth: 2 }).Staff;
        var drugsChief = posts.First(p => p.Role == StaffRoles.GridChief && cells.First(c => c.Id == p.Grid) is { Hierarchy: "drugs", Township: 0, Depth: 2 }).Staff;
        var drugsCounty = posts.First(p => p.Role == StaffRoles.GridChief && cells.First(c => c.Id == p.Grid) is { Hierarchy: "drugs", Depth: 0 }).Staff;
        var drugsInformant = posts.First(p => p.Role == StaffRoles.Informant && cells.First(c => c.Id == p.Grid) is { Hierarchy: "drugs", Township: 0, Depth: 3 }).Staff;
        var accounts = new (string User, Guid? Staff, string[] Roles, Guid[] Scope)[]
        {
            ("county-admin", null, [SystemRoles.OrgAdmin], roots),
            ("town01-admin", null, [SystemRoles.OrgAdmin], town01),
            ("worker01", worker, [], []),
            ("fire01", fireSupervisor, [], []),
            ("town01-fire", cast.TownshipFireOffice, [], []),
            ("village01-fire", cast.VillageFireManager, [], []),
            ("fire-county", cast.FireBrigade, [], []),
            ("env01", envOfficer, [], []),
            ("town01-env", envChief, [], []),
            ("env-county", cast.EnvironmentBureau, [], []),
            ("labor01", laborCoordinator, [], []),
            ("labor-inspector01", laborInspector, [], []),
            ("town01-labor", cast.LaborOffice, [], []),
            ("labor-county", cast.LaborBrigade, [], []),
            ("town01-drugs", drugsChief, [], []),
            ("village01-drugs", drugsInformant, [], []),
            ("drugs-county", drugsCounty, [], []),
            ("commander01", cast.Commander, [], []),
            ("reward01", cast.RewardCentre, [], []),
            ("discipline01", cast.Discipline, [], []),
            ("supervisor01", cadreSupervisor, [], []),
        };
        foreach (var a in accounts)
        {
            if (a.Staff is { } existing)
            {
                await conn.ExecuteAsync("UPDATE staff SET username = @User, password_hash = @hash WHERE id = @existing", new { a.User, hash, existing }, tx);
            }
            else
            {
                await conn.ExecuteAsync(
                    "INSERT INTO staff (id, name, phone, username, password_hash, system_roles, scope_grids) VALUES (@id, @name, '0371-12345', @User, @hash, @Roles, @Scope)",
                    new { id = Guid.CreateVersion7(), name = a.User == "county-admin" ? "县网格中心管理员" : "城关镇网格管理员", a.User, hash, a.Roles, a.Scope }, tx);
            }
        }

        return new DemoAccounts(accounts.Select(a => a.User).ToList(), password, !string.IsNullOrEmpty(configured));
    }
}
