using Grid.Casework.Infrastructure;
using Grid.DrugSupply.Domain;

namespace Grid.DrugSupply.Infrastructure;

/// <summary>
/// The demo's supervision network and sensors: every coordinator and informant the organization posts is appointed on
/// the residents' recommendation, trained, assessed last quarter and this one, some rewarded, each with a few work-log
/// lines; the first informant of the last township by name, failing two assessments, is dismissed (a blank spot
/// again). The cabinets of the first township by name follow a 14-day plan; its pharmacy's sensors report every half
/// hour and one cabinet's fell silent eight hours ago.
/// </summary>
internal static class DemoNetwork
{
    public static async Task<int> SeedAsync(
        DrugsDbContext db, IGridDirectory grids, IReadOnlyList<GridNode> towns, IReadOnlyList<GridNode> villages, IReadOnlyList<SupplyPoint> points,
        Random rng, DateTimeOffset now, DateOnly today, CancellationToken ct)
    {
        var count = 0;
        var quarter = StaffRules.QuarterOf(today);
        var previous = StaffRules.QuarterOf(today.AddMonths(-3));
        var informants = 0;

        // Townships by name, so the demo is the same on every seed: the first has the plans and sensors, the last the
        // dismissed informant (in the demo county 东城街道 and 黄河街道, neither the township of the demo log-ins).
        var byName = towns.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var (first, last) = (byName.FirstOrDefault(), byName.LastOrDefault());
        foreach (var (grid, kind) in towns.Select(t => (t, StaffKind.Coordinator)).Concat(villages.Select(v => (v, StaffKind.Informant))))
        {
            var chain = await grids.GetChainAsync(grid.Id, ct);
            foreach (var person in chain?.FirstOrDefault()?.Responsible.Where(r => r.Role == kind.Role()) ?? [])
            {
                var dismiss = kind == StaffKind.Informant && last is not null && grid.Path.Contains(last.Id) && informants++ == 0;
                var appointed = today.AddDays(-rng.Next(200, 400));
                var staff = new NetworkStaff
                {
                    Id = Guid.CreateVersion7(now),
                    PersonId = person.Id,
                    Name = person.Name,
                    Kind = kind,
                    GridId = grid.Id,
                    GridPath = [.. grid.Path],
                    AppointedOn = appointed,
                    RecommendedBy = kind == StaffKind.Coordinator ? $"{grid.Name}党委推荐" : $"{grid.Name}村民代表会议推荐",
                    RecommendedOn = appointed.AddDays(-14),
                    AppointedBy = "demo:county-authority",
                    CreatedAt = now,
                };
                db.Staff.Add(staff);
                StaffEntry Entry(StaffEntryKind k, DateOnly on, string text) => new()
                {
                    Id = Guid.CreateVersion7(now),
                    StaffId = staff.Id,
                    Kind = k,
                    On = on,
                    Text = text,
                    RecordedBy = "demo:county-authority",
                    RecordedAt = now,
                };
                db.StaffEntries.Add(Entry(StaffEntryKind.Training, appointed.AddDays(10), "岗前培训: 药品管理法规与两网职责"));
                db.StaffEntries.Add(Entry(StaffEntryKind.Training, today.AddDays(-rng.Next(20, 60)), "假劣药品识别与快检初筛"));
                foreach (var period in new[] { previous, quarter })
                {
                    var score = dismiss ? rng.Next(40, 58) : rng.Next(62, 98);
                    var e = Entry(StaffEntryKind.Assessment, today.AddDays(period == quarter ? 0 : -90), dismiss ? "工作记录缺失，未按时报告" : "履职良好");
                    e.Period = period;
                    e.Score = score;
                    e.Passed = score >= 60;
                    db.StaffEntries.Add(e);
                }

                var mine = points.Where(p => p.GridPath.Contains(grid.Id)).ToList();
                for (var i = 0; i < 3; i++)
                {
                    var at = mine.Count > 0 ? mine[rng.Next(mine.Count)] : null;
                    var log = Entry(StaffEntryKind.WorkLog, today.AddDays(-rng.Next(1, 60)), at is null ? "走访群众，宣传药品安全知识" : $"巡查{at.Name}，查看购进验收记录");
                    log.PointId = at?.Id;
                    db.StaffEntries.Add(log);
                }

                if (rng.Next(5) == 0)
                {
                    var reward = Entry(StaffEntryKind.Reward, today.AddDays(-rng.Next(5, 40)), "及时报告无证行医线索");
                    reward.Amount = 300;
                    db.StaffEntries.Add(reward);
                }

                if (dismiss)
                {
                    staff.DismissedOn = today.AddDays(-3);
                    staff.DismissalReason = "连续两个季度考核不合格 (动态管理)";
                }

                count++;
            }
        }

        var ofFirst = first is null ? [] : points.Where(p => p.GridPath.Contains(first.Id)).ToList();
        foreach (var cabinet in ofFirst.Where(p => p.Kind == SupplyPointKind.VillageCabinet))
        {
            db.Plans.Add(new InspectionPlan { PointId = cabinet.Id, EveryDays = 14, SetBy = "demo:county-authority", SetAt = now });
        }

        // Sensors: the pharmacy reporting until now, one cabinet silent for eight hours (the scan opens its case).
        void Readings(SupplyPoint? p, TimeSpan from, TimeSpan until)
        {
            for (var at = now - from; p is not null && at <= now - until; at += TimeSpan.FromMinutes(30))
            {
                db.Readings.Add(new StorageReading
                {
                    Id = Guid.CreateVersion7(now),
                    PointId = p.Id,
                    Zone = StorageZone.Normal,
                    At = at,
                    Temperature = 18 + rng.Next(0, 60) / 10m,
                    Humidity = 45 + rng.Next(0, 150) / 10m,
                    InBand = true,
                });
            }
        }

        Readings(ofFirst.FirstOrDefault(p => p.Kind.TownshipLevel()), TimeSpan.FromHours(24), TimeSpan.Zero);
        Readings(ofFirst.FirstOrDefault(p => p.Kind == SupplyPointKind.VillageCabinet), TimeSpan.FromHours(32), TimeSpan.FromHours(8));
        await db.SaveChangesAsync(ct);
        return count;
    }
}
