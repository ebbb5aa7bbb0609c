using System.Security.Claims;
using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.Contracts.Roles;
using Grid.DrugSupply.Domain;
using Grid.DrugSupply.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.DrugSupply.Apis.DrugSupplyApi;

namespace Grid.DrugSupply.Apis;

/// <summary>
/// 储存条件监测: temperature and humidity readings of cabinets and pharmacies in batches. A run of readings outside the
/// configured band for longer than the grace period opens one case per episode, however many readings it spans.
/// </summary>
public static class StorageApi
{
    public sealed record ReadingDto(Guid? PointId, StorageZone? Zone, DateTimeOffset? At, decimal? Temperature, decimal? Humidity);

    public sealed record ReadingBatch(IReadOnlyList<ReadingDto?>? Readings);

    /// <summary>Who may send readings: the keepers, and a monitoring station's client.</summary>
    private static readonly string[] Senders = [.. DrugRoles.Keepers, GridRoles.Station];

    public static RouteGroupBuilder MapStorageApi(this RouteGroupBuilder api)
    {
        api.MapPost("/readings", Ingest).WithSummary("温湿度: a batch of readings; refused whole (400, the reading and field named) when one is bad.");
        api.MapGet("/points/{id:guid}/episodes", Episodes).WithSummary("超标时段 of a point, newest first, with the case each opened.");
        api.MapGet("/points/{id:guid}/silences", Silences).WithSummary("监测中断 of a point, newest first, with the case each opened.");
        return api;
    }

    private static async Task<IResult> Ingest(
        ReadingBatch? batch, HttpContext h, DrugsDbContext db, StorageBands bands, CaseService cases, DrugOptions options, TimeProvider time,
        CancellationToken ct)
    {
        var user = h.User;
        if (DrugsAccess.Deny(user, Senders) is { } denied)
        {
            return denied;
        }

        if (batch?.Readings is not { Count: > 0 } readings || readings.Count > options.Storage.MaxBatch)
        {
            return GridProblems.Invalid("readings", $"must hold 1 to {options.Storage.MaxBatch} readings");
        }

        var ids = readings.Select(r => r?.PointId).OfType<Guid>().Distinct().ToList();
        var points = await SupplyPointsApi.Scoped(db.SupplyPoints.AsNoTracking(), user).Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        var now = time.GetUtcNow();
        var errors = new Dictionary<string, List<string>>();
        void Add(int i, string f, string m) => (errors.TryGetValue($"readings[{i}].{f}", out var l) ? l : errors[$"readings[{i}].{f}"] = []).Add(m);
        for (var i = 0; i < readings.Count; i++)
        {
            var r = readings[i];
            if (r?.PointId is not { } pid || !points.TryGetValue(pid, out var point))
            {
                Add(i, "pointId", r?.PointId is null ? "is required" : $"no supply point {r.PointId} in your scope");
            }
            else if (!user.Allows(Senders, Grid.Contracts.Events.Domains.Drugs, point.GridPath))
            {
                Add(i, "pointId", "is outside the grids of your posts");
            }

            if (r?.Zone is not { } zone || !Enum.IsDefined(zone))
            {
                Add(i, "zone", "is required: Normal or Cold");
            }

            if (r?.At is not { } at)
            {
                Add(i, "at", "is required");
            }
            else if (at > now.AddMinutes(5))
            {
                Add(i, "at", "must not be in the future");
            }

            if (r?.Temperature is not (>= -40 and <= 60))
            {
                Add(i, "temperature", "is required, between -40 and 60 °C");
            }

            if (r?.Humidity is not (>= 0 and <= 100))
            {
                Add(i, "humidity", "is required, between 0 and 100 %");
            }
        }

        if (errors.Count > 0)
        {
            return GridProblems.Invalid(errors);
        }

        // timestamptz holds UTC; a device's local offset is only how it wrote the time.
        var normalized = readings.Select(r => r! with { At = r.At!.Value.ToUniversalTime() }).ToList();
        var (stored, due) = await StoreAsync(db, bands, points, normalized, ct);
        var opened = new List<object>();
        foreach (var episode in due)
        {
            opened.Add(await OpenCaseAsync(cases, points[episode.PointId], episode, ct));
        }

        return TypedResults.Ok(new { received = readings.Count, stored, cases = opened });
    }

