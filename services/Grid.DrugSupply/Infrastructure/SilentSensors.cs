using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.DrugSupply.Domain;
using Microsoft.EntityFrameworkCore;

namespace Grid.DrugSupply.Infrastructure;

/// <summary>
/// 监测中断: finds the points whose sensors sent readings before but none for longer than the silence window, records
/// one silence per episode and opens its case (the silence's id is the report's idempotency key). A reading arriving
/// afterwards ends the silence (<see cref="Apis.StorageApi"/>); the case stays for the authority to follow up.
/// </summary>
public sealed class SilentSensors(IServiceScopeFactory scopes, DrugOptions options, TimeProvider time, ILogger<SilentSensors> logger)
{
    /// <summary>One pass: the silences found and the cases opened (a case that failed to open is retried by the next pass).</summary>
    public async Task<(int Found, List<Guid> Cases)> ScanAsync(CancellationToken ct)
    {
        if (options.Storage.Silence <= TimeSpan.Zero)
        {
            return (0, []);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrugsDbContext>();
        var cases = scope.ServiceProvider.GetRequiredService<CaseService>();
        var now = time.GetUtcNow();
        var cutoff = now - options.Storage.Silence;
        var quiet = await db.SupplyPoints.AsNoTracking()
            .Select(p => new { Point = p, Last = db.Readings.Where(r => r.PointId == p.Id).Max(r => (DateTimeOffset?)r.At) })
            .Where(x => x.Last != null && x.Last < cutoff
                && !db.Silences.Any(s => s.PointId == x.Point.Id && (s.EndedAt == null || s.LastReadingAt >= x.Last)))
            .ToListAsync(ct);
        var found = 0;
        foreach (var q in quiet)
        {
            db.Silences.Add(new StorageSilence
            {
                Id = Guid.CreateVersion7(now),
                PointId = q.Point.Id,
                LastReadingAt = q.Last!.Value,
                DetectedAt = now,
                GridPath = q.Point.GridPath,
            });
            try
            {
                await db.SaveChangesAsync(ct);
                found++;
            }
            catch (DbUpdateException e) when (DomainSchema.IsUniqueViolation(e))
            {
                // Another replica's scan recorded it first.
                db.ChangeTracker.Clear();
            }
        }

        var opened = new List<Guid>();
        var due = await db.Silences.AsNoTracking().Where(s => s.CaseId == null && s.EndedAt == null)
            .Join(db.SupplyPoints.AsNoTracking(), s => s.PointId, p => p.Id, (s, p) => new { Silence = s, Point = p }).ToListAsync(ct);
        foreach (var d in due)
        {
            var report = new ReportCaseRequest
            {
                Category = DrugCaseCategories.SilentSensor,
                Severity = DeadlinePolicy.General,
                Title = $"{d.Point.Name} 温湿度监测中断",
                Description = $"最后一次读数 {d.Silence.LastReadingAt.ToOffset(DrugsDay.Offset):yyyy-MM-dd HH:mm}，此后超过 {options.Storage.Silence.TotalHours:0.#} 小时未收到读数",
                Source = "sensor",
                GridId = d.Point.GridId,
                OccurredAt = d.Silence.LastReadingAt + options.Storage.Silence,
            };
            var outcome = await CaseStep.WithAsync(new DrugsCaseContext { SilenceId = d.Silence.Id },
                () => cases.ReportAsync(report, Actor.System("drugs:silent-sensor"), $"drugs-storage-silence:{d.Silence.Id}", ct));
            if (outcome.Case is { } c && outcome.Status is 200 or 201)
            {
                opened.Add(c.Id);
            }
            else
            {
                logger.LogWarning("The case of the silence of point {PointId} was refused ({Status}); the next scan tries again", d.Point.Id, outcome.Status);
            }
        }

        return (found, opened);
    }
}

/// <summary>Runs <see cref="SilentSensors.ScanAsync"/> every <see cref="StorageRules.SilenceScanEvery"/> on the service's clock.</summary>
internal sealed class SilenceScanner(SilentSensors sensors, DrugOptions options, TimeProvider time, ILogger<SilenceScanner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Storage.SilenceScanEvery, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await sensors.ScanAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "The silent-sensor scan failed; the next tick tries again");
            }
        }
    }
}
