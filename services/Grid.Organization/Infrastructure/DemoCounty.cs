using Dapper;
using Grid.Contracts.Events;
using Grid.Contracts.Roles;
using Grid.Organization.Domain;
using Grid.Organization.Identity;
using Npgsql;
using NpgsqlTypes;

namespace Grid.Organization.Infrastructure;

/// <summary>
/// 示范县 A plausible demo county, generated deterministically in code (no data files): two areas (东片区/西片区),
/// twelve townships and industrial parks, four villages or communities each, and small grids (院落) below
/// the villages of the ten townships (the two parks stop at level 3: uneven depth). Rectangles from recursive
/// subdivision of lon 113.0–113.6, lat 34.5–34.9 tile their parents exactly. Every hierarchy gets its own tree
/// over the same geometry, as deep as that domain goes. Staff for every role, departments, ~3,000 subjects,
/// and demo accounts whose password is <c>Identity:DemoPassword</c> or generated and written to the credentials file.
/// </summary>
public static class DemoCounty
{
    private const double West = 113.0, East = 113.6, South = 34.5, North = 34.9;

    private static readonly string[] Townships =
        ["城关镇", "东城街道", "新华镇", "柳林镇", "高新技术产业园", "白沙镇", "西城街道", "黄河街道", "李庄乡", "王村镇", "经济开发区", "河西乡"];

    private static readonly string[] Villages = ["东关", "西街", "南湖", "北岗", "杨庄", "刘寨", "张湾", "陈桥", "马坊", "赵楼", "孙营", "周口"];

    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗"];

    private static readonly string[] Given = ["建国", "秀英", "志强", "丽娟", "国华", "海燕", "文明", "桂兰", "卫东", "红梅", "振华", "玉珍", "德胜", "淑芬", "永刚", "春花"];

    /// <summary>Hierarchy → (code prefix, depth it goes down to, level names by depth).</summary>
    private static readonly (string Hierarchy, string Prefix, int MaxDepth, string[] Levels)[] Trees =
    [
        ("comprehensive", "ZH", 4, ["县", "片区", "乡镇(园区)", "村(社区)", "小网格(院落)"]),
        ("fire", "XF", 4, ["县级网格", "片区", "大网格", "中网格", "小网格"]),
        ("environment", "HB", 3, ["一级网格", "片区", "二级网格", "三级网格"]),
        ("drugs", "YP", 3, ["县局", "片区", "监管所网格", "监管网格"]),
        ("labor", "LD", 3, ["监察大队", "片区", "中队网格", "村(社区)网格"]),
        ("cadre", "GB", 2, ["县纪委监委", "片区", "乡镇纪委"]),
    ];

    private sealed record Cell(Guid Id, string Code, string Name, string Level, int Depth, Guid? Parent, string Hierarchy, Guid[] Path, double X0, double Y0, double X1, double Y1, int Households, bool Key, int Township);

    public static async Task SeedAsync(NpgsqlDataSource db, IConfiguration configuration, ILogger logger, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync("SELECT pg_advisory_xact_lock(7014)", transaction: tx);
        if (await conn.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM grids)", transaction: tx))
        {
            return;
        }

        var random = new Random(20261123);
        var cells = new List<Cell>();
        foreach (var tree in Trees)
        {
            Build(tree, cells, new Random(random.Next()));
        }

        foreach (var c in cells)
        {
            await conn.ExecuteAsync(
                """
                INSERT INTO grids (id, code, name, level_name, depth, parent_id, hierarchy, path, boundary, households, population, key_grid, hotline, notice)
                VALUES (@Id, @Code, @Name, @Level, @Depth, @Parent, @Hierarchy, @Path, ST_MakeEnvelope(@X0, @Y0, @X1, @Y1, 4326), @Households, @population, @Key, '12345', @notice)
                """,
                new { c.Id, c.Code, c.Name, c.Level, c.Depth, c.Parent, c.Hierarchy, c.Path, c.X0, c.Y0, c.X1, c.Y1, c.Households, population = c.Households * 32 / 10, c.Key, notice = $"{c.Name}网格公示：有事找网格员，服务热线12345。" },
                tx);
        }

        var departments = await SeedDepartmentsAsync(conn, tx, cells);
        var (staffCount, accounts) = await SeedStaffAsync(conn, tx, cells, departments, configuration, random);
        var subjects = await SeedSubjectsAsync(conn, tx, random);
        await tx.CommitAsync(ct);
        logger.LogInformation("Seeded the demo county: {Grids} grids, {Departments} departments, {Staff} staff, {Subjects} subjects", cells.Count, departments.Count, staffCount, subjects);
        if (accounts.FromConfig)
        {
            logger.LogWarning("Demo accounts {Accounts}: password from Identity:DemoPassword", string.Join(", ", accounts.Names));
        }
        else
        {
            var file = await Identity.InitialCredentials.WriteAsync(configuration, $"demo accounts {string.Join(", ", accounts.Names)}: password '{accounts.Password}'", ct);
            logger.LogWarning("Demo accounts {Accounts}: their generated password is in {CredentialsFile} (readable by this user only)", string.Join(", ", accounts.Names), file);
        }
    }

