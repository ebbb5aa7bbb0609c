using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.LaborInspection.Domain;
using Microsoft.EntityFrameworkCore;

namespace Grid.LaborInspection.Infrastructure;

/// <summary>
/// What a labor endpoint knows about the case step it asks Casework to take (the complaint being taken),
/// carried to <see cref="LaborCaseHooks"/> through <see cref="CaseStep"/>.
/// </summary>
internal sealed class LaborCaseContext
{
    public Complaint? NewComplaint { get; init; }

    /// <summary>The township's mediation record, written with the handle step it is the result of.</summary>
    public Mediation? Mediation { get; init; }

    /// <summary>The inspection finding a new case follows up (the inspection's id and the finding's index).</summary>
    public (Guid Inspection, int Index)? Finding { get; init; }
}

/// <summary>
/// Labor's rules on Casework's steps: a new complaint gets its row and an entry in the employer's history; a finding's
/// follow-up case is written onto the finding; acceptance
/// starts the 60-working-day clock; closing the case finishes the complaint. All in the case's transaction.
/// </summary>
internal sealed class LaborCaseHooks(ComplaintClock clock, TimeProvider time) : ICaseworkHooks
{
    public async Task OnChangedAsync(CaseChange change, CaseworkTransaction tx, CancellationToken ct)
    {
        var today = LaborDay.Today(time);
        if (change.Action == "report" && CaseStep.Data<LaborCaseContext>()?.NewComplaint is { } draft)
        {
            await using var db = LaborDbContext.Within(tx);
            draft.CaseId = change.After.Id;
            draft.GridPath = [.. change.After.GridPath];
            db.Complaints.Add(draft);
            db.ComplianceRecords.Add(new ComplianceRecord
            {
                Id = Guid.CreateVersion7(),
                EmployerId = draft.EmployerId,
                Kind = ComplianceKind.Complaint,
                On = draft.ReceivedOn,
                Summary = change.After.Title,
                CaseId = change.After.Id,
                RecordedBy = change.Actor.Subject,
                RecordedAt = time.GetUtcNow(),
            });
            await db.SaveChangesAsync(ct);
            return;
        }

        if (change.Action == "report" && CaseStep.Data<LaborCaseContext>()?.Finding is { } finding)
        {
            await using var db = LaborDbContext.Within(tx);
            var inspection = await db.Inspections.FirstAsync(i => i.Id == finding.Inspection, ct);
            inspection.Findings[finding.Index].CaseId = change.After.Id;
            await db.SaveChangesAsync(ct);
            return;
        }

        if (change.Action == "handle" && CaseStep.Data<LaborCaseContext>()?.Mediation is { } mediation)
        {
            await using var db = LaborDbContext.Within(tx);
            mediation.CaseId = change.After.Id;
            db.Mediations.Add(mediation);
            db.ComplianceRecords.Add(new ComplianceRecord
            {
                Id = Guid.CreateVersion7(),
                EmployerId = mediation.EmployerId,
                Kind = ComplianceKind.Settlement,
                On = mediation.MediatedOn,
                Summary = $"调处: claimed {mediation.AmountClaimed:0.00} 元, agreed {mediation.AmountAgreed:0.00} 元",
                CaseId = change.After.Id,
                RecordedBy = change.Actor.Subject,
                RecordedAt = time.GetUtcNow(),
            });
            await db.SaveChangesAsync(ct);
            return;
        }

        if (change.Action is "accept" or "reject" && change.Before?.State == CaseState.Reported)
        {
            await using var db = LaborDbContext.Within(tx);
            if (await db.Complaints.FirstOrDefaultAsync(c => c.CaseId == change.After.Id, ct) is { } complaint)
            {
                if (change.Action == "accept")
                {
                    complaint.AcceptedOn = today;
                    complaint.FinishBy = clock.FinishBy(today, complaint.Extensions);
                }
                else
                {
                    complaint.RefusedReason ??= "不予受理";
                }

                await db.SaveChangesAsync(ct);
            }
        }
    }

    public async Task OnClosedAsync(Case closed, CaseworkTransaction tx, CancellationToken ct)
    {
        await using var db = LaborDbContext.Within(tx);
        if (await db.Complaints.FirstOrDefaultAsync(c => c.CaseId == closed.Id, ct) is { FinishedOn: null } complaint)
        {
            complaint.FinishedOn = LaborDay.Today(time);
            await db.SaveChangesAsync(ct);
        }
    }
}

/// <summary>
/// The law's clock over open complaints: one not decided on by its accept-by day, or not finished by its finish-by
/// day, gets a breach record (once per step). Casework's own hour-based timers stay a backstop (see the README).
/// </summary>
public sealed class ComplaintDeadlines(IServiceScopeFactory scopes, TimeProvider time)
{
    /// <summary>Breaches recorded by this scan.</summary>
    public async Task<int> ScanAsync(CancellationToken ct)
    {
        var today = LaborDay.Today(time);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LaborDbContext>();
        var late = await db.Complaints.AsNoTracking()
            .Where(c => (c.AcceptedOn == null && c.RefusedReason == null && c.AcceptBy < today) || (c.FinishedOn == null && c.FinishBy < today))
            .Where(c => !db.ComplaintBreaches.Any(b => b.CaseId == c.CaseId && b.Step == (c.AcceptedOn == null ? "accept" : "finish")))
            .Take(1000).ToListAsync(ct);
        foreach (var c in late)
        {
            var step = c.AcceptedOn is null ? "accept" : "finish";
            db.ComplaintBreaches.Add(new ComplaintBreach
            {
                Id = Guid.CreateVersion7(),
                CaseId = c.CaseId,
                Step = step,
                Deadline = step == "accept" ? c.AcceptBy : c.FinishBy!.Value,
                GridPath = c.GridPath,
                RecordedAt = time.GetUtcNow(),
            });
        }

        await db.SaveChangesAsync(ct);
        return late.Count;
    }
}

/// <summary>Runs <see cref="ComplaintDeadlines"/> every <c>Labor:DeadlineScanInterval</c> (1 h); off when zero.</summary>
internal sealed class ComplaintDeadlineScanner(ComplaintDeadlines deadlines, LaborOptions options, ILogger<ComplaintDeadlineScanner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        if (options.DeadlineScanInterval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.DeadlineScanInterval);
        while (await timer.WaitForNextTickAsync(ct))
        {
            try
            {
                if (await deadlines.ScanAsync(ct) is > 0 and var n)
                {
                    logger.LogWarning("Complaint deadlines: {Count} breach(es) recorded", n);
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logger.LogError(e, "Complaint deadline scan failed; retried at the next interval");
            }
        }
    }
}
