using Grid.Casework.Application;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;
using Grid.DrugSupply.Domain;
using Microsoft.EntityFrameworkCore;

namespace Grid.DrugSupply.Infrastructure;

/// <summary>
/// Deterministic demo data (Grid:SeedDemoData=true, no supply points yet): a convenience pharmacy in every township, a drug
/// cabinet in most villages (some villages without one, to find in the blank-spot report), a chain store per township
/// (some GSP certificates expired), purchases, a season of checklist inspections from 1 September (a few failing, so
/// rectifications are open or closed), and one confirmed fake batch —
/// blocked at every point that received it — through the real case service; the staff files, plans and sensors of
/// <see cref="DemoNetwork"/>.
/// </summary>
internal sealed class DemoData(DrugsDbContext db, IGridDirectory grids, Rectifications rectifications, Screening screening, DrugOptions options, TimeProvider time)
    : IDemoData
{
    private const string FakeBatch = "B20260815";

    public Task<bool> IsLoadedAsync(CancellationToken ct) => db.SupplyPoints.AnyAsync(ct);

    public async Task<int> SeedAsync(CancellationToken ct)
    {
        var rng = new Random(20261207);
        var now = time.GetUtcNow();
        var today = DrugsDay.Today(time);
        var all = new List<GridNode>();
        foreach (var root in await grids.RootsAsync(Domains.Drugs, ct))
        {
            all.AddRange(await grids.SubtreeAsync(root.Id, ct));
        }

        var towns = all.Where(g => g.Path.Count - 1 == options.Network.TownshipDepth).OrderBy(g => g.Id).ToList();
        var villages = all.Where(g => g.Path.Count - 1 == options.Network.VillageDepth).OrderBy(g => g.Id).ToList();
        var points = new List<SupplyPoint>();
        SupplyPoint Point(GridNode g, string name, SupplyPointKind kind, bool gspExpired = false)
        {
            var n = points.Count + 1;
            var p = new SupplyPoint
            {
                Id = Guid.CreateVersion7(now),
                Name = name,
                Kind = kind,
                SubjectId = $"{(kind.Sells() ? "91" : "12")}4101007{n:D5}{rng.Next(10, 99)}X",
                GridId = g.Id,
                GridPath = [.. g.Path],
                Address = $"{g.Name}{rng.Next(1, 80)}号",
                LicenceNumber = $"豫AA{3710000 + n}",
                GspNumber = kind.Sells() ? $"HA-{3710000 + n}" : null,
                GspIssuedOn = kind.Sells() ? (gspExpired ? new DateOnly(2021, 3, 1) : new DateOnly(2024, 6, 1)) : null,
                GspValidUntil = kind.Sells() ? (gspExpired ? new DateOnly(2026, 2, 28) : new DateOnly(2029, 5, 31)) : null,
                UnifiedProcurement = rng.Next(10) > 0,
                UnifiedDistribution = rng.Next(10) > 0,
                UnifiedPrice = rng.Next(10) > 1,
                CreatedAt = now,
                UpdatedAt = now,
            };
            points.Add(p);
            return p;
        }

        foreach (var (t, i) in towns.Select((t, i) => (t, i)))
        {
            var street = t.Name.EndsWith("街道", StringComparison.Ordinal);
            Point(t, street ? $"{t.Name}社区卫生服务中心药房" : $"{t.Name}卫生院便民药房", street ? SupplyPointKind.CommunityHealthCentre : SupplyPointKind.TownshipPharmacy);
            var first = villages.FirstOrDefault(v => v.ParentId == t.Id);
            Point(first ?? t, $"百姓大药房{(first ?? t).Name}店", SupplyPointKind.ChainStore, gspExpired: i % 5 == 2);
        }

        // A cabinet in every village but every seventh: those are the supply blank spots.
        foreach (var (v, i) in villages.Select((v, i) => (v, i)).Where(x => x.i % 7 != 3))
        {
            Point(v, $"{v.Name}卫生室便民药柜", SupplyPointKind.VillageCabinet);
        }

        db.SupplyPoints.AddRange(points);

        // Purchases: each point a few batches; the fake batch went to one point in five.
        string[] products = ["阿莫西林胶囊 0.25g×24粒", "复方甘草片 100片", "感冒灵颗粒 10g×9袋", "布洛芬缓释胶囊 0.3g×20粒"];
        foreach (var (p, i) in points.Select((p, i) => (p, i)))
        {
            foreach (var product in products.OrderBy(_ => rng.Next()).Take(2))
            {
                db.Purchases.Add(Purchase(p, product, $"B202607{rng.Next(10, 31)}", rng.Next(20, 200), today.AddDays(-rng.Next(20, 90)), now));
            }

            if (i % 5 == 1)
            {
                db.Purchases.Add(Purchase(p, products[1], FakeBatch, rng.Next(10, 60), new DateOnly(2026, 9, 2), now));
            }
        }

        await db.SaveChangesAsync(ct);
        var count = points.Count + await db.Purchases.CountAsync(ct);
        count += await DemoNetwork.SeedAsync(db, grids, towns, villages, points, rng, now, today, ct);

        // A season of inspections: most points once or twice, a few failing an item (rectification under way, or closed).
        var inspector = "demo:township-authority";
        var season = new DateOnly(2026, 9, 1);
        foreach (var (p, i) in points.Select((p, i) => (p, i)))
        {
            var on = season.AddDays(rng.Next(0, Math.Max(1, today.DayNumber - season.DayNumber)));
            var kind = p.Kind.Sells() && i % 3 == 0 ? InspectionKind.GspFollowUp : i % 4 == 0 ? InspectionKind.Surprise : InspectionKind.Daily;
            var failed = i % 6 == 5 ? Checklist.Items[rng.Next(Checklist.Items.Count)] : null;
            var answers = Checklist.Items.ToDictionary(x => x, x => (bool?)(x != failed));
            var inspection = Rectifications.Record(p, kind, on, answers, failed is null ? null : "演示数据", inspector, now);
            if (failed is null)
            {
                db.Inspections.Add(inspection);
                await Standing.ApplyAsync(db, inspection, ct);
                await db.SaveChangesAsync(ct);
            }
            else
            {
                var (opened, _) = await rectifications.OpenAsync(p, inspection, Actor.System("drugs:demo"), $"drugs-demo-inspection:{p.Id}", ct);
                if (i % 12 == 11 && opened.Case is { } c)
                {
                    var again = Rectifications.Record(p, kind, today, Checklist.Items.ToDictionary(x => x, _ => (bool?)true), "已整改", inspector, now);
                    again.ReInspection = true;
                    await rectifications.CloseAsync(c.Id, "复查合格: 四有两个统一 六项均符合", again, ct);
                }
            }

            count++;
        }

        // One confirmed fake batch: screened suspicious at a point that received it, confirmed by the lab.
        db.ChangeTracker.Clear();
        var holder = await db.Purchases.AsNoTracking().Where(x => x.BatchNumber == FakeBatch).OrderBy(x => x.Id).Select(x => x.PointId).FirstAsync(ct);
        var at = points.First(p => p.Id == holder);
        var sample = new Sample
        {
            Id = Guid.CreateVersion7(now),
            PointId = at.Id,
            Product = products[1],
            BatchNumber = FakeBatch,
            Manufacturer = "某某制药有限公司",
            SampledBy = "demo:screening-vehicle",
            SampledAt = now.AddDays(-12),
            Screening = ScreeningResult.Suspicious,
            GridId = at.GridId,
            GridPath = at.GridPath,
        };
        var system = Actor.System("drugs:demo");
        await screening.ScreenAsync(sample, at, system, $"drugs-demo-sample:{sample.Id}", ct);
        await screening.ConfirmAsync(sample, LabVerdict.Fake, "检验报告 JY-2026-0917: 甘草浸膏粉含量不足标示量 30%，按假药论处", system, ct);
        return count + 2;
    }

    private static Purchase Purchase(SupplyPoint p, string product, string batch, int quantity, DateOnly on, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        PointId = p.Id,
        Product = product,
        BatchNumber = batch,
        Manufacturer = "某某制药有限公司",
        Quantity = quantity,
        Supplier = "县医药公司",
        InvoiceNumber = $"FP-{batch}-{quantity}",
        ReceivedOn = on,
        RecordedAt = now,
    };
}
