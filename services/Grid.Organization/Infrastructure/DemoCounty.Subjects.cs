using Dapper;
using Grid.Organization.Domain;
using Npgsql;
using NpgsqlTypes;

namespace Grid.Organization.Infrastructure;

/// <summary>The demo county's regulated subjects.</summary>
public static partial class DemoCounty
{
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
