using Grid.CadreSupervision.Domain;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;
using Microsoft.EntityFrameworkCore;

namespace Grid.CadreSupervision.Infrastructure;

/// <summary>
/// 月报 deadlines: every township grid of the cadre hierarchy that has not filed a month's report by its due moment gets
/// one breach record, and the missed deadline is counted against the township's commission like any other domain's.
/// </summary>
public sealed class MonthlyDeadlines(IServiceScopeFactory scopes, IGridDirectory grids, CaseworkDatabase casework, CadreOptions options, TimeProvider time)
{
    /// <summary>The grids that file monthly reports (the depth configured), across the cadre hierarchy's roots.</summary>
    public async Task<List<GridNode>> ReportingGridsAsync(int depth, CancellationToken ct)
    {
        var result = new List<GridNode>();
        foreach (var root in await grids.RootsAsync(Domains.Cadre, ct))
        {
            result.AddRange((await grids.SubtreeAsync(root.Id, ct)).Where(g => g.Path.Count == depth));
        }

        return result;
    }

    /// <summary>Breaches recorded by this scan.</summary>
    public async Task<int> ScanAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var months = options.Monthly.MonthsDue(now).ToList();
        if (months.Count == 0)
        {
            return 0;
        }

        var towns = await ReportingGridsAsync(options.Monthly.GridDepth, ct);
        await using var scope = scopes.CreateAsyncScope();
        var read = scope.ServiceProvider.GetRequiredService<CadreDbContext>();
        var filed = (await read.MonthlyReports.AsNoTracking().Where(r => months.Contains(r.Month)).Select(r => new { r.GridId, r.Month }).ToListAsync(ct))
            .Concat(await read.MonthlyBreaches.AsNoTracking().Where(r => months.Contains(r.Month)).Select(r => new { r.GridId, r.Month }).ToListAsync(ct))
            .Select(x => (x.GridId, x.Month)).ToHashSet();
        var missing = (from m in months from g in towns where !filed.Contains((g.Id, m)) select (Grid: g, Month: m)).ToList();
        if (missing.Count == 0)
        {
            return 0;
        }

        await using var tx = await casework.BeginAsync(ct);
        await using var db = CadreDbContext.Within(tx);
        foreach (var (g, month) in missing)
        {
            var due = options.Monthly.DueBy(month);
            db.MonthlyBreaches.Add(new MonthlyBreach { Id = Guid.CreateVersion7(), GridId = g.Id, GridPath = [.. g.Path], Month = month, DueBy = due, RecordedAt = now });
            db.Accountability.Add(new AccountabilityRecord
            {
                Id = Guid.CreateVersion7(),
                EventId = Guid.NewGuid(),
                Domain = Domains.Cadre,
                CaseNumber = $"月报 {month}",
                Step = "monthly-report",
                Deadline = due,
                Responsible = $"discipline:{g.Id} {g.Name}".Trim(),
                ResponsibleGridId = g.Id,
                GridPath = [.. g.Path],
                Period = AccountabilityRules.PeriodOf(due),
                OccurredAt = now,
            });
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return missing.Count;
    }
}

/// <summary>Runs <see cref="MonthlyDeadlines"/> every <c>Cadre:Monthly:ScanInterval</c> (1 h) on the service's clock; off when zero.</summary>
internal sealed class MonthlyDeadlineScanner(MonthlyDeadlines deadlines, CadreOptions options, TimeProvider time, ILogger<MonthlyDeadlineScanner> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        if (options.Monthly.ScanInterval <= TimeSpan.Zero)
        {
            return;
        }

        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Monthly.ScanInterval, time, ct);
                if (await deadlines.ScanAsync(ct) is > 0 and var n)
                {
                    logger.LogWarning("Monthly reports: {Count} missed deadline(s) recorded", n);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Monthly report deadline scan failed; retried at the next interval");
            }
        }
    }
}
