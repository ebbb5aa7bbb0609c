using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.DrugSupply.Domain;
using Microsoft.EntityFrameworkCore;

namespace Grid.DrugSupply.Infrastructure;

/// <summary>
/// 抽验初筛 to 假劣药品 through the case service: a suspicious sample is recorded with the screening case it opens; a lab
/// confirmation of a fake or substandard drug opens a major case (at the top of the chain at once), summons the joint
/// action group and blocks the batch at every point that received it, the verdict and the recalls in the case's transaction.
/// </summary>
public sealed class Screening(DrugsDbContext db, CaseService cases, DrugOptions options, TimeProvider time)
{
    public Task<CaseOutcome> ScreenAsync(Sample sample, SupplyPoint point, Actor actor, string? idempotencyKey, CancellationToken ct)
    {
        var report = new ReportCaseRequest
        {
            Category = DrugCaseCategories.Screening,
            Severity = DeadlinePolicy.Serious,
            Title = $"快检可疑: {sample.Product} 批号 {sample.BatchNumber} ({point.Name})",
            Description = $"{sample.Manufacturer} 生产的 {sample.Product} (批号 {sample.BatchNumber}) 在 {point.Name} 快检初筛可疑，送检验机构确认。",
            Source = "inspection",
            GridId = point.GridId,
            OccurredAt = sample.SampledAt,
        };
        return CaseStep.WithAsync(new DrugsCaseContext { Sample = sample }, () => cases.ReportAsync(report, actor, idempotencyKey, ct));
    }

    /// <summary>The major case (null when it could not be opened: see the outcome), the summonses and the recalls.</summary>
    public async Task<(CaseOutcome Opened, Case? Major, List<object> Summons, List<Recall> Recalls)> ConfirmAsync(
        Sample sample, LabVerdict verdict, string? labReport, Actor actor, CancellationToken ct)
    {
        var now = time.GetUtcNow();

        // Every point that received the batch, and the point it was sampled at, whoever confirms: the batch is blocked everywhere.
        var holders = await db.Purchases.AsNoTracking()
            .Where(p => p.Product == sample.Product && p.BatchNumber == sample.BatchNumber && p.Manufacturer == sample.Manufacturer)
            .GroupBy(p => p.PointId).Select(g => new { PointId = g.Key, Quantity = g.Sum(p => p.Quantity) }).ToListAsync(ct);
        var pointIds = holders.Select(x => x.PointId).Append(sample.PointId).Distinct().ToList();
        var paths = await db.SupplyPoints.AsNoTracking().Where(p => pointIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.GridPath, ct);
        var recalls = pointIds.Where(paths.ContainsKey).Select(p => new Recall
        {
            Id = Guid.CreateVersion7(now),
            PointId = p,
            SampleId = sample.Id,
            Product = sample.Product,
            BatchNumber = sample.BatchNumber,
            Manufacturer = sample.Manufacturer,
            Quantity = holders.FirstOrDefault(x => x.PointId == p)?.Quantity ?? 0,
            Verdict = verdict,
            BlockedAt = now,
            GridPath = paths[p],
        }).ToList();

        var kind = verdict == LabVerdict.Fake ? "假药" : "劣药";
        var report = new ReportCaseRequest
        {
            Category = DrugCaseCategories.FakeDrug,
            Severity = DeadlinePolicy.Major,
            Title = $"{kind}: {sample.Product} 批号 {sample.BatchNumber}",
            Description = $"{sample.Manufacturer} 生产的 {sample.Product} (批号 {sample.BatchNumber}) 经检验确认为{kind}。{labReport} 已在 {recalls.Count} 个供应点控制该批次。".Trim(),
            Source = "inspection",
            GridId = sample.GridId,
        };
        var opened = await CaseStep.WithAsync(new DrugsCaseContext { Confirmation = new Confirmation(sample.Id, verdict, labReport, now, recalls) },
            () => cases.ReportAsync(report, actor, $"drugs-lab-confirmation:{sample.Id}", ct));
        if (opened.Case is not { } major || opened.Status is not (200 or 201))
        {
            return (opened, null, [], []);
        }

        // 重大案件: at the top of the chain at once (Casework sends a major report there; a chain it did not climb is escalated
        // here), and the joint action group is summoned (吹哨).
        var system = Actor.System("drugs:fake-drug");
        if (major.HolderGridId != major.GridPath[0])
        {
            var up = await cases.ActAsync(major.Id, CaseAction.Escalate, new CaseActionRequest { Reason = $"{kind}确认", ToTop = true }, system, ct);
            major = up.Case ?? major;
        }

        var summons = new List<object>();
        foreach (var department in options.JointGroupOrDefault)
        {
            var (called, s) = await cases.SummonAsync(major.Id, new CaseActionRequest { DepartmentId = department, Reason = $"联合行动: {report.Title}" }, system, ct);
            summons.Add(s is not null ? s : new { departmentId = department, refused = called.Detail ?? called.Title ?? string.Join("; ", called.Errors?.SelectMany(e => e.Value) ?? []) });
        }

        return (opened, major, summons, recalls);
    }
}
