using Dapper;
using Npgsql;

namespace Grid.Organization.Infrastructure;

/// <summary>
/// 示范县 A plausible demo county, generated deterministically in code (no data files): two areas (东片区/西片区),
/// twelve townships and industrial parks, four villages or communities each, and small grids (院落) below
/// the villages of the ten townships (the two parks stop at level 3: uneven depth). Rectangles from recursive
/// subdivision of lon 113.0–113.6, lat 34.5–34.9 tile their parents exactly. Every hierarchy gets its own tree
/// over the same geometry, as deep as that domain goes. Staff for every role, departments, ~3,000 subjects,
/// and demo accounts whose password is <c>Identity:DemoPassword</c> or generated and written to the credentials file.
/// </summary>
public static partial class DemoCounty
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
        var (staffCount, posts, cast) = await SeedStaffAsync(conn, tx, cells, departments, random);
        var accounts = await SeedAccountsAsync(conn, tx, cells, posts, cast, configuration);
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
}
