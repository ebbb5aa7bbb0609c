using System.Security.Claims;
using Dapper;
using Grid.EnvironmentMonitoring.Domain;
using Grid.EnvironmentMonitoring.Infrastructure;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Grid.EnvironmentMonitoring.Apis;

/// <summary>网格达标与约谈: each grid's monthly compliance and the triggers that call for criticism (约谈).</summary>
public static class ComplianceApi
{
    public static RouteGroupBuilder MapComplianceApi(this RouteGroupBuilder api)
    {
        api.MapGet("/compliance", GetCompliance).WithName("GetCompliance");
        api.MapGet("/criticism-triggers", GetTriggers).WithName("GetCriticismTriggers");
        return api;
    }

    public sealed record ComplianceView(string Period, IReadOnlyList<GridCompliance> Grids);

    public sealed record TriggerView(string GridId, string Period, bool Criticise, IReadOnlyList<TriggerResult> Triggers);

    /// <summary>The month "yyyy-MM" as a UTC range; null when malformed.</summary>
    private static (DateTimeOffset From, DateTimeOffset To)? Month(string? period, TimeProvider clock)
    {
        if (period is null)
        {
            var now = clock.GetUtcNow();
            var start = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
            return (start, start.AddMonths(1));
        }

        return DateTime.TryParseExact(period, "yyyy-MM", null, System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var d)
            ? (new DateTimeOffset(d, TimeSpan.Zero), new DateTimeOffset(d, TimeSpan.Zero).AddMonths(1))
            : null;
    }

