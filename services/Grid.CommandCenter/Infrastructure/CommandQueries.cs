using Dapper;
using Grid.CommandCenter.Domain;
using Npgsql;

namespace Grid.CommandCenter.Infrastructure;

/// <summary>One case as the boards show it. Reporter identities never reach the command centre.</summary>
public sealed class CaseRow
{
    public Guid CaseId { get; init; }
    public long Seq { get; init; }
    public string Domain { get; init; } = "";
    public string CaseNumber { get; init; } = "";
    public string GridId { get; init; } = "";
    public string[] GridPath { get; init; } = [];
    public string? Category { get; init; }
    public string? Severity { get; init; }
    public string? Title { get; init; }
    public string State { get; init; } = "";
    public DateTime? ReportedAt { get; init; }
    public DateTime? DueAt { get; init; }
    public string? Department { get; init; }
    public DateTime? ClosedAt { get; init; }
    public bool? OnTime { get; init; }
    public int ReopenCount { get; init; }
    public int BreachCount { get; init; }
    public string? BreachStep { get; init; }
    public string? BreachResponsible { get; init; }
    public bool Overdue { get; init; }
    public DateTime? EscalatedAt { get; init; }
    public string? EscalationReason { get; init; }
    public string? EscalatedTo { get; init; }
    public DateTime? ListedAt { get; init; }
    public DateTime LastEventAt { get; init; }
}

public sealed record CaseFilter(string? Domain, string? Grid, string? State, string Board = CaseBoards.Open);

/// <summary>Which board a case list is for.</summary>
public static class CaseBoards
{
    public const string Open = "open";
    public const string All = "all";
    public const string Overdue = "overdue";
    public const string Escalated = "escalated";
    public const string Listed = "listed";
    public static readonly string[] Known = [Open, All, Overdue, Escalated, Listed];
}

public sealed record KeyCount(string Key, int Count);

public sealed record BoardSummary(
    int Open, int Overdue, int Escalated, int Listed, int TransfersInFlight, int SummonsPending, int SummonsLate,
    IReadOnlyList<KeyCount> ByDomain, IReadOnlyList<KeyCount> ByState, IReadOnlyList<KeyCount> ByGrid);

public sealed class TransferRow
{
    public Guid TransferId { get; init; }
    public Guid? OriginCaseId { get; init; }
    public string? OriginDomain { get; init; }
    public string? TargetDomain { get; init; }
    public Guid? TargetCaseId { get; init; }
    public string? GridId { get; init; }
    public string? Title { get; init; }
    public DateTime? RequestedAt { get; init; }
    public DateTime? ResultDueBy { get; init; }
    public DateTime? AcceptedAt { get; init; }
    public DateTime? ResultAt { get; init; }
    public string? Outcome { get; init; }
    public bool Overdue { get; init; }
}

public sealed class SummonsRow
{
    public Guid SummonsId { get; init; }
    public Guid? CaseId { get; init; }
    public string Domain { get; init; } = "";
    public string GridId { get; init; } = "";
    public string[] GridPath { get; init; } = [];
    public string DepartmentId { get; init; } = "";
    public string? SummonedBy { get; init; }
    public string? Reason { get; init; }
    public DateTime? SummonedAt { get; init; }
    public DateTime ReportBy { get; init; }
    public DateTime? ReportedAt { get; init; }

    /// <summary>pending, reported, late (reported after the deadline), missed (deadline passed, not reported).</summary>
    public string Status { get; init; } = "";
}

public sealed record DepartmentSummonsStats(string DepartmentId, int Summoned, int Reported, int Late, int Missed);

