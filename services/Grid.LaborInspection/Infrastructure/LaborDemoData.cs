using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;
using Grid.LaborInspection.Domain;
using Microsoft.EntityFrameworkCore;

namespace Grid.LaborInspection.Infrastructure;

/// <summary>
/// Labor's demo data (Grid:SeedDemoData=true, no employer on file yet): three employers per village grid of the demo
/// county, a season of routine inspections in their history, and complaints through the real complaint desk — one
/// waiting to be accepted, some accepted, some settled by the township (调处) and closed, and one group wage claim
/// escalated to the district with its summons; the pre-Spring-Festival wage campaign (专项检查) running over the first
/// township, about half its tasks done, one visit with a finding followed up as a case. Same seed, same data.
/// </summary>
internal sealed class LaborDemoData(
    LaborDbContext db, IGridDirectory grids, ComplaintDesk desk, InspectionDesk inspections, CaseService cases, EmployerRater rater, TimeProvider time)
    : IDemoData
{
    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
    private static readonly string[] Given = ["建国", "秀英", "志强", "桂兰", "明", "丽", "军", "海燕"];

    private static readonly (string Name, EmployerKind Kind, int Staff)[] Kinds =
    [
        ("制衣有限公司", EmployerKind.Company, 60), ("建筑工程项目部", EmployerKind.Company, 35),
        ("家常菜馆", EmployerKind.IndividualBusiness, 6), ("物流配送站", EmployerKind.Company, 14),
    ];

    public Task<bool> IsLoadedAsync(CancellationToken ct) => db.Employers.AnyAsync(ct);

    public async Task<int> SeedAsync(CancellationToken ct)
    {
        var rng = new Random(20261207);
        string Person() => Surnames[rng.Next(Surnames.Length)] + Given[rng.Next(Given.Length)];
        var now = time.GetUtcNow();
        var today = LaborDay.Today(time);
        var villages = new List<GridNode>();
        foreach (var root in await grids.RootsAsync(Domains.Labor, ct))
        {
            var tree = await grids.SubtreeAsync(root.Id, ct);
            villages.AddRange(tree.Where(g => g.ParentId is not null && !tree.Any(c => c.ParentId == g.Id)));
        }

        villages = [.. villages.OrderBy(g => g.Id)];
        var employers = new List<Employer>();
        foreach (var v in villages)
        {
            foreach (var k in Kinds.OrderBy(_ => rng.Next()).Take(3))
            {
                var headcount = Math.Max(3, k.Staff + rng.Next(-k.Staff / 3, k.Staff / 3 + 1));
                var employer = new Employer
                {
                    Id = Guid.CreateVersion7(now),
                    Name = $"{v.Name}{Surnames[rng.Next(Surnames.Length)]}氏{k.Name}",
                    Kind = k.Kind,
                    SubjectId = $"91410{rng.Next(100000, 999999)}{rng.Next(1000000, 9999999)}",
                    GridId = v.Id,
                    GridPath = [.. v.Path],
                    Address = $"{v.Name}{rng.Next(1, 200)}号",
                    LegalRepresentative = Person(),
                    Phone = $"139{rng.Next(10000000, 99999999)}",
                    Headcount = headcount,
                    // Most sign every contract and insure everyone; some fall short, so the rating has gaps to find.
                    ContractsSigned = rng.Next(4) == 0 ? headcount * 3 / 4 : headcount,
                    ContractsDue = rng.Next(3),
                    InsuranceEnrolled = rng.Next(5) == 0 ? headcount / 2 : headcount,
                    WagesPaidThrough = new DateOnly(today.Year, today.Month, 1).AddMonths(rng.Next(6) == 0 ? -3 : -1),
                    WorkingHours = WorkingHours.Standard,
                    WeeklyHours = 40 + rng.Next(0, 12),
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                employers.Add(employer);
            }
        }

        // A season of routine inspections (巡视检查) since September, about one employer in two.
        var records = new List<ComplianceRecord>();
        var inspections = new List<Inspection>();
        var seasonStart = new DateOnly(today.Year, 9, 1) > today ? new DateOnly(today.Year - 1, 9, 1) : new DateOnly(today.Year, 9, 1);
        foreach (var e in employers.Where(_ => rng.Next(2) == 0))
        {
            var on = seasonStart.AddDays(rng.Next(Math.Max(1, today.DayNumber - seasonStart.DayNumber)));
            records.Add(new ComplianceRecord
            {
                Id = Guid.CreateVersion7(now),
                EmployerId = e.Id,
                Kind = e.ContractsSigned < e.Headcount ? ComplianceKind.Violation : ComplianceKind.Inspection,
                On = on,
                Summary = e.ContractsSigned < e.Headcount ? "巡视检查: 未与全部劳动者订立书面劳动合同, 责令改正" : "巡视检查: 未发现违法行为",
                RecordedBy = "demo",
                RecordedAt = now,
            });
            e.LastInspectedOn = on;
            var violation = e.ContractsSigned < e.Headcount;
            inspections.Add(new Inspection
            {
                Id = Guid.CreateVersion7(now),
                EmployerId = e.Id,
                GridId = e.GridId,
                GridPath = e.GridPath,
                InspectedOn = on,
                InspectorId = "demo",
                InspectorName = Person(),
                Summary = records[^1].Summary,
                Checklist =
                [
                    new ChecklistEntry { Item = "contracts", Ok = !violation, Note = violation ? $"{e.Headcount - e.ContractsSigned} 人未签合同" : null },
                    new ChecklistEntry { Item = "wages", Ok = true },
                    new ChecklistEntry { Item = "insurance", Ok = e.InsuranceEnrolled >= e.Headcount },
                ],
                Findings = violation ? [new InspectionFinding { Description = $"未与 {e.Headcount - e.ContractsSigned} 名劳动者订立书面劳动合同", RectifyBy = on.AddDays(30) }] : [],
                RecordedAt = now,
            });
        }

        foreach (var e in employers)
        {
            rater.Rate(e, records.Where(r => r.EmployerId == e.Id).ToList());
        }

        // 摸底: each village's survey found a few employers not filed yet, so the roll-out view has gaps to show (a generator
        // of its own, so the rest of the demo draws what it drew before).
        var surveyRng = new Random(2014);
        var surveys = villages.Select(v => (Village: v, Filed: employers.Where(e => e.GridId == v.Id).ToList())).Where(x => x.Filed.Count > 0)
            .Select(x => new RolloutBaseline
            {
                GridId = x.Village.Id,
                GridPath = [.. x.Village.Path],
                Employers = x.Filed.Count + surveyRng.Next(0, 4),
                EmployersWithTenOrMore = x.Filed.Count(e => e.Headcount >= 10) + surveyRng.Next(0, 2),
                UpdatedBy = "demo",
                UpdatedAt = now,
            }).ToList();
        foreach (var s in surveys.Where(s => s.EmployersWithTenOrMore > s.Employers))
        {
            s.Employers = s.EmployersWithTenOrMore;
        }

        db.Employers.AddRange(employers);
        db.ComplianceRecords.AddRange(records);
        db.Inspections.AddRange(inspections);
        db.RolloutBaselines.AddRange(surveys);
        await db.SaveChangesAsync(ct);
        return employers.Count + records.Count + inspections.Count + surveys.Count + await SeedComplaintsAsync(employers, villages, rng, ct) + await SeedCampaignAsync(employers, rng, ct);
    }

    /// <summary>Complaints through the desk, as the endpoints take them, in the first villages of each township.</summary>
    private async Task<int> SeedComplaintsAsync(List<Employer> employers, List<GridNode> villages, Random rng, CancellationToken ct)
    {
        var actor = new Actor("demo", "seed", null);
        var today = LaborDay.Today(time);
        var n = 0;
        ReporterIdentity Worker() => new() { Name = Surnames[rng.Next(Surnames.Length)] + Given[rng.Next(Given.Length)], Phone = $"137{rng.Next(10000000, 99999999)}" };
        foreach (var (v, i) in villages.Where(v => employers.Any(e => e.GridId == v.Id)).Take(8).Select((v, i) => (v, i)))
        {
            var employer = employers.First(e => e.GridId == v.Id);
            var amount = 3000m + rng.Next(0, 40) * 500m;
            var draft = new ComplaintDraft("village", $"{employer.Name}拖欠工资", $"{employer.Name}拖欠{v.Name}务工人员工资两个月", today.AddMonths(-1), 1 + rng.Next(3), amount, Worker());
            var taken = await desk.TakeAsync(employer, draft, actor, null, ct);
            if (taken.CaseId is not { } id)
            {
                continue;
            }

            n++;
            if (i % 4 == 0)
            {
                continue; // 待受理: waits for the township office.
            }

            await cases.ActAsync(id, CaseAction.Accept, new CaseActionRequest(), actor, ct);
            if (i % 4 == 1)
            {
                continue; // 已受理, under investigation.
            }

            // 调处: the township settles; the office verifies and closes.
            var complaint = await db.Complaints.AsNoTracking().FirstAsync(c => c.CaseId == id, ct);
            var mediation = new Mediation
            {
                Id = Guid.CreateVersion7(),
                EmployerId = employer.Id,
                Parties = [$"worker: {draft.Complainant.Name}", $"employer: {employer.Name}"],
                AmountClaimed = amount,
                AmountAgreed = amount - 500m,
                PaidOn = i % 4 == 3 ? today : null,
                MediatedBy = "demo",
                MediatedOn = today,
            };
            await desk.MediateAsync(complaint, mediation, actor, ct);
            if (i % 4 == 3)
            {
                await cases.ActAsync(id, CaseAction.VerifyPass, new CaseActionRequest(), actor, ct);
                await cases.ActAsync(id, CaseAction.Close, new CaseActionRequest(), actor, ct);
            }
        }

        // 群体性欠薪: a building project owes 28 workers; the case goes to the district at once with its summons.
        if (employers.FirstOrDefault(e => e.Name.Contains("建筑工程项目部", StringComparison.Ordinal)) is { } site)
        {
            var draft = new ComplaintDraft("hotline", $"{site.Name}拖欠农民工工资", "28名农民工反映项目部拖欠三个月工资", today.AddMonths(-1), 28, 336000m, Worker());
            if ((await desk.TakeAsync(site, draft, actor, null, ct)).CaseId is not null)
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>
    /// 春节前农民工工资支付专项检查 over the first township (城关镇), started last week, running two months: a task per
    /// employer, about half visited through the inspection desk, one visit finding wages owed, followed up as a case.
    /// </summary>
    private async Task<int> SeedCampaignAsync(List<Employer> employers, Random rng, CancellationToken ct)
    {
        string? town = null;
        foreach (var id in employers.Where(e => e.GridPath.Length >= 2).Select(e => e.GridPath[^2]).Distinct())
        {
            town ??= id;
            if ((await grids.FindAsync(id, ct))?.Name == "城关镇")
            {
                town = id;
                break;
            }
        }

        if (town is null)
        {
            return 0;
        }

        var now = time.GetUtcNow();
        var today = LaborDay.Today(time);
        var inTown = employers.Where(e => e.GridPath.Contains(town)).OrderBy(e => e.Id).ToList();
        var campaign = new Campaign
        {
            Id = Guid.CreateVersion7(now),
            Name = "春节前农民工工资支付专项检查",
            GridId = town,
            GridPath = [.. inTown[0].GridPath.TakeWhile(g => g != town), town],
            From = today.AddDays(-6),
            To = today.AddDays(60),
            Tasks = inTown.Count,
            CreatedBy = "demo",
            CreatedAt = now,
        };
        var tasks = inTown.Select(e => new CampaignTask { Id = Guid.CreateVersion7(now), CampaignId = campaign.Id, EmployerId = e.Id, GridId = e.GridId, GridPath = e.GridPath }).ToList();
        db.Campaigns.Add(campaign);
        db.CampaignTasks.AddRange(tasks);
        await db.SaveChangesAsync(ct);

        var actor = new Actor("demo", "seed", null);
        var n = 1 + tasks.Count;
        foreach (var (task, i) in tasks.Where((_, i) => i % 2 == 0).Select((t, i) => (t, i)))
        {
            var employer = await db.Employers.FirstAsync(e => e.Id == task.EmployerId, ct);
            var owing = i == 0;
            var draft = new InspectionDraft(
                today.AddDays(-rng.Next(0, 6)),
                owing ? "专项检查: 工资未按月足额支付" : "专项检查: 工资按月足额支付, 工资台账齐全",
                [new ChecklistEntry { Item = "wages", Ok = !owing, Note = owing ? "11月工资未发放" : null }, new ChecklistEntry { Item = "contracts", Ok = true }],
                owing ? [new FindingDraft("拖欠劳动者11月工资", today.AddDays(10), FollowUp: true)] : []);
            if ((await inspections.RecordAsync(employer, task, draft, actor, "城关镇劳动保障所", ct)).Inspection is not null)
            {
                n++;
            }
        }

        return n;
    }
}