    internal static async Task<IResult> GetCompliance(string? period, string? grid, ClaimsPrincipal user, NpgsqlDataSource db, IOptionsMonitor<EnvironmentOptions> options, TimeProvider clock, CancellationToken ct)
    {
        if (Access.Require(user, EnvironmentRoles.Readers) is { } denied)
        {
            return denied;
        }

        if (Month(period, clock) is not { } range)
        {
            return Access.Invalid("period", "a month, yyyy-MM");
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        if (!await CanSeeAsync(user, grid, conn, ct))
        {
            return grid is null
                ? Access.Invalid("grid", "required unless the token covers the whole territory")
                : Access.Forbidden("The grid is outside this token's grid scope.");
        }

        var result = await ComplianceAsync(conn, grid, range.From, options.CurrentValue.Compliance, ct);
        return TypedResults.Ok(new ComplianceView(range.From.ToString("yyyy-MM"), result));
    }

    /// <summary>
    /// Whether the caller may look at a grid's subtree: whole-territory tokens always; otherwise when one of the
    /// caller's scope grids lies on the grid's path, as recorded on the sources and patrols under it.
    /// </summary>
    private static async Task<bool> CanSeeAsync(ClaimsPrincipal user, string? gridId, NpgsqlConnection conn, CancellationToken ct)
    {
        if (user.GridsWhere(EnvironmentRoles.Readers, Grid.Contracts.Events.Domains.Environment) is null)
        {
            return true;
        }

        if (gridId is null)
        {
            return false;
        }

        var path = await conn.QueryFirstOrDefaultAsync<string[]>(new CommandDefinition("""
            SELECT grid_path FROM (
                SELECT grid_path FROM environment.sources WHERE @gridId = ANY(grid_path)
                UNION ALL SELECT grid_path FROM environment.patrols WHERE @gridId = ANY(grid_path)) p LIMIT 1
            """, new { gridId }, cancellationToken: ct));
        return path is not null && Access.Sees(user, path.TakeWhile(g => g != gridId).Append(gridId));
    }

    private static async Task<IReadOnlyList<GridCompliance>> ComplianceAsync(NpgsqlConnection conn, string? grid, DateTimeOffset monthStart, ComplianceOptions o, CancellationToken ct)
    {
        var sources = (await conn.QueryAsync<(Guid Id, string Name, string[] GridPath)>(new CommandDefinition(
            "SELECT id, name, grid_path FROM environment.sources WHERE (@grid::text IS NULL OR @grid = ANY(grid_path))", new { grid }, cancellationToken: ct)))
            .Select(s => new SourceInGrid(s.Id, s.Name, s.GridPath)).ToList();
        var records = (await FieldworkApi.LoadPatrolsAsync(conn, "WHERE (@grid::text IS NULL OR @grid = ANY(grid_path)) AND at >= @from AND at < @to",
            new { grid, from = monthStart.UtcDateTime, to = monthStart.AddMonths(1).UtcDateTime }, ct))
            .Select(p => new PatrolRecord(p.Id, p.Kind, p.GridId, p.GridPath, p.Person, p.SourceId, p.At, p.ProblemFound, p.CaseId)).ToList();
        var rules = new FrequencyRules(o.TownshipDepth, o.VillageDepth, o.TownshipPatrolsPerMonth, o.VillageChecksPerSourcePerMonth);
        return ComplianceCalculator.ForMonth(sources, records, rules, monthStart);
    }

    internal static async Task<IResult> GetTriggers(string? grid, string? period, ClaimsPrincipal user, NpgsqlDataSource db, IOptionsMonitor<EnvironmentOptions> options, TimeProvider clock, CancellationToken ct)
    {
        if (Access.Require(user, EnvironmentRoles.Readers) is { } denied)
        {
            return denied;
        }

        if (string.IsNullOrWhiteSpace(grid))
        {
            return Access.Invalid("grid", "required: the grid (usually a township) to judge");
        }

        if (Month(period, clock) is not { } range)
        {
            return Access.Invalid("period", "a month, yyyy-MM");
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        if (!await CanSeeAsync(user, grid, conn, ct))
        {
            return Access.Forbidden("The grid is outside this token's grid scope.");
        }

        var o = options.CurrentValue.Compliance;
        var sources = await SourceQueries.LoadSourcesAsync(conn, "WHERE @grid = ANY(grid_path)", new { grid }, ct);
        var compliance = await ComplianceAsync(conn, grid, range.From, o, ct);
        var slips = (await TaskSlipsApi.LoadSlipsAsync(conn, "WHERE @grid = ANY(grid_path)", new { grid }, ct)).Select(s =>
        {
            DateTimeOffset? StepAt(string name) => s.Steps.EnumerateArray().Where(x => x.GetProperty("step").GetString() == name)
                .Select(x => (DateTimeOffset?)x.GetProperty("at").GetDateTimeOffset()).FirstOrDefault();
            return new SlipState(s.Id, s.Kind, s.Title, s.Status, s.IssuedAt, s.DueAt, StepAt(TaskSlipFlow.Replied), StepAt(TaskSlipFlow.Refused));
        }).ToList();
        var firstCases = (await conn.QueryAsync<(Guid SourceId, string Name, string Origin, DateTime At)>(new CommandDefinition("""
            SELECT DISTINCT ON (c.source_id) c.source_id, s.name, c.origin, c.opened_at
            FROM environment.source_cases c JOIN environment.sources s ON s.id = c.source_id
            WHERE @grid = ANY(s.grid_path) ORDER BY c.source_id, c.opened_at
            """, new { grid }, cancellationToken: ct))).Select(c => new FirstCase(c.SourceId, c.Name, c.Origin, SourceQueries.Utc(c.At))).ToList();
        var found = (await conn.QueryAsync<(Guid Id, Guid? SourceId, DateTime At, DateTime? Reported)>(new CommandDefinition(
            "SELECT id, source_id, at, case_opened_at FROM environment.patrols WHERE problem_found AND @grid = ANY(grid_path)", new { grid }, cancellationToken: ct)))
            .Select(p => new FoundProblem(p.Id, p.SourceId, SourceQueries.Utc(p.At), p.Reported is { } r ? SourceQueries.Utc(r) : null)).ToList();
        var facts = new GridPeriodFacts(grid, range.From, range.To, sources, compliance, slips, firstCases, found);
        var triggers = CriticismTriggers.Evaluate(facts, TimeSpan.FromHours(o.ReportWithinHours));
        return TypedResults.Ok(new TriggerView(grid, range.From.ToString("yyyy-MM"), triggers.Any(t => t.Triggered), triggers));
    }
}