/// <summary>Read-model queries for the boards, indicators and reports, always inside the user's scope.</summary>
public sealed class CommandQueries(NpgsqlDataSource db, IConfiguration configuration)
{
    const string ScopeFilter = """
        (@Grids::text[] IS NULL OR c.grid_path && @Grids::text[])
        AND (@Domains::text[] IS NULL OR c.domain = ANY(@Domains::text[]))
        AND (@PostDomains::text[] IS NULL OR EXISTS (
            SELECT 1 FROM unnest(@PostDomains::text[], @PostGrids::text[]) AS p(d, g)
            WHERE (p.d = '*' OR p.d = c.domain) AND (p.g = '*' OR p.g = ANY(c.grid_path))))
        """;

    /// <summary>A case with no deadline of its own is due this long after it was reported (configurable).</summary>
    public TimeSpan DefaultHandleWithin =>
        TimeSpan.FromDays(configuration.GetValue<double?>("Command:DefaultHandleDays") ?? 7);

    string DueAt => "COALESCE(c.handle_by, c.reported_at + @DefaultHandle)";

    string CaseColumns => $"""
        c.case_id, c.seq, c.domain, c.case_number, c.grid_id, c.grid_path, c.category, c.severity, c.title, c.state,
        c.reported_at, {DueAt} AS due_at, c.department, c.closed_at, c.on_time, c.reopen_count, c.breach_count,
        c.breach_step, c.breach_responsible,
        (c.state NOT IN ('closed','rejected') AND (c.breach_count > 0 OR {DueAt} < now())) AS overdue,
        c.escalated_at, c.escalation_reason, c.escalated_to, c.listed_at, c.last_event_at
        """;

    static string BoardFilter(string board, string dueAt) => board switch
    {
        CaseBoards.All => "TRUE",
        CaseBoards.Overdue => $"c.state NOT IN ('closed','rejected') AND (c.breach_count > 0 OR {dueAt} < now())",
        CaseBoards.Escalated => "c.state NOT IN ('closed','rejected') AND c.escalated_at IS NOT NULL",
        CaseBoards.Listed => "c.listed_at IS NOT NULL",
        _ => "c.state NOT IN ('closed','rejected')",
    };

    DynamicParameters Params(UserScope scope, object? more = null)
    {
        var p = more is null ? new DynamicParameters() : new DynamicParameters(more);
        p.Add("Grids", scope.Grids);
        p.Add("Domains", scope.Domains);
        p.Add("PostDomains", scope.PostDomains);
        p.Add("PostGrids", scope.PostGrids);
        p.Add("DefaultHandle", DefaultHandleWithin);
        return p;
    }

