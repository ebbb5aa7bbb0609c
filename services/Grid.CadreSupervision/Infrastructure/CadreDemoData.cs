using Grid.CadreSupervision.Domain;
using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;
using Microsoft.EntityFrameworkCore;

namespace Grid.CadreSupervision.Infrastructure;

/// <summary>
/// Deterministic demo data (Grid:SeedDemoData=true, no cadres yet; loaded by <see cref="DemoDataLoader{TData}"/>): three cadres living in each township grid of the
/// cadre hierarchy, employed by county bureaus and township governments; observations in the registers; three residents'
/// reports through the real case service (residents sealed); warnings — one cadre of the environment bureau at three,
/// so the bureau owes a written explanation; supervision groups for all but two townships; last month's reports from
/// all but one; this year's residents' verdicts and unit scores for six cadres (the two-way evaluation).
/// </summary>
internal sealed class CadreDemoData(CadreDbContext files, IDepartmentDirectory departments, CaseworkDatabase casework, CaseService cases,
    MonthlyDeadlines towns, CadreOptions options, TimeProvider time) : IDemoData
{
    private static readonly string[] Names =
        ["王建军", "李红霞", "张国庆", "刘志远", "陈晓梅", "杨振宇", "赵德明", "黄丽萍", "周文斌", "吴海涛", "徐春燕", "孙立新"];

    private static readonly string[] Posts = ["局长", "副局长", "科长", "副镇长", "站长", "所长"];

    public Task<bool> IsLoadedAsync(CancellationToken ct) => files.Cadres.AnyAsync(ct);

    public async Task<int> SeedAsync(CancellationToken ct)
    {
        var rng = new Random(20261123);
        var now = time.GetUtcNow();
        var townships = (await towns.ReportingGridsAsync(options.Monthly.GridDepth, ct)).OrderBy(g => g.Name, StringComparer.Ordinal).ToList();
        var units = new List<DepartmentRef>();
        foreach (var code in new[] { "DEPT-ENV", "DEPT-FIRE", "DEPT-LABOR", "DEPT-DRUG", "DEPT-GOV-01", "DEPT-GOV-02", "DEPT-POLICE-01" })
        {
            if (await departments.FindAsync(code, ct) is { } d)
            {
                units.Add(d);
            }
        }

        if (townships.Count == 0 || units.Count == 0)
        {
            throw new InvalidOperationException("the organization has no cadre township grids or departments yet");
        }

        var cadres = new List<Cadre>();
        await using (var tx = await casework.BeginAsync(ct))
        {
            await using var db = CadreDbContext.Within(tx);
            var n = 0;
            foreach (var town in townships)
            {
                for (var i = 0; i < 3; i++, n++)
                {
                    var unit = units[n % units.Count];
                    var cadre = new Cadre
                    {
                        Id = Guid.CreateVersion7(now),
                        Name = Names[n % Names.Length] + (n >= Names.Length ? ((char)('甲' + n / Names.Length)).ToString() : ""),
                        Post = Posts[rng.Next(Posts.Length)],
                        DepartmentId = unit.Id,
                        DepartmentName = unit.Name,
                        GridId = town.Id,
                        GridPath = [.. town.Path],
                        CreatedBy = "system:demo",
                        CreatedAt = now,
                    };
                    cadres.Add(cadre);
                    db.Cadres.Add(cadre);
                    tx.Audit(cadre.Id, cadre.CreatedBy, "file-opened", "cadre", null, FileAudit.Of(cadre));
                }

                db.Groups.Add(new SupervisionGroup
                {
                    GridId = town.Id,
                    GridPath = [.. town.Path],
                    Leader = $"{town.Name}网格长",
                    Deputy = $"{town.Name}驻网干部",
                    Supervisors = [.. Enumerable.Range(1, town == townships[^1] ? 6 : 1 + rng.Next(5)).Select(k => $"{town.Name}监督员{k}")],
                    UpdatedBy = "system:demo",
                    UpdatedAt = now,
                });
            }

            // The first township's group is missing; the last has six supervisors, one too many.
            db.Groups.Remove(db.Groups.Local.First(g => g.GridId == townships[0].Id));

            var lastMonth = MonthlyReporting.MonthOf(now.AddDays(-now.ToOffset(TimeSpan.FromHours(8)).Day));
            foreach (var town in townships.Skip(1))
            {
                db.MonthlyReports.Add(new MonthlyReport
                {
                    Id = Guid.CreateVersion7(now),
                    GridId = town.Id,
                    GridPath = [.. town.Path],
                    Month = lastMonth,
                    Summary = "本月监督员走访住户，收集领导干部八小时以外表现情况，未发现重大问题。",
                    FiledBy = "system:demo",
                    FiledAt = now,
                    Late = now >= options.Monthly.DueBy(lastMonth),
                });
            }

            foreach (var c in cadres.Where((_, i) => i % 4 == 0))
            {
                var entry = new RegisterEntry
                {
                    Id = Guid.CreateVersion7(now),
                    CadreId = c.Id,
                    Kind = "observation",
                    Circle = FourCircles.PublicWelfare,
                    Summary = "带头参加社区环境整治志愿服务",
                    GridPath = c.GridPath,
                    RecordedBy = "system:demo",
                    RecordedAt = now,
                };
                db.Entries.Add(entry);
                tx.Audit(c.Id, entry.RecordedBy, "register-observation", "cadre", null, FileAudit.Of(entry));
            }

            // This year's two-way evaluation for the first townships' cadres: residents' verdicts and the unit's own score.
            var year = now.ToOffset(TimeSpan.FromHours(8)).Year;
            foreach (var c in cadres.Take(6))
            {
                foreach (var kind in EvaluationRules.RaterKinds)
                {
                    var verdict = new ResidentEvaluation
                    {
                        Id = Guid.CreateVersion7(now),
                        CadreId = c.Id,
                        Year = year,
                        RaterKind = kind,
                        Score = 3 + rng.Next(3),
                        RecordedBy = "system:demo",
                        RecordedAt = now,
                    };
                    db.Evaluations.Add(verdict);
                    tx.Audit(c.Id, verdict.RecordedBy, "evaluation", "cadre", null, FileAudit.Of(verdict));
                }

                var assessment = new UnitAssessment { CadreId = c.Id, Year = year, Score = 70 + rng.Next(26), RecordedBy = "system:demo", RecordedAt = now };
                db.UnitAssessments.Add(assessment);
                tx.Audit(c.Id, assessment.RecordedBy, "unit-assessment", "cadre", null, FileAudit.Of(assessment));
            }

            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        // Residents' reports in the first townships, through the case service like any other.
        var reported = 0;
        foreach (var (c, circle, summary) in new[]
        {
            (cadres[0], FourCircles.Life, "多次在高档酒楼接受企业老板宴请"),
            (cadres[1], FourCircles.Family, "其子承揽村道工程，疑借其名义"),
            (cadres[3], FourCircles.Social, "在小区内组织打麻将赌博"),
        })
        {
            var entry = new RegisterEntry { Id = Guid.CreateVersion7(now), CadreId = c.Id, Kind = "report", Circle = circle, Summary = summary, GridPath = c.GridPath, RecordedBy = "system:demo" };
            var outcome = await CaseStep.WithAsync(new CadreCaseContext { NewReport = entry }, () => cases.ReportAsync(new ReportCaseRequest
            {
                Category = CadreCaseHooks.Category,
                Severity = DeadlinePolicy.General,
                Title = $"干部监督反映({circle})",
                Description = "内容见干部监督档案登记册",
                Source = "complaint",
                GridId = c.GridId,
                Reporter = new ReporterIdentity { Name = $"居民{reported + 1}", Phone = $"1390000000{reported}" },
            }, Actor.System("cadre:demo"), $"cadre-demo-report-{reported}", ct));
            reported += outcome.Case is null ? 0 : 1;
        }

        // Warnings: the environment bureau's first cadre at three (the unit owes a written explanation), another at one.
        var atThree = cadres.First(c => c.DepartmentName.Contains("环境", StringComparison.Ordinal));
        var atOne = cadres.FirstOrDefault(c => c.DepartmentId != atThree.DepartmentId) ?? cadres[^1];
        var warnings = 0;
        foreach (var (c, reason) in new[] { (atThree, "接受企业宴请"), (atThree, "工作日饮酒"), (atThree, "纵容亲属借其名义承揽工程"), (atOne, "参与赌博") })
        {
            warnings += await WarnAsync(c, reason, ct);
        }

        return cadres.Count + reported + warnings;
    }

    private async Task<int> WarnAsync(Cadre c, string reason, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.ToOffset(TimeSpan.FromHours(8)).DateTime);
        await using var tx = await casework.BeginAsync(ct);
        await using var db = CadreDbContext.Within(tx);
        var count = await db.Warnings.CountAsync(w => w.CadreId == c.Id, ct) + 1;
        var warning = new Warning { Id = Guid.CreateVersion7(now), CadreId = c.Id, DepartmentId = c.DepartmentId, Reason = reason, IssuedOn = today, IssuedAt = now, IssuedBy = "system:demo", CountInWindow = count };
        db.Warnings.Add(warning);
        foreach (var k in options.Warnings.ConsequencesOf(count, today))
        {
            var task = new UnitTask { Id = Guid.CreateVersion7(now), WarningId = warning.Id, CadreId = c.Id, DepartmentId = c.DepartmentId, Kind = k.Kind, DueBy = k.DueBy, CreatedAt = now };
            db.UnitTasks.Add(task);
            tx.Audit(c.Id, "system:warning-rules", "unit-task", "cadre", null, FileAudit.Of(task));
            tx.Publish(new CadreUnitTaskAssigned { OccurredAt = now, Domain = Domains.Cadre, TaskId = task.Id, WarningId = warning.Id, CadreId = c.Id, DepartmentId = c.DepartmentId, Kind = k.Kind, DueBy = k.DueBy });
        }

        await db.SaveChangesAsync(ct);
        tx.Audit(c.Id, warning.IssuedBy, "warning-issued", "cadre", null, FileAudit.Of(warning));
        tx.Publish(new CadreWarningIssued { OccurredAt = now, Domain = Domains.Cadre, WarningId = warning.Id, CadreId = c.Id, DepartmentId = c.DepartmentId, GridId = c.GridId, CountInWindow = count });
        await tx.CommitAsync(ct);
        return 1;
    }
}
