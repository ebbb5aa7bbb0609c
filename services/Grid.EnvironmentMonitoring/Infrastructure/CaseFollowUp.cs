using Dapper;
using Grid.EnvironmentMonitoring.Domain;
using Npgsql;

namespace Grid.EnvironmentMonitoring.Infrastructure;

/// <summary>
/// Opens the cases that environment records call for — exceedance episodes, silences, problems found on patrol,
/// task slips, incidents — once each: the record is committed first without a case, then the case is opened with
/// the record's id as idempotency key and the id written back. Anything left without a case (a crash, the case
/// service refusing for a while) is picked up by the next sweep; the key makes a retry return the same case.
/// </summary>
internal sealed class CaseFollowUp(NpgsqlDataSource db, ICaseGateway cases, ICaseTransfers transfers, TimeProvider clock, ILogger<CaseFollowUp> logger)
{
    private sealed record Pending(string Table, Guid Id, CaseOpening Opening, Guid? SourceId);

    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    /// <summary>Opens every missing case; returns how many were opened.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        await OneAtATime.WaitAsync(ct);
        try
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            var pending = await FindAsync(conn, ct);
            var opened = 0;
            foreach (var p in pending)
            {
                var (caseId, error) = await cases.OpenAsync(p.Opening, $"environment:{p.Table}:{p.Id}", ct);
                if (caseId is null)
                {
                    logger.LogWarning("Case for {Table} {Id} not opened: {Error}", p.Table, p.Id, error);
                    continue;
                }

                await using var tx = await conn.BeginTransactionAsync(ct);
                var extra = p.Table == "patrols" ? ", case_opened_at = @now" : "";
                await conn.ExecuteAsync(new CommandDefinition(
                    $"UPDATE environment.{p.Table} SET case_id = @caseId{extra} WHERE id = @Id AND case_id IS NULL",
                    new { caseId, p.Id, now = clock.GetUtcNow().UtcDateTime }, tx, cancellationToken: ct));
                if (p.SourceId is { } sourceId)
                {
                    await conn.ExecuteAsync(new CommandDefinition("""
                        INSERT INTO environment.source_cases (case_id, source_id, origin, kind, opened_at)
                        VALUES (@caseId, @sourceId, @origin, @kind, @at) ON CONFLICT DO NOTHING
                        """, new { caseId, sourceId, origin = p.Opening.Source, kind = p.Opening.Category, at = clock.GetUtcNow().UtcDateTime }, tx, cancellationToken: ct));
                }

                await tx.CommitAsync(ct);
                opened++;
            }