    public async Task<IReadOnlyList<CaseRow>> CasesAsync(UserScope scope, CaseFilter f, long? afterSeq, int limit, CancellationToken ct)
    {
        var sql = $"""
            SELECT {CaseColumns} FROM cc_cases c
            WHERE {ScopeFilter} AND {BoardFilter(f.Board, DueAt)}
              AND (@Domain::text IS NULL OR c.domain = @Domain)
              AND (@Grid::text IS NULL OR @Grid = ANY(c.grid_path))
              AND (@State::text IS NULL OR c.state = @State)
              AND (@After::bigint IS NULL OR c.seq < @After)
            ORDER BY c.seq DESC LIMIT @Limit
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<CaseRow>(new CommandDefinition(sql,
            Params(scope, new { f.Domain, f.Grid, f.State, After = afterSeq, Limit = limit }), cancellationToken: ct));
        return rows.ToList();
    }

    public async Task<BoardSummary> BoardAsync(UserScope scope, string? grid, CancellationToken ct)
    {
        var where = $"{ScopeFilter} AND (@Grid::text IS NULL OR @Grid = ANY(c.grid_path))";
        var childKey = "COALESCE(CASE WHEN @Grid::text IS NULL THEN c.grid_path[1] ELSE c.grid_path[array_position(c.grid_path, @Grid) + 1] END, c.grid_id)";
        var sql = $"""
            SELECT count(*) FILTER (WHERE {BoardFilter(CaseBoards.Open, DueAt)}),
                   count(*) FILTER (WHERE {BoardFilter(CaseBoards.Overdue, DueAt)}),
                   count(*) FILTER (WHERE {BoardFilter(CaseBoards.Escalated, DueAt)}),
                   count(*) FILTER (WHERE {BoardFilter(CaseBoards.Listed, DueAt)} AND c.state NOT IN ('closed','rejected'))
            FROM cc_cases c WHERE {where};
            SELECT c.domain AS key, count(*)::int AS count FROM cc_cases c WHERE {where} AND {BoardFilter(CaseBoards.Open, DueAt)} GROUP BY 1 ORDER BY 2 DESC, 1;
            SELECT c.state AS key, count(*)::int AS count FROM cc_cases c WHERE {where} AND {BoardFilter(CaseBoards.Open, DueAt)} GROUP BY 1 ORDER BY 2 DESC, 1;
            SELECT {childKey} AS key, count(*)::int AS count FROM cc_cases c WHERE {where} AND {BoardFilter(CaseBoards.Open, DueAt)} GROUP BY 1 ORDER BY 2 DESC, 1;
            SELECT count(*) FROM cc_transfers c WHERE c.result_at IS NULL AND (@Grids::text[] IS NULL OR c.grid_path && @Grids::text[])
              AND (@Grid::text IS NULL OR @Grid = ANY(c.grid_path));
            SELECT count(*) FILTER (WHERE c.reported_at IS NULL AND c.report_by >= now()),
                   count(*) FILTER (WHERE (c.reported_at IS NULL AND c.report_by < now()) OR c.reported_at > c.report_by)
            FROM cc_summons c WHERE {ScopeFilter} AND (@Grid::text IS NULL OR @Grid = ANY(c.grid_path));
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var multi = await conn.QueryMultipleAsync(new CommandDefinition(sql, Params(scope, new { Grid = grid }), cancellationToken: ct));
        var (open, overdue, escalated, listed) = await multi.ReadSingleAsync<(long, long, long, long)>();
        var byDomain = (await multi.ReadAsync<KeyCount>()).ToList();
        var byState = (await multi.ReadAsync<KeyCount>()).ToList();
        var byGrid = (await multi.ReadAsync<KeyCount>()).ToList();
        var transfers = await multi.ReadSingleAsync<long>();
        var (pending, late) = await multi.ReadSingleAsync<(long, long)>();
        return new BoardSummary((int)open, (int)overdue, (int)escalated, (int)listed, (int)transfers, (int)pending, (int)late,
            byDomain, byState, byGrid);
    }

