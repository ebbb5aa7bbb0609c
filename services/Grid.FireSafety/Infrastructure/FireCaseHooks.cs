using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.FireSafety.Domain;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Grid.FireSafety.Infrastructure;

/// <summary>
/// Fire's rules on top of the shared case life cycle, run inside each case transaction: the hazard facet on
/// report, listed supervision (挂牌督办) for a major hazard at once, a reward claim for a public report, the
/// rectification notice on dispatch, re-inspection results on verification, lifting the supervision on close.
/// </summary>
internal sealed class FireCaseHooks(FireOptions options, TimeProvider time) : ICaseworkHooks
{
    /// <summary>Whom a major hazard is reported to at once (004 六(四)).</summary>
    public static readonly string[] MajorReportedTo = ["县公安局", "县消防大队"];

    public Dictionary<string, string[]>? ValidateReport(ReportCaseRequest request) =>
        request.Category is { } c && !HazardAreas.All.Contains(c)
            ? new() { ["category"] = [$"must be one of: {string.Join(", ", HazardAreas.All)}"] }
            : null;

    public async Task OnChangedAsync(CaseChange change, CaseworkTransaction tx, CancellationToken ct)
    {
        var ctx = CaseStep.Data<FireCaseContext>();
        var c = change.After;
        var now = time.GetUtcNow();
        if (change.Action == "report")
        {
            await OnReportedAsync(c, change.Actor, ctx, tx, now, ct);
            return;
        }

        // Only these steps carry fire's own rows; an EF Core context for the others would cost CPU for nothing.
        if (change.Action is not ("dispatch" or "verify-pass" or "verify-fail"))
        {
            return;
        }

        await using var db = FireDbContext.Within(tx);
        switch (change.Action)
        {
            case "dispatch" when ctx?.Notice is { } notice:
                await using (var lockCmd = tx.Command("SELECT pg_advisory_xact_lock(hashtext('fire.rectification_notices'))"))
                {
                    await lockCmd.ExecuteNonQueryAsync(ct);
                }

                var year = ComplianceCalculator.ToChinaTime(now).Year;
                var prefix = $"消整字〔{year}〕第";
                var issued = await db.Notices.CountAsync(n => n.Number.StartsWith(prefix), ct);
                notice.Number = $"{prefix}{issued + 1:0000}号";
                notice.CaseId = c.Id;
                notice.CaseNumber = c.Number;
                notice.IssuedAt = now;
                notice.Deadline = c.StepDeadline ?? notice.Deadline;
                db.Notices.Add(notice);
                break;
            case "verify-pass" or "verify-fail" when ctx?.ReInspection is { } re:
                var latest = await db.Notices.Where(n => n.CaseId == c.Id).OrderByDescending(n => n.IssuedAt).FirstOrDefaultAsync(ct);
                if (latest is not null)
                {
                    latest.ReInspections.Add(re);
                    latest.Status = re.Passed ? "passed" : "failed";
                }

                break;
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// The hazard facet of a new report, plus listed supervision for a major hazard and a reward claim for a public
    /// report. The hazard row of every report is queued to go with the commit's one round trip: building an EF Core
    /// context and saving through it cost a quarter of the service's CPU per report (measured with perf at
    /// 150 reports/s); the rarer rows still go through EF Core.
    /// </summary>
    private async Task OnReportedAsync(Case c, Actor actor, FireCaseContext? ctx, CaseworkTransaction tx, DateTimeOffset now, CancellationToken ct)
    {
        var major = string.Equals(c.Severity, DeadlinePolicy.Major, StringComparison.OrdinalIgnoreCase);
        var publicReport = ctx?.PublicReport ?? c.Source is "report" or "complaint" or "hotline";
        tx.Defer(HazardRows.Insert(new Hazard
        {
            CaseId = c.Id,
            CaseNumber = c.Number,
            PlaceId = ctx?.PlaceId,
            Area = c.Category,
            Major = major,
            FixedOnSpot = ctx?.FixedOnSpot ?? false,
            PublicReport = publicReport,
            GridId = c.GridId,
            GridPath = [.. c.GridPath],
            ReportedAt = c.OccurredAt,
        }));
        if (!major && !publicReport)
        {
            return;
        }

        await using var db = FireDbContext.Within(tx);
        if (major)
        {
            // 重大火灾隐患: reported to the county bureau and brigade at once; the government lists it with a deadline.
            db.ListedSupervisions.Add(new ListedSupervision
            {
                Id = Guid.CreateVersion7(now),
                CaseId = c.Id,
                CaseNumber = c.Number,
                GridId = c.GridId,
                GridPath = [.. c.GridPath],
                ReportedTo = [.. MajorReportedTo],
                OpenedAt = now,
                Deadline = now.AddDays(options.Rectification.ListedSupervisionDays),
            });
            tx.Audit(c.Id, actor.Subject, "listed-supervision-opened", actor.Origin, null,
                new { reportedTo = MajorReportedTo, deadline = now.AddDays(options.Rectification.ListedSupervisionDays) });
        }

        if (publicReport)
        {
            db.RewardClaims.Add(new RewardClaim
            {
                CaseId = c.Id,
                CaseNumber = c.Number,
                GridId = c.GridId,
                GridPath = [.. c.GridPath],
                Major = major,
                CreatedAt = now,
            });
        }

        await db.SaveChangesAsync(ct);
    }

    public async Task OnClosedAsync(Case closed, CaseworkTransaction tx, CancellationToken ct)
    {
        await using var db = FireDbContext.Within(tx);
        var now = time.GetUtcNow();
        foreach (var s in await db.ListedSupervisions.Where(l => l.CaseId == closed.Id && l.Status == "open").ToListAsync(ct))
        {
            s.Status = "lifted";
            s.LiftedAt = now;
            s.LiftedOnTime = now <= s.Deadline;
            tx.Audit(closed.Id, "system", "listed-supervision-lifted", "fire", null, new { s.Deadline, onTime = s.LiftedOnTime });
        }

        foreach (var n in await db.Notices.Where(n => n.CaseId == closed.Id && n.Status != "closed").ToListAsync(ct))
        {
            n.Status = "closed";
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>True for a unique-key clash a concurrent insert raised.</summary>
    public static bool IsUniqueViolation(Exception e) => e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