    /// <summary>
    /// The readings and the episodes they move, in one transaction, each point locked so that two batches of the same
    /// cabinet apply in turn; returns the episodes due a case (this batch's, or an earlier one's whose case failed to open).
    /// </summary>
    private static async Task<(int Stored, List<StorageEpisode> Due)> StoreAsync(
        DrugsDbContext db, StorageBands bands, Dictionary<Guid, SupplyPoint> points, IReadOnlyList<ReadingDto> readings, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var id in points.Keys.Order())
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtext('drugs.storage'), hashtext({id.ToString()}))", ct);
        }

        var stored = 0;
        var touched = new List<StorageEpisode>();
        foreach (var group in readings.GroupBy(r => (r.PointId!.Value, r.Zone!.Value)))
        {
            var (pointId, zone) = group.Key;
            var ats = group.Select(r => r.At!.Value).ToList();
            var seen = (await db.Readings.Where(r => r.PointId == pointId && r.Zone == zone && ats.Contains(r.At)).Select(r => r.At).ToListAsync(ct)).ToHashSet();
            var fresh = group.Where(r => seen.Add(r.At!.Value)).OrderBy(r => r.At).Select(r => new StorageReading
            {
                Id = Guid.CreateVersion7(),
                PointId = pointId,
                Zone = zone,
                At = r.At!.Value,
                Temperature = r.Temperature!.Value,
                Humidity = r.Humidity!.Value,
                InBand = bands.OutOfBand(zone, r.Temperature.Value, r.Humidity.Value) is null,
            }).ToList();
            db.Readings.AddRange(fresh);
            stored += fresh.Count;
            if (fresh.Count > 0)
            {
                // 监测中断 ends with the first reading after the silence.
                var first = fresh[0].At;
                await db.Silences.Where(s => s.PointId == pointId && s.EndedAt == null && s.LastReadingAt < first)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, first), ct);
            }

            var open = await db.Episodes.FirstOrDefaultAsync(e => e.PointId == pointId && e.Zone == zone && e.EndedAt == null, ct);
            var (stillOpen, ended) = bands.Apply(open, fresh, r =>
            {
                var e = new StorageEpisode
                {
                    Id = Guid.CreateVersion7(),
                    PointId = pointId,
                    Zone = zone,
                    StartedAt = r.At,
                    LastOutAt = r.At,
                    Breach = bands.OutOfBand(zone, r.Temperature, r.Humidity)!,
                    GridPath = points[pointId].GridPath,
                };
                db.Episodes.Add(e);
                return e;
            });
            touched.AddRange(ended);
            if (stillOpen is not null)
            {
                touched.Add(stillOpen);
            }

            // An episode ended by this batch frees the point for the next one before it is inserted.
            await db.SaveChangesAsync(ct);
        }

        var pointIds = points.Keys.ToList();
        var earlier = await db.Episodes.Where(e => pointIds.Contains(e.PointId) && e.CaseId == null).ToListAsync(ct);
        await tx.CommitAsync(ct);
        return (stored, [.. touched.Concat(earlier).DistinctBy(e => e.Id).Where(bands.Due)]);
    }

    /// <summary>One case per episode: the episode's id is the report's idempotency key, so a retry opens nothing twice.</summary>
    private static async Task<object> OpenCaseAsync(CaseService cases, SupplyPoint point, StorageEpisode e, CancellationToken ct)
    {
        var zone = e.Zone == StorageZone.Cold ? "冷链" : "常温";
        var report = new ReportCaseRequest
        {
            Category = DrugCaseCategories.Storage,
            Severity = e.Zone == StorageZone.Cold ? DeadlinePolicy.Serious : DeadlinePolicy.General,
            Title = $"{point.Name} {zone}储存条件超标",
            Description = $"{e.StartedAt:yyyy-MM-dd HH:mm} 起 {e.Breach}，持续至 {e.LastOutAt:HH:mm} 仍未恢复 ({e.Readings} 次读数)",
            Source = "sensor",
            GridId = point.GridId,
            OccurredAt = e.StartedAt,
        };
        var outcome = await CaseStep.WithAsync(new DrugsCaseContext { EpisodeId = e.Id },
            () => cases.ReportAsync(report, Actor.System("drugs:storage"), $"drugs-storage-episode:{e.Id}", ct));
        return CaseworkBridge.Ok(outcome)
            ? new { episodeId = e.Id, caseId = outcome.Case!.Id, number = outcome.Case.Number }
            : new { episodeId = e.Id, refused = outcome.Detail ?? outcome.Title };
    }

    private static async Task<IResult> Episodes(Guid id, ClaimsPrincipal user, DrugsDbContext db, CancellationToken ct)
    {
        if (DrugsAccess.Deny(user, DrugRoles.Staff) is { } denied)
        {
            return denied;
        }

        if (!await SupplyPointsApi.Scoped(db.SupplyPoints, user).AnyAsync(p => p.Id == id, ct))
        {
            return GridProblems.NotFound("Supply point", id);
        }

        return TypedResults.Ok(await db.Episodes.AsNoTracking().Where(e => e.PointId == id).OrderByDescending(e => e.StartedAt).Take(500).ToListAsync(ct));
    }

    private static async Task<IResult> Silences(Guid id, ClaimsPrincipal user, DrugsDbContext db, CancellationToken ct)
    {
        if (DrugsAccess.Deny(user, DrugRoles.Staff) is { } denied)
        {
            return denied;
        }

        if (!await SupplyPointsApi.Scoped(db.SupplyPoints, user).AnyAsync(p => p.Id == id, ct))
        {
            return GridProblems.NotFound("Supply point", id);
        }

        return TypedResults.Ok(await db.Silences.AsNoTracking().Where(s => s.PointId == id).OrderByDescending(s => s.LastReadingAt).Take(500).ToListAsync(ct));
    }
}