            await TransferAsync(conn, ct);
            return opened;
        }
        finally
        {
            OneAtATime.Release();
        }
    }

    /// <summary>Problems found on patrol that belong to another domain (a fire hazard → fire) go there once their case exists.</summary>
    private async Task TransferAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var due = await conn.QueryAsync<(Guid Id, Guid CaseId, string Target)>(new CommandDefinition(
            "SELECT id, case_id, transfer_to FROM environment.patrols WHERE transfer_to IS NOT NULL AND case_id IS NOT NULL AND transferred_at IS NULL LIMIT 100",
            cancellationToken: ct));
        foreach (var p in due)
        {
            if (await transfers.TransferAsync(p.CaseId, p.Target, ct) is { } error)
            {
                logger.LogWarning("Transfer of case {CaseId} to {Target} not made: {Error}", p.CaseId, p.Target, error);
                continue;
            }

            await conn.ExecuteAsync(new CommandDefinition("UPDATE environment.patrols SET transferred_at = @now WHERE id = @Id",
                new { now = clock.GetUtcNow().UtcDateTime, p.Id }, cancellationToken: ct));
        }
    }

    private static async Task<List<Pending>> FindAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var list = new List<Pending>();
        var episodes = await conn.QueryAsync<(Guid Id, string Station, string StationName, string GridId, Guid SourceId, string Pollutant, string Kind, double Limit, int? Window, int? Count, DateTime Start, double Peak)>(new CommandDefinition("""
            SELECT e.id, s.id, s.name, s.grid_id, s.source_id, e.pollutant, r.kind, r.limit_value, r.window_minutes, r.consecutive_count, e.started_at, e.peak_value
            FROM environment.exceedance_episodes e
            JOIN environment.stations s ON s.id = e.station_id
            JOIN environment.limit_rules r ON r.id = e.rule_id
            WHERE e.case_id IS NULL ORDER BY e.detected_at LIMIT 200
            """, cancellationToken: ct));
        foreach (var e in episodes)
        {
            var p = Pollutants.Find(e.Pollutant)!;
            var how = Enum.Parse<LimitKind>(e.Kind) switch
            {
                LimitKind.Instant => $"瞬时值 > {e.Limit} {p.Unit}",
                LimitKind.RollingAverage => $"{e.Window} 分钟均值 > {e.Limit} {p.Unit}",
                _ => $"连续 {e.Count} 次 > {e.Limit} {p.Unit}",
            };
            list.Add(new Pending("exceedance_episodes", e.Id, new CaseOpening
            {
                Category = "exceedance",
                Title = $"{e.StationName} {p.Name}({p.Code}) 超标: {how}",
                Description = $"Station {e.Station}: {e.Kind} rule, limit {e.Limit} {p.Unit}; first breach {Utc(e.Start):O}, value {e.Peak}.",
                Source = "sensor",
                GridId = e.GridId,
                OccurredAt = Utc(e.Start),
            }, e.SourceId));
        }

        var silences = await conn.QueryAsync<(Guid Id, string Station, string StationName, string GridId, DateTime Since, DateTime Detected)>(new CommandDefinition("""
            SELECT sl.id, s.id, s.name, s.grid_id, sl.silent_since, sl.detected_at
            FROM environment.silences sl JOIN environment.stations s ON s.id = sl.station_id
            WHERE sl.case_id IS NULL ORDER BY sl.detected_at LIMIT 200
            """, cancellationToken: ct));
        list.AddRange(silences.Select(s => new Pending("silences", s.Id, new CaseOpening
        {
            Category = "silent-station",
            Title = $"{s.StationName} 在线监控数据中断",
            Description = $"Station {s.Station} has sent nothing since {Utc(s.Since):O}.",
            Source = "sensor",
            GridId = s.GridId,
            OccurredAt = Utc(s.Detected),
        }, null)));

        var patrols = await conn.QueryAsync<(Guid Id, string Kind, string GridId, Guid? SourceId, DateTime At, string? Findings, string? Category, string? Severity)>(new CommandDefinition("""
            SELECT id, kind, grid_id, source_id, at, findings, category, severity FROM environment.patrols
            WHERE problem_found AND case_id IS NULL ORDER BY recorded_at LIMIT 200
            """, cancellationToken: ct));
        list.AddRange(patrols.Select(p => new Pending("patrols", p.Id, new CaseOpening
        {
            Category = p.Category ?? "patrol-finding",
            Severity = p.Severity ?? "general",
            Title = Shorten(p.Findings is { Length: > 0 } f ? f : "巡查发现问题"),
            Description = p.Findings ?? "",
            Source = p.Kind == PatrolKinds.Patrol ? "patrol" : "inspection",
            GridId = p.GridId,
            OccurredAt = Utc(p.At),
        }, p.SourceId)));

        var slips = await conn.QueryAsync<(Guid Id, string Kind, string GridId, Guid? SourceId, string Title, string? Description, DateTime IssuedAt)>(new CommandDefinition("""
            SELECT id, kind, grid_id, source_id, title, description, issued_at FROM environment.task_slips
            WHERE case_id IS NULL ORDER BY issued_at LIMIT 200
            """, cancellationToken: ct));
        list.AddRange(slips.Select(s => new Pending("task_slips", s.Id, new CaseOpening
        {
            Category = s.Kind,
            Title = Shorten(s.Title),
            Description = s.Description ?? "",
            Source = s.Kind == TaskSlipKinds.Assignment ? "assignment" : "complaint",
            GridId = s.GridId,
            OccurredAt = Utc(s.IssuedAt),
        }, s.SourceId)));

        var incidents = await conn.QueryAsync<(Guid Id, string GridId, Guid? SourceId, string Title, string? Description, string Severity, DateTime At)>(new CommandDefinition("""
            SELECT id, grid_id, source_id, title, description, severity, occurred_at FROM environment.incidents
            WHERE case_id IS NULL ORDER BY recorded_at LIMIT 200
            """, cancellationToken: ct));
        list.AddRange(incidents.Select(i => new Pending("incidents", i.Id, new CaseOpening
        {
            Category = "incident",
            Severity = i.Severity,
            Title = Shorten(i.Title),
            Description = i.Description ?? "",
            Source = "hotline",
            GridId = i.GridId,
            OccurredAt = Utc(i.At),
        }, i.SourceId)));
        return list;
    }

    private static string Shorten(string s) => s.Length <= 200 ? s : s[..199] + "…";

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
}
