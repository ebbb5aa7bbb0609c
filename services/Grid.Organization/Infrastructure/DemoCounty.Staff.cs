using Dapper;
using Grid.Contracts.Events;
using Grid.Contracts.Roles;
using Grid.Organization.Domain;
using Npgsql;
using NpgsqlTypes;

namespace Grid.Organization.Infrastructure;

/// <summary>The demo county's departments, staff and posts.</summary>
public static partial class DemoCounty
{
    private static async Task<Dictionary<string, Guid>> SeedDepartmentsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, List<Cell> cells)
    {
        var result = new Dictionary<string, Guid>();
        async Task AddAsync(string code, string name, string kind, string domain, Guid? grid)
        {
            var id = Guid.CreateVersion7();
            await conn.ExecuteAsync("INSERT INTO departments (id, code, name, kind, domain, grid_id) VALUES (@id, @code, @name, @kind, @domain, @grid)", new { id, code, name, kind, domain, grid }, tx);
            result[code] = id;
        }

        var county = cells.First(c => c.Hierarchy == "comprehensive" && c.Depth == 0).Id;
        await AddAsync("DEPT-FIRE", "示范县消防救援大队", "fire-brigade", "fire", county);
        await AddAsync("DEPT-ENV", "示范县生态环境分局", "environment-bureau", "environment", county);
        await AddAsync("DEPT-LABOR", "示范县劳动保障监察大队", "labor-brigade", "labor", county);
        await AddAsync("DEPT-MARKET", "示范县市场监督管理局", "drug-authority", "drugs", county);
        await AddAsync("DEPT-POLICE", "示范县公安局", "police-bureau", "comprehensive", county);
        await AddAsync("DEPT-HEALTH", "示范县卫生健康局", "health-bureau", "comprehensive", county);
        await AddAsync("DEPT-CADRE", "示范县纪委监委", "discipline-commission", "cadre", county);
        await AddAsync("DEPT-GRID", "示范县网格化服务管理中心", "grid-office", "comprehensive", county);

        // Price violations reported to drug supply go to the price authority (移送).
        await AddAsync("DEPT-PRICE", "示范县物价局(价格监督检查)", "price-authority", "comprehensive", county);
        foreach (var t in cells.Where(c => c.Hierarchy == "comprehensive" && c.Depth == 2))
        {
            var n = t.Township + 1;
            await AddAsync($"DEPT-GOV-{n:D2}", $"{t.Name}人民政府", "township-government", "comprehensive", t.Id);
            await AddAsync($"DEPT-POLICE-{n:D2}", $"{t.Name}派出所", "police-station", "comprehensive", t.Id);
            await AddAsync($"DEPT-SAFETY-{n:D2}", $"{t.Name}安监站", "safety-office", "fire", t.Id);
            await AddAsync($"DEPT-MARKET-{n:D2}", $"{t.Name}市场监管所", "drug-authority", "drugs", t.Id);
        }

        return result;
    }

    /// <summary>Staff for every role of every hierarchy, their posts, the departments' liaisons and the walk-through's cast, written with binary COPY.</summary>
    private static async Task<(int Count, List<(Guid Staff, Guid Grid, string Role, string Domain)> Posts, Cast Cast)> SeedStaffAsync(NpgsqlConnection conn, NpgsqlTransaction tx, List<Cell> cells, Dictionary<string, Guid> departments, Random random)
    {
        var staff = new List<(Guid Id, string No, string Name, string Phone, Guid? Dept)>();
        var posts = new List<(Guid Staff, Guid Grid, string Role, string Domain)>();
        var since = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Guid Person(Guid? dept)
        {
            var n = staff.Count;
            var id = Guid.CreateVersion7();
            staff.Add((id, $"S{n + 1:D5}", Surnames[random.Next(Surnames.Length)] + Given[random.Next(Given.Length)], $"13{random.Next(5, 10)}{random.Next(0, 100_000_000):D8}", dept));
            return id;
        }

        void Post(Guid person, Cell grid, string role, string domain) => posts.Add((person, grid.Id, role, domain));

        string D(string prefix, Cell c) => $"{prefix}-{c.Township + 1:D2}";
        foreach (var c in cells)
        {
            var h = c.Hierarchy;
            switch (h, c.Depth)
            {
                case ("comprehensive", <= 1):
                    Post(Person(departments["DEPT-GRID"]), c, c.Depth == 0 ? StaffRoles.GridChief : StaffRoles.AreaGridChief, h);
                    Post(Person(departments["DEPT-GRID"]), c, StaffRoles.Supervisor, h);
                    break;
                case ("comprehensive", 2):
                    Post(Person(departments[D("DEPT-GOV", c)]), c, StaffRoles.GridChief, h);
                    Post(Person(departments[D("DEPT-GOV", c)]), c, StaffRoles.GridInstructor, h);
                    Post(Person(departments[D("DEPT-POLICE", c)]), c, StaffRoles.CommunityPolice, h);
                    Post(Person(departments[D("DEPT-SAFETY", c)]), c, StaffRoles.SafetyOfficer, h);
                    Post(Person(departments[D("DEPT-GOV", c)]), c, StaffRoles.Supervisor, h);
                    break;
                case ("comprehensive", 3):
                    Post(Person(departments[D("DEPT-GOV", c)]), c, StaffRoles.GridChief, h);
                    Post(Person(null), c, StaffRoles.Informant, h);
                    Post(Person(null), c, StaffRoles.Assistant, h);
                    if (c.Households > 1000 || !cells.Any(x => x.Parent == c.Id))
                    {
                        Post(Person(departments[D("DEPT-GOV", c)]), c, StaffRoles.GridWorker, h);
                    }

                    break;
                case ("comprehensive", 4):
                    Post(Person(departments[D("DEPT-GOV", c)]), c, StaffRoles.GridWorker, h); // 一格一员
                    break;
                case ("fire", 0):
                    Post(Person(departments["DEPT-FIRE"]), c, StaffRoles.GridChief, h);
                    Post(Person(departments["DEPT-FIRE"]), c, StaffRoles.FireSupervisor, h);
                    break;
                case ("fire", 2):
                    Post(Person(departments[D("DEPT-GOV", c)]), c, StaffRoles.GridChief, h);
                    Post(Person(departments["DEPT-FIRE"]), c, StaffRoles.FireSupervisor, h);
                    Post(Person(departments[D("DEPT-SAFETY", c)]), c, StaffRoles.SafetyOfficer, h);
                    break;
                case ("fire", 3):
                    Post(Person(departments[D("DEPT-GOV", c)]), c, StaffRoles.GridChief, h);
                    break;
                case ("fire", 4):
                    Post(Person(null), c, StaffRoles.GridWorker, h);
                    break;
                case ("environment", 0):
                    Post(Person(departments["DEPT-ENV"]), c, StaffRoles.GridChief, h);
                    break;
                case ("environment", 2):
                    Post(Person(departments[D("DEPT-GOV", c)]), c, StaffRoles.GridChief, h);
                    Post(Person(departments["DEPT-ENV"]), c, StaffRoles.EnvironmentOfficer, h);
                    break;
                case ("environment", 3):
                    Post(Person(null), c, StaffRoles.Assistant, h);
                    break;
                case ("drugs", 0):
                    Post(Person(departments["DEPT-MARKET"]), c, StaffRoles.GridChief, h);
                    break;
                case ("drugs", 2):
                    Post(Person(departments[D("DEPT-MARKET", c)]), c, StaffRoles.GridChief, h);

                    // 两员: a coordinator (协管员) per township; 河西乡's post is vacant, a blank spot for the coverage report.
                    if (c.Township != 11)
                    {
                        Post(Person(departments[D("DEPT-MARKET", c)]), c, StaffRoles.Assistant, h);
                    }

                    break;
                case ("drugs", 3):
                    // 两员: an informant (信息员) per village, but for two villages still without one.
                    if (!c.Code.EndsWith("-06-4", StringComparison.Ordinal) && !c.Code.EndsWith("-10-3", StringComparison.Ordinal))
                    {
                        Post(Person(null), c, StaffRoles.Informant, h);
                    }

                    break;
                case ("labor", 0):
                    Post(Person(departments["DEPT-LABOR"]), c, StaffRoles.GridChief, h);
                    break;
                case ("labor", 2):
                    // 每个乡镇网格至少2名专兼职监察员; the third township has one, so the staffing report has a gap to name.
                    Post(Person(departments["DEPT-LABOR"]), c, StaffRoles.LaborInspector, h);
                    if (c.Township != 2)
                    {
                        Post(Person(departments[D("DEPT-GOV", c)]), c, StaffRoles.LaborInspector, h);
                    }

                    break;
                case ("labor", 3):
                    // 每个三级网格2名协管员; every fifth village has one.
                    Post(Person(departments[D("DEPT-GOV", c)]), c, StaffRoles.LaborCoordinator, h);
                    if (cells.IndexOf(c) % 5 != 0)
                    {
                        Post(Person(null), c, StaffRoles.LaborCoordinator, h);
                    }

                    break;
                case ("cadre", 0):
                    Post(Person(departments["DEPT-CADRE"]), c, StaffRoles.GridChief, h);
                    break;
                case ("cadre", 2):
                    Post(Person(departments["DEPT-CADRE"]), c, StaffRoles.Supervisor, h);
                    break;
            }
        }

        // Each department names one liaison and one leader in charge (联络员, 分管领导), posted where it serves.
        var county = cells.First(c => c.Hierarchy == "comprehensive" && c.Depth == 0);
        foreach (var (code, id) in departments)
        {
            var grid = code.Length > 3 && int.TryParse(code[^2..], out var n) ? cells.First(c => c.Hierarchy == "comprehensive" && c.Depth == 2 && c.Township == n - 1) : county;
            Post(Person(id), grid, StaffRoles.Liaison, "comprehensive");
            Post(Person(id), grid, StaffRoles.LeaderInCharge, "comprehensive");
        }

        var cast = SeedCast(cells, departments, Person, Post);

        await using (var copy = await conn.BeginBinaryImportAsync("COPY staff (id, staff_no, name, phone, department_id) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var s in staff)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(s.Id, NpgsqlDbType.Uuid);
                await copy.WriteAsync(s.No, NpgsqlDbType.Text);
                await copy.WriteAsync(s.Name, NpgsqlDbType.Text);
                await copy.WriteAsync(s.Phone, NpgsqlDbType.Text);
                if (s.Dept is { } d)
                {
                    await copy.WriteAsync(d, NpgsqlDbType.Uuid);
                }
                else
                {
                    await copy.WriteNullAsync();
                }
            }

            await copy.CompleteAsync();
        }

        await using (var copy = await conn.BeginBinaryImportAsync("COPY assignments (id, staff_id, grid_id, role, domain, valid_from) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var p in posts)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                await copy.WriteAsync(p.Staff, NpgsqlDbType.Uuid);
                await copy.WriteAsync(p.Grid, NpgsqlDbType.Uuid);
                await copy.WriteAsync(p.Role, NpgsqlDbType.Text);
                await copy.WriteAsync(p.Domain, NpgsqlDbType.Text);
                await copy.WriteAsync(since, NpgsqlDbType.TimestampTz);
            }

            await copy.CompleteAsync();
        }

        return (staff.Count, posts, cast);
    }

    /// <summary>The people of the demo walk-through, one per step of the built domains' case life cycle.</summary>
    private sealed record Cast(Guid TownshipFireOffice, Guid VillageFireManager, Guid FireBrigade, Guid EnvironmentBureau, Guid Commander, Guid RewardCentre,
        Guid LaborOffice, Guid LaborBrigade, Guid Discipline);

    /// <summary>
    /// 演示角色: posts for the steps no generated staff holds — the township fire office and the village fire manager of
    /// 城关镇 (accept, dispatch, handle, verify, close, transfer), the county fire brigade and environment bureau, a
    /// commander on the root of every hierarchy (so the command centre sees every domain), the reward centre,
    /// labor's township office of 城关镇 (受理, 调处) and the county brigade (major cases), and the county discipline
    /// commission (纪检监察) on the root of the cadre hierarchy.
    /// </summary>
    private static Cast SeedCast(List<Cell> cells, Dictionary<string, Guid> departments, Func<Guid?, Guid> person, Action<Guid, Cell, string, string> post)
    {
        Cell Township01(string hierarchy, int depth) => cells.First(c => c.Hierarchy == hierarchy && c.Depth == depth && c.Township == 0);
        Guid Posted(Guid? department, string role, params Cell[] grids)
        {
            var id = person(department);
            foreach (var g in grids)
            {
                post(id, g, role, g.Hierarchy);
            }

            return id;
        }

        var fireRoot = Township01(Domains.Fire, 0);
        var environmentRoot = Township01(Domains.Environment, 0);
        var drugsRoot = Township01(Domains.Drugs, 0);
        return new Cast(
            Posted(departments["DEPT-SAFETY-01"], GridRoles.TownshipFireOffice, Township01(Domains.Fire, 2)),
            Posted(null, GridRoles.VillageFireManager, Township01(Domains.Fire, 3)),
            Posted(departments["DEPT-FIRE"], GridRoles.FireBrigade, fireRoot),
            Posted(departments["DEPT-ENV"], GridRoles.EnvironmentBureau, environmentRoot),
            Posted(departments["DEPT-GRID"], GridRoles.Commander, [.. cells.Where(c => c.Depth == 0)]),
            Posted(departments["DEPT-FIRE"], GridRoles.RewardCentre, fireRoot, environmentRoot, drugsRoot),
            Posted(departments["DEPT-GOV-01"], GridRoles.LaborOffice, Township01(Domains.Labor, 2)),
            Posted(departments["DEPT-LABOR"], GridRoles.LaborBrigade, Township01(Domains.Labor, 0)),
            Posted(departments["DEPT-CADRE"], GridRoles.Discipline, Township01(Domains.Cadre, 0)));
    }
}