    private static double Edge(double a, double b, int i, int n) => i == n ? b : a + (b - a) * i / n;

    private static void Build((string Hierarchy, string Prefix, int MaxDepth, string[] Levels) tree, List<Cell> cells, Random random)
    {
        var county = Add(cells, tree, tree.Prefix, "示范县", 0, null, West, South, East, North, -1, false, 0);
        var total = 0;
        for (var a = 0; a < 2; a++)
        {
            var areaX0 = Edge(West, East, a, 2);
            var areaX1 = Edge(West, East, a + 1, 2);
            var area = Add(cells, tree, $"{tree.Prefix}-{a + 1}", a == 0 ? "西片区" : "东片区", 1, county, areaX0, South, areaX1, North, -1, false, 0);
            var areaHouseholds = 0;
            for (var t = 0; t < 6; t++)
            {
                var ti = a * 6 + t;
                var (tx0, tx1) = (Edge(areaX0, areaX1, t % 2, 2), Edge(areaX0, areaX1, t % 2 + 1, 2));
                var (ty0, ty1) = (Edge(South, North, t / 2, 3), Edge(South, North, t / 2 + 1, 3));
                var park = Townships[ti].EndsWith("园", StringComparison.Ordinal) || Townships[ti].EndsWith("区", StringComparison.Ordinal);
                var town = Add(cells, tree, $"{tree.Prefix}-{a + 1}-{ti + 1:D2}", Townships[ti], 2, area, tx0, ty0, tx1, ty1, -1, park, ti);
                var townHouseholds = 0;
                for (var v = 0; v < 4 && tree.MaxDepth >= 3; v++)
                {
                    var (vx0, vx1) = (Edge(tx0, tx1, v % 2, 2), Edge(tx0, tx1, v % 2 + 1, 2));
                    var (vy0, vy1) = (Edge(ty0, ty1, v / 2, 2), Edge(ty0, ty1, v / 2 + 1, 2));
                    var vName = Villages[(ti * 4 + v) % Villages.Length] + (park ? "片区" : v % 2 == 0 ? "村" : "社区");
                    var village = Add(cells, tree, $"{tree.Prefix}-{a + 1}-{ti + 1:D2}-{v + 1}", vName, 3, town, vx0, vy0, vx1, vy1, -1, false, ti);
                    var villageHouseholds = 0;
                    if (tree.MaxDepth >= 4 && !park)
                    {
                        for (var s = 0; s < 4; s++)
                        {
                            var h = random.Next(200, 301);
                            villageHouseholds += h;
                            Add(cells, tree, $"{tree.Prefix}-{a + 1}-{ti + 1:D2}-{v + 1}-{s + 1}", $"{vName}第{s + 1}网格", 4, village,
                                Edge(vx0, vx1, s % 2, 2), Edge(vy0, vy1, s / 2, 2), Edge(vx0, vx1, s % 2 + 1, 2), Edge(vy0, vy1, s / 2 + 1, 2), h, random.Next(10) == 0, ti);
                        }
                    }
                    else
                    {
                        villageHouseholds = random.Next(800, 1201);
                    }

                    SetHouseholds(cells, village, villageHouseholds);
                    townHouseholds += villageHouseholds;
                }

                if (tree.MaxDepth < 3)
                {
                    townHouseholds = random.Next(3000, 5001);
                }

                SetHouseholds(cells, town, townHouseholds);
                areaHouseholds += townHouseholds;
            }

            SetHouseholds(cells, area, areaHouseholds);
            total += areaHouseholds;
        }

        SetHouseholds(cells, county, total);
    }

    private static Cell Add(List<Cell> cells, (string Hierarchy, string Prefix, int MaxDepth, string[] Levels) tree, string code, string name, int depth, Cell? parent, double x0, double y0, double x1, double y1, int households, bool key, int township)
    {
        var id = Guid.CreateVersion7();
        var c = new Cell(id, code, name, tree.Levels[depth], depth, parent?.Id, tree.Hierarchy, [.. parent?.Path ?? [], id], x0, y0, x1, y1, Math.Max(households, 0), key, township);
        cells.Add(c);
        return c;
    }

