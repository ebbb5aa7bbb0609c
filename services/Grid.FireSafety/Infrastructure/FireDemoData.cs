using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;
using Grid.FireSafety.Domain;
using Microsoft.EntityFrameworkCore;

namespace Grid.FireSafety.Infrastructure;

/// <summary>
/// Deterministic demo data (Grid:SeedDemoData=true, no places yet): places in every village, people on duty, a season
/// of inspections (1 September 2026 to today), equipment points, township assessments, and hazards through the real
/// case service — fixed on the spot, under rectification, closed, one public report and one major hazard under
/// listed supervision. Same seed, same data (times before "now" only).
/// </summary>
internal sealed class FireDemoData(FireDbContext db, IGridDirectory grids, CaseService cases, IDepartmentDirectory departments, SupervisionRouting routing,
    FireOptions options, TimeProvider time) : IDemoData
{
    public Task<bool> IsLoadedAsync(CancellationToken ct) => db.Places.AnyAsync(ct);

    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林"];
    private static readonly string[] Given = ["建国", "秀英", "志强", "桂兰", "明", "丽", "军", "海燕", "伟", "红梅", "国平", "淑珍"];

    private static readonly (string Name, PlaceCategory Category, NineSmallKind? Kind)[] PlaceKinds =
    [
        ("中心小学", PlaceCategory.KeyUnitB, null), ("农贸市场", PlaceCategory.KeyUnitC, null), ("卫生院", PlaceCategory.KeyUnitA, null),
        ("村委会", PlaceCategory.GeneralUnit, null), ("小旅馆", PlaceCategory.NineSmall, NineSmallKind.SmallHotel),
        ("网吧", PlaceCategory.NineSmall, NineSmallKind.SmallInternetCafe), ("小饭店", PlaceCategory.NineSmall, NineSmallKind.SmallRestaurant),
        ("副食店", PlaceCategory.StreetShop, null), ("出租屋", PlaceCategory.RentalHousing, null), ("服装加工作坊", PlaceCategory.FamilyWorkshop, null),
        ("五金店(三合一)", PlaceCategory.ThreeInOne, null),
    ];

    public async Task<int> SeedAsync(CancellationToken ct)
    {
        var rng = new Random(20261123);
        string Person() => Surnames[rng.Next(Surnames.Length)] + Given[rng.Next(Given.Length)];
        var now = time.GetUtcNow();
        var all = new List<GridNode>();
        foreach (var root in await grids.RootsAsync(Domains.Fire, ct))
        {
            all.AddRange(await grids.SubtreeAsync(root.Id, ct));
        }

        var towns = all.Where(g => g.Level == GridLevels.Large).OrderBy(g => g.Id).ToList();
        var villages = all.Where(g => g.Level == GridLevels.Mid).OrderBy(g => g.Id).ToList();
        var smalls = all.Where(g => g.Level == GridLevels.Small).OrderBy(g => g.Id).ToList();
        var count = 0;
        var seasonStart = new DateOnly(2026, 9, 1);

        // Places: four per village, one file each.
        var places = new List<Place>();
        foreach (var v in villages)
        {
            foreach (var k in PlaceKinds.OrderBy(_ => rng.Next()).Take(4))
            {
                var grid = smalls.Where(s => s.ParentId == v.Id).OrderBy(_ => rng.Next()).FirstOrDefault() ?? v;
                var manager = Person();
                places.Add(new Place
                {
                    Id = Guid.CreateVersion7(now),
                    Name = $"{v.Name}{k.Name}",
                    Category = k.Category,
                    NineSmallKind = k.Kind,
                    FileKind = k.Category is PlaceCategory.RentalHousing ? FileKind.Building : k.Category is PlaceCategory.KeyUnitA or PlaceCategory.KeyUnitB ? FileKind.Compound : FileKind.Unit,
                    Authority = routing.AuthorityFor(k.Category),
                    SubjectId = $"9151192{rng.Next(1000000, 9999999)}X{rng.Next(10, 99)}",
                    GridId = grid.Id,
                    GridPath = [.. grid.Path],
                    Address = $"{v.Name}{rng.Next(1, 120)}号",
                    ResponsiblePerson = Person(),
                    ResponsiblePhone = $"139{rng.Next(10000000, 99999999)}",
                    Manager = manager,
                    ManagerPhone = $"138{rng.Next(10000000, 99999999)}",
                    Signage = k.Kind is null ? null : new PlaceSignage
                    {
                        FireRisk = rng.Next(3) == 0 ? "high" : "medium",
                        ManagerShown = manager,
                        Precautions = "严禁吸烟、严禁私拉乱接电线",
                        Warning = "保持疏散通道畅通",
                    },
                    CreatedAt = now,
                    UpdatedAt = now,
                });
            }
        }

        db.Places.AddRange(places);
        count += places.Count;

        // People on duty.
        var duties = new List<DutyAssignment>();
        void Duty(string id, string role, GridNode g) => duties.Add(new DutyAssignment
        {
            Id = Guid.CreateVersion7(now),
            StaffId = id,
            Name = Person(),
            Role = role,
            GridId = g.Id,
            GridLevel = g.Level,
            GridPath = [.. g.Path],
            From = seasonStart,
        });
        foreach (var t in towns)
        {
            Duty($"office-{t.Id}", FireRoles.TownshipFireOffice, t);
            Duty($"police-{t.Id}", FireRoles.PoliceStation, t);
            Duty($"supervisor-{t.Id}", FireRoles.FireSupervisor, t);
        }

        foreach (var v in villages)
        {
            Duty($"manager-{v.Id}", FireRoles.VillageFireManager, v);
        }

        foreach (var s in smalls)
        {
            Duty($"worker-{s.Id}", FireRoles.GridWorker, s);
        }

        db.Duties.AddRange(duties);
        count += duties.Count;

        // A season of inspections: each person roughly as often as required, some weeks short, supervisors mostly at night.
        var rules = options.Rules;
        var today = DateOnly.FromDateTime(ComplianceCalculator.ToChinaTime(now).DateTime);
        foreach (var d in duties)
        {
            var grid = all.First(g => g.Id == d.GridId);
            foreach (var rule in rules.Where(r => r.Target == RuleTarget.Person && r.Role == d.Role && (r.GridLevel is null || r.GridLevel == d.GridLevel) && r.Period != RulePeriod.Day))
            {
                foreach (var (start, end) in ComplianceCalculator.Periods(rule.Period, seasonStart, today.AddDays(-1)))
                {
                    var done = rng.Next(10) < 8 ? rule.Count : rng.Next(rule.Count);
                    for (var i = 0; i < done; i++)
                    {
                        var day = start.AddDays(rng.Next(end.DayNumber - start.DayNumber));
                        var hour = rule.NightFrom is not null && rng.Next(4) != 0 ? 20 + rng.Next(4) : 9 + rng.Next(8);
                        var at = new DateTimeOffset(day.ToDateTime(new TimeOnly(hour, rng.Next(60))), ComplianceCalculator.ChinaOffset).ToUniversalTime();
                        if (at > now)
                        {
                            continue;
                        }

                        var place = places.Where(p => p.GridPath.Contains(grid.Id)).OrderBy(_ => rng.Next()).FirstOrDefault();
                        db.Inspections.Add(new InspectionRecord
                        {
                            Id = Guid.CreateVersion7(at),
                            InspectorId = d.StaffId,
                            InspectorName = d.Name,
                            Role = d.Role,
                            Activity = rule.Activity,
                            GridId = place?.GridId ?? grid.Id,
                            GridPath = place?.GridPath ?? [.. grid.Path],
                            PlaceId = place?.Id,
                            StartedAt = at,
                            RecordedAt = at.AddMinutes(30),
                            Checklist =
                            [
                                new() { Area = "fire", Item = "疏散通道、安全出口畅通", Ok = rng.Next(6) != 0 },
                                new() { Area = "electricity", Item = "无私拉乱接电线", Ok = rng.Next(5) != 0 },
                                new() { Area = "gas", Item = "液化气钢瓶存放规范", Ok = rng.Next(8) != 0 },
                            ],
                            PhotoRefs = [$"photos/{d.StaffId}/{at:yyyyMMddHHmm}.jpg"],
                        });
                        count++;
                    }
                }
            }
        }

        // Equipment: a public point per village (some short or expired), a team per township.
        foreach (var v in villages)
        {
            var items = EquipmentKit.VillagePoint.Select(k => new EquipmentItem
            {
                Item = k.Item,
                Quantity = rng.Next(5) == 0 ? Math.Max(0, k.Quantity - 1) : k.Quantity,
                ExpiresOn = k.Item.StartsWith("extinguisher", StringComparison.Ordinal) ? today.AddDays(rng.Next(-60, 400)) : null,
            }).ToList();
            db.EquipmentPoints.Add(new EquipmentPoint
            {
                Id = Guid.CreateVersion7(now),
                Kind = EquipmentPointKind.VillagePoint,
                Name = $"{v.Name}公共消防器材配置点",
                GridId = v.Id,
                GridPath = [.. v.Path],
                CustodianId = $"manager-{v.Id}",
                CustodianName = Person(),
                Items = items,
                UpdatedAt = now,
            });
            count++;
        }

        foreach (var t in towns)
        {
            db.EquipmentPoints.Add(new EquipmentPoint
            {
                Id = Guid.CreateVersion7(now),
                Kind = EquipmentPointKind.FireTeam,
                Name = $"{t.Name}专职消防队",
                GridId = t.Id,
                GridPath = [.. t.Path],
                CustodianId = $"office-{t.Id}",
                CustodianName = Person(),
                UpdatedAt = now,
                Items = EquipmentKit.FireTeam.Select(k => new EquipmentItem { Item = k.Item, Quantity = k.Quantity, ExpiresOn = k.Item.StartsWith("extinguisher", StringComparison.Ordinal) ? today.AddYears(1) : null }).ToList(),
            });
            db.TownshipAssessments.Add(new TownshipAssessment
            {
                Id = Guid.CreateVersion7(now),
                GridId = t.Id,
                Year = 2026,
                MeetsStandard = t == towns[0],
                AssessedBy = "demo",
                AssessedAt = now,
            });
            count += 2;
        }

        await db.SaveChangesAsync(ct);
        count += await SeedHazardsAsync(places, villages, now, ct);
        return count;
    }

    /// <summary>Hazards through the case service, as the endpoints would create them.</summary>
    private async Task<int> SeedHazardsAsync(List<Place> places, List<GridNode> villages, DateTimeOffset now, CancellationToken ct)
    {
        var actor = new Actor("demo", "seed", null);
        var n = 0;
        async Task<Case?> Report(Place p, string area, string title, bool major = false, bool fixedOnSpot = false, bool publicReport = false)
        {
            var outcome = await CaseStep.WithAsync(new FireCaseContext { PlaceId = p.Id, FixedOnSpot = fixedOnSpot, PublicReport = publicReport }, () =>
                cases.ReportAsync(new ReportCaseRequest
                {
                    Category = area,
                    Severity = major ? DeadlinePolicy.Major : DeadlinePolicy.General,
                    Title = title,
                    GridId = p.GridId,
                    Source = publicReport ? "report" : "patrol",
                    Description = $"{p.Name}：{title}",
                    Reporter = publicReport ? new ReporterIdentity { Name = "赵热心", Phone = "13600000000", WantsReward = true } : null,
                }, actor, null, ct));
            n++;
            return outcome.Case;
        }

        async Task Act(Case c, CaseAction a, CaseActionRequest b, FireCaseContext? ctx = null) =>
            await CaseStep.WithAsync(ctx ?? new FireCaseContext(), () => cases.ActAsync(c.Id, a, b, actor, ct));

        // Rectification under a notice is the county fire brigade's to follow up (its id, as the command centre's
        // department rankings key departments); none when the organization has no such department.
        var brigade = (await departments.FindAsync("DEPT-FIRE", ct))?.Id;
        for (var i = 0; i < villages.Count && places.Count > 0; i++)
        {
            var here = places.Where(p => p.GridPath.Contains(villages[i].Id)).ToList();
            if (here.Count < 2)
            {
                continue;
            }

            // Fixed on the spot and closed.
            if (await Report(here[0], "evacuation", "安全出口堆放杂物", fixedOnSpot: true) is { } a)
            {
                foreach (var (act, body) in new (CaseAction, CaseActionRequest)[]
                {
                    (CaseAction.Accept, new()), (CaseAction.Dispatch, new() { Assignee = "demo" }), (CaseAction.Start, new()),
                    (CaseAction.Handle, new() { Result = "当场督促清理" }), (CaseAction.VerifyPass, new()), (CaseAction.Close, new()),
                })
                {
                    await Act(a, act, body, act == CaseAction.VerifyPass ? new FireCaseContext { ReInspection = new ReInspection { At = now, By = "demo", Passed = true } } : null);
                }
            }

            // Under rectification with a notice (every other village's rectified and closed).
            if (await Report(here[1], "electricity", "私拉乱接电线、电动车室内充电") is { } b)
            {
                await Act(b, CaseAction.Accept, new());
                var notice = new RectificationNotice
                {
                    Id = Guid.CreateVersion7(now),
                    PlaceId = here[1].Id,
                    UnitName = here[1].Name,
                    UnitAddress = here[1].Address,
                    Items = ["拆除私拉乱接电线", "电动车不得在室内停放充电"],
                    LegalBasis = [.. RectificationNoticeDocument.DefaultLegalBasis],
                    Deadline = now.AddDays(15 + i),
                    IssuedBy = "demo",
                    IssuerName = options.Rectification.IssuerName,
                };
                await Act(b, CaseAction.Dispatch, new() { Assignee = here[1].Name, Department = brigade, HandleBy = notice.Deadline }, new FireCaseContext { Notice = notice });
                if (i % 2 == 0)
                {
                    await Act(b, CaseAction.Start, new());
                    await Act(b, CaseAction.Handle, new() { Result = "已整改" });
                    await Act(b, CaseAction.VerifyPass, new(), new FireCaseContext { ReInspection = new ReInspection { At = now, By = "demo", Passed = true, Note = "复查合格" } });
                    await Act(b, CaseAction.Close, new());
                }
            }
        }

        // One public report and one major hazard under listed supervision.
        if (places.Count > 2)
        {
            await Report(places[2], "gas", "饭店液化气钢瓶存放于地下室", publicReport: true);
            await Report(places[^1], "fuel", "三合一场所内存放大量汽油", major: true);
        }

        return n;
    }
}