    public async Task<IReadOnlyList<TransferRow>> TransfersAsync(UserScope scope, bool inFlightOnly, CancellationToken ct)
    {
        var sql = """
            SELECT c.transfer_id, c.origin_case_id, c.origin_domain, c.target_domain, c.target_case_id, c.grid_id, c.title,
                   c.requested_at, c.result_due_by, c.accepted_at, c.result_at, c.outcome,
                   (c.result_at IS NULL AND c.result_due_by < now()) AS overdue
            FROM cc_transfers c
            WHERE (@Grids::text[] IS NULL OR c.grid_path && @Grids::text[])
              AND (@Domains::text[] IS NULL OR c.origin_domain = ANY(@Domains::text[]) OR c.target_domain = ANY(@Domains::text[]))
              AND (NOT @InFlight OR c.result_at IS NULL)
            ORDER BY c.requested_at DESC NULLS LAST LIMIT 500
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<TransferRow>(new CommandDefinition(sql, Params(scope, new { InFlight = inFlightOnly }), cancellationToken: ct))).ToList();
    }

    const string SummonsStatus = """
        CASE WHEN c.reported_at IS NULL AND c.report_by >= now() THEN 'pending'
             WHEN c.reported_at IS NULL THEN 'missed'
             WHEN c.reported_at > c.report_by THEN 'late'
             ELSE 'reported' END
        """;

    public async Task<IReadOnlyList<SummonsRow>> SummonsAsync(UserScope scope, string? status, Guid? id, CancellationToken ct)
    {
        var sql = $"""
            SELECT c.*, {SummonsStatus} AS status FROM cc_summons c
            WHERE {ScopeFilter} AND (@Id::uuid IS NULL OR c.summons_id = @Id)
              AND (@Status::text IS NULL OR {SummonsStatus} = @Status)
            ORDER BY c.summoned_at DESC NULLS LAST LIMIT 500
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<SummonsRow>(new CommandDefinition(sql, Params(scope, new { Status = status, Id = id }), cancellationToken: ct))).ToList();
    }

    public async Task<IReadOnlyList<DepartmentSummonsStats>> SummonsByDepartmentAsync(UserScope scope, DateTime from, DateTime to, CancellationToken ct)
    {
        var sql = $"""
            SELECT c.department_id, count(*)::int AS summoned,
                   count(*) FILTER (WHERE c.reported_at IS NOT NULL)::int AS reported,
                   count(*) FILTER (WHERE c.reported_at > c.report_by)::int AS late,
                   count(*) FILTER (WHERE c.reported_at IS NULL AND c.report_by < now())::int AS missed
            FROM cc_summons c WHERE {ScopeFilter} AND c.report_by >= @From AND c.report_by < @To
            GROUP BY 1
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<DepartmentSummonsStats>(new CommandDefinition(sql, Params(scope, new { From = from, To = to }), cancellationToken: ct))).ToList();
    }

    /// <summary>Grid path of a case inside the user's scope, or null when it is unknown or not visible.</summary>
    public async Task<(string Domain, string GridId, string[] GridPath)?> CaseLocationAsync(UserScope scope, Guid caseId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = (await conn.QueryAsync<CaseRow>(new CommandDefinition(
            $"SELECT c.domain, c.grid_id, c.grid_path FROM cc_cases c WHERE c.case_id = @Id AND {ScopeFilter}",
            Params(scope, new { Id = caseId }), cancellationToken: ct))).FirstOrDefault();
        return row is null ? null : (row.Domain, row.GridId, row.GridPath);
    }

    /// <summary>
    /// The indicator counts per group and period. <paramref name="groupBy"/>: grid (children of
    /// <paramref name="parent"/>, or the roots), department or domain. Periods are calendar days, ISO weeks
    /// (Monday) or months in China Standard Time.
    /// </summary>
    public async Task<IReadOnlyList<IndicatorCounts>> IndicatorsAsync(
        UserScope scope, string groupBy, string? parent, string? domain, IndicatorPeriod period, DateTime from, DateTime to, CancellationToken ct)
    {
        var key = groupBy switch
        {
            "department" => "COALESCE(c.department, '')",
            "domain" => "c.domain",
            _ => "COALESCE(CASE WHEN @Parent::text IS NULL THEN c.grid_path[1] ELSE c.grid_path[array_position(c.grid_path, @Parent) + 1] END, c.grid_id)",
        };
        var unit = period switch { IndicatorPeriod.Day => "day", IndicatorPeriod.Week => "week", _ => "month" };
        string Bucket(string col) => $"(date_trunc('{unit}', {col} AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai')";
        var sql = $"""
            WITH k AS (
                SELECT c.*, {key} AS k, {DueAt} AS due_at, LEAST({DueAt}, c.closed_at) AS settled_at FROM cc_cases c
                WHERE {ScopeFilter} AND c.rejected_at IS NULL
                  AND (@Parent::text IS NULL OR @Parent = ANY(c.grid_path))
                  AND (@Domain::text IS NULL OR c.domain = @Domain)),
            facts AS (
                SELECT k, {Bucket("settled_at")} AS p, 1 AS due, (closed_at IS NOT NULL)::int AS closed,
                       (closed_at IS NOT NULL AND COALESCE(on_time, closed_at <= due_at))::int AS on_time,
                       (breach_count > 0 OR (closed_at IS NULL AND due_at < now()) OR closed_at > due_at)::int AS breached,
                       0 AS handled, 0 AS reopened, 0 AS closed_in, NULL::float8 AS hours
                FROM k WHERE settled_at >= @From AND settled_at < @To AND settled_at <= now()
                UNION ALL
                SELECT k, {Bucket("first_handled_at")}, 0, 0, 0, 0, 1, (reopen_count > 0)::int, 0, NULL
                FROM k WHERE first_handled_at >= @From AND first_handled_at < @To
                UNION ALL
                SELECT k, {Bucket("closed_at")}, 0, 0, 0, 0, 0, 0, 1, extract(epoch FROM closed_at - reported_at) / 3600.0
                FROM k WHERE closed_at >= @From AND closed_at < @To)
            SELECT k AS key, p AS period_start, sum(due)::int AS due, sum(closed)::int AS closed, sum(on_time)::int AS closed_on_time,
                   sum(breached)::int AS breached, sum(handled)::int AS handled, sum(reopened)::int AS reopened,
                   sum(closed_in)::int AS closed_in_period, round(avg(hours)::numeric, 2)::float8 AS average_handling_hours
            FROM facts GROUP BY k, p ORDER BY p, k
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<IndicatorRow>(new CommandDefinition(sql,
            Params(scope, new { Parent = parent, Domain = domain, From = from, To = to }), cancellationToken: ct));
        return rows.Select(r => new IndicatorCounts(r.Key, DateTime.SpecifyKind(r.PeriodStart, DateTimeKind.Utc), r.Due, r.Closed,
            r.ClosedOnTime, r.Breached, r.Handled, r.Reopened, r.ClosedInPeriod, r.AverageHandlingHours)).ToList();
    }

    sealed class IndicatorRow
    {
        public string Key { get; init; } = "";
        public DateTime PeriodStart { get; init; }
        public int Due { get; init; }
        public int Closed { get; init; }
        public int ClosedOnTime { get; init; }
        public int Breached { get; init; }
        public int Handled { get; init; }
        public int Reopened { get; init; }
        public int ClosedInPeriod { get; init; }
        public double? AverageHandlingHours { get; init; }
    }

    /// <summary>Cases reported in [from, to) inside the scope, for the situation report (分析研判).</summary>
    public async Task<IReadOnlyList<CaseRow>> ReportedBetweenAsync(UserScope scope, string? grid, string? domain, DateTime from, DateTime to, CancellationToken ct)
    {
        var sql = $"""
            SELECT {CaseColumns} FROM cc_cases c
            WHERE {ScopeFilter} AND c.reported_at >= @From AND c.reported_at < @To
              AND (@Grid::text IS NULL OR @Grid = ANY(c.grid_path)) AND (@Domain::text IS NULL OR c.domain = @Domain)
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<CaseRow>(new CommandDefinition(sql,
            Params(scope, new { Grid = grid, Domain = domain, From = from, To = to }), cancellationToken: ct))).ToList();
    }

    /// <summary>Open and overdue counts per grid for the map, keyed by every grid on the cases' paths.</summary>
    public async Task<Dictionary<string, (int Open, int Overdue)>> MapCountsAsync(UserScope scope, CancellationToken ct)
    {
        var sql = $"""
            SELECT g AS key, count(*)::int AS open, count(*) FILTER (WHERE c.breach_count > 0 OR {DueAt} < now())::int AS overdue
            FROM cc_cases c, unnest(c.grid_path) AS g
            WHERE {ScopeFilter} AND c.state NOT IN ('closed','rejected') GROUP BY g
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(string Key, int Open, int Overdue)>(new CommandDefinition(sql, Params(scope), cancellationToken: ct));
        return rows.ToDictionary(r => r.Key, r => (r.Open, r.Overdue));
    }
}