    private static void SetHouseholds(List<Cell> cells, Cell cell, int households)
    {
        var i = cells.FindIndex(c => c.Id == cell.Id);
        cells[i] = cells[i] with { Households = households };
    }

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

    private sealed record DemoAccounts(IReadOnlyList<string> Names, string Password, bool FromConfig);

    private static async Task<(int Count, DemoAccounts Accounts)> SeedStaffAsync(NpgsqlConnection conn, NpgsqlTransaction tx, List<Cell> cells, Dictionary<string, Guid> departments, IConfiguration configuration, Random random)
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

        // Demo log-ins: accounts on existing staff of township 01 and on the county office.
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

        return (staff.Count, new DemoAccounts(accounts.Select(a => a.User).ToList(), password, !string.IsNullOrEmpty(configured)));
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

    private static async Task<int> SeedSubjectsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Random random)
    {
        (string Domain, string Kind, string Category, string Suffix)[] kinds =
        [
            ("fire", "place", "人员密集场所", "商场"), ("fire", "place", "九小场所", "小饭店"), ("fire", "building", "高层建筑", "大厦"),
            ("fire", "unit", "消防安全重点单位", "学校"), ("environment", "enterprise", "涉气企业", "化工有限公司"),
            ("environment", "enterprise", "涉水企业", "食品有限公司"), ("environment", "place", "餐饮油烟", "饭庄"),
            ("labor", "enterprise", "劳动密集型企业", "制衣有限公司"), ("labor", "place", "建筑工地", "项目工地"),
            ("drugs", "unit", "零售药店", "大药房"), ("drugs", "unit", "诊所药柜", "诊所"),
        ];
        const string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
        var rows = new List<(Guid Id, string? Code, string Name, string Kind, string Category, string Domain, string Address, double Lon, double Lat)>();
        for (var i = 0; i < 3000; i++)
        {
            var k = kinds[random.Next(kinds.Length)];
            string? code = null;
            if (k.Kind is "enterprise" or "unit")
            {
                var body = "914101" + string.Concat(Enumerable.Range(0, 11).Select(_ => alphabet[random.Next(alphabet.Length)]));
                code = CreditCode.Complete(body);
            }

            var name = $"示范县{Villages[random.Next(Villages.Length)]}{Surnames[random.Next(Surnames.Length)]}氏{k.Suffix}{i + 1}";
            rows.Add((Guid.CreateVersion7(), code, name, k.Kind, k.Category, k.Domain, $"示范县{Villages[random.Next(Villages.Length)]}路{random.Next(1, 300)}号",
                West + random.NextDouble() * (East - West), South + random.NextDouble() * (North - South)));
        }

        rows = rows.DistinctBy(r => r.Code ?? r.Id.ToString()).ToList();
        await conn.ExecuteAsync("CREATE TEMP TABLE demo_subjects (id uuid, credit_code text, name text, kind text, category text, domain text, address text, lon float8, lat float8) ON COMMIT DROP", transaction: tx);
        await using (var copy = await conn.BeginBinaryImportAsync("COPY demo_subjects FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var r in rows)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(r.Id, NpgsqlDbType.Uuid);
                if (r.Code is null)
                {
                    await copy.WriteNullAsync();
                }
                else
                {
                    await copy.WriteAsync(r.Code, NpgsqlDbType.Text);
                }

                await copy.WriteAsync(r.Name, NpgsqlDbType.Text);
                await copy.WriteAsync(r.Kind, NpgsqlDbType.Text);
                await copy.WriteAsync(r.Category, NpgsqlDbType.Text);
                await copy.WriteAsync(r.Domain, NpgsqlDbType.Text);
                await copy.WriteAsync(r.Address, NpgsqlDbType.Text);
                await copy.WriteAsync(r.Lon, NpgsqlDbType.Double);
                await copy.WriteAsync(r.Lat, NpgsqlDbType.Double);
            }

            await copy.CompleteAsync();
        }

        return await conn.ExecuteAsync(
            """
            INSERT INTO subjects (id, credit_code, name, kind, category, domain, address, location, grid_id)
            SELECT d.id, d.credit_code, d.name, d.kind, d.category, d.domain, d.address, ST_SetSRID(ST_MakePoint(d.lon, d.lat), 4326),
                   (SELECT g.id FROM grids g WHERE g.hierarchy = 'comprehensive' AND ST_Covers(g.boundary, ST_SetSRID(ST_MakePoint(d.lon, d.lat), 4326))
                    ORDER BY g.depth DESC, g.code LIMIT 1)
            FROM demo_subjects d
            """, transaction: tx);
    }
}
