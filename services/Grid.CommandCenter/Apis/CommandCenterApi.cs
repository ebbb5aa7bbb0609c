using System.Text;
using Grid.CommandCenter.Domain;
using Grid.CommandCenter.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using static Grid.CommandCenter.Apis.ApiHelpers;

namespace Grid.CommandCenter.Apis;

/// <summary>The 联合指挥 HTTP API under /api/command/v1: boards of cases, transfers and the live feed.</summary>
public static class CommandCenterApi
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public const int MaxExportRows = 10_000;

    public static RouteGroupBuilder MapCommandCenterApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/command/v1").WithTags("command");
        api.MapGet("/about", () => TypedResults.Ok(new { service = "command", name = "联合指挥" }));
        api.MapGet("/board", BoardAsync).WithSummary("指挥大屏汇总: open, overdue, escalated, listed, transfers, summons; open by domain, state and child grid");
        api.MapGet("/cases", (HttpContext h, CommandQueries q, GridMap m, string? domain, string? grid, string? state, string? board, string? cursor, int? limit, CancellationToken ct)
            => ListAsync(h, q, m, domain, grid, state, board ?? CaseBoards.Open, cursor, limit, ct))
            .WithSummary("Cases in scope with filters and cursor pagination (board: open, all, overdue, escalated, listed)");
        api.MapGet("/overdue", (HttpContext h, CommandQueries q, GridMap m, string? domain, string? grid, string? cursor, int? limit, CancellationToken ct)
            => ListAsync(h, q, m, domain, grid, null, CaseBoards.Overdue, cursor, limit, ct)).WithSummary("超期督办板: open cases past a deadline");
        api.MapGet("/escalated", (HttpContext h, CommandQueries q, GridMap m, string? domain, string? grid, string? cursor, int? limit, CancellationToken ct)
            => ListAsync(h, q, m, domain, grid, null, CaseBoards.Escalated, cursor, limit, ct)).WithSummary("逐级上报: open escalated cases");
        api.MapGet("/supervision", (HttpContext h, CommandQueries q, GridMap m, string? domain, string? grid, string? cursor, int? limit, CancellationToken ct)
            => ListAsync(h, q, m, domain, grid, null, CaseBoards.Listed, cursor, limit, ct)).WithSummary("挂牌督办: cases escalated as major");
        api.MapGet("/cases/export", (HttpContext h, CommandQueries q, string? domain, string? grid, string? board, CancellationToken ct)
            => ExportAsync(h, q, domain, grid, board ?? CaseBoards.Open, ct)).WithSummary("Excel export of a case board");
        api.MapGet("/overdue/export", (HttpContext h, CommandQueries q, string? domain, string? grid, CancellationToken ct)
            => ExportAsync(h, q, domain, grid, CaseBoards.Overdue, ct)).WithSummary("Excel export of the overdue board");
        api.MapGet("/supervision/export", (HttpContext h, CommandQueries q, string? domain, string? grid, CancellationToken ct)
            => ExportAsync(h, q, domain, grid, CaseBoards.Listed, ct)).WithSummary("Excel export of listed supervision");
        api.MapGet("/transfers", TransfersAsync).WithSummary("移交: transfers between domains (inFlight=true: no result yet)");
        api.MapGet("/events/stream", StreamAsync).WithSummary("Live feed (server-sent events); token by header, access_token query or grid_token cookie");
        api.MapSummonsApi();
        api.MapAuditSealsApi();
        api.MapAnalysisApi();
        api.MapMapApi();
        return api;
    }

    static async Task<Results<Ok<BoardSummary>, ValidationProblem>> BoardAsync(HttpContext http, CommandQueries queries, string? grid, CancellationToken ct)
    {
        if (BadId(grid))
        {
            return Invalid("grid", "must be a grid id of 1 to 100 characters");
        }

        return TypedResults.Ok(await queries.BoardAsync(UserScope.Of(http.User), grid, ct));
    }

    public sealed record CasePage(IReadOnlyList<CaseRow> Items, string? NextCursor, IReadOnlyDictionary<string, string> GridNames,
        IReadOnlyDictionary<string, string> DepartmentNames);

    static async Task<Results<Ok<CasePage>, ValidationProblem>> ListAsync(HttpContext http, CommandQueries queries, GridMap map,
        string? domain, string? grid, string? state, string board, string? cursor, int? limit, CancellationToken ct)
    {
        if (Validate(domain, grid, state, board) is { } problem)
        {
            return problem;
        }

        if (limit is < 1 or > MaxPageSize)
        {
            return Invalid("limit", $"must be between 1 and {MaxPageSize}");
        }

        long? after = null;
        if (cursor is not null)
        {
            if (!TryDecodeCursor(cursor, out var seq))
            {
                return Invalid("cursor", "is not a cursor this API returned");
            }

            after = seq;
        }

        var size = limit ?? DefaultPageSize;
        var rows = await queries.CasesAsync(UserScope.Of(http.User), new CaseFilter(domain, grid, state, board), after, size + 1, ct);
        var page = rows.Take(size).ToList();
        var next = rows.Count > size ? EncodeCursor(page[^1].Seq) : null;
        var names = await map.NamesAsync(ct);
        var used = page.SelectMany(r => r.GridPath).Distinct().Where(names.ContainsKey).ToDictionary(g => g, g => names[g]);
        var departments = await http.RequestServices.GetRequiredService<OrganizationDirectory>().DepartmentNamesAsync(Bearer(http), refresh: false, ct);
        var departmentNames = page.Select(r => r.Department).OfType<string>().Distinct().Where(departments.ContainsKey).ToDictionary(d => d, d => departments[d]);
        return TypedResults.Ok(new CasePage(page, next, used, departmentNames));
    }

    static ValidationProblem? Validate(string? domain, string? grid, string? state, string board)
    {
        if (BadId(domain))
        {
            return Invalid("domain", "must be a domain name of 1 to 100 characters");
        }

        if (BadId(grid))
        {
            return Invalid("grid", "must be a grid id of 1 to 100 characters");
        }

        if (BadId(state))
        {
            return Invalid("state", "must be a case state");
        }

        return CaseBoards.Known.Contains(board) ? null : Invalid("board", $"must be one of {string.Join(", ", CaseBoards.Known)}");
    }

    static string EncodeCursor(long seq) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"seq:{seq}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    static bool TryDecodeCursor(string cursor, out long seq)
    {
        seq = 0;
        try
        {
            var s = cursor.Replace('-', '+').Replace('_', '/');
            s = s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(s));
            return text.StartsWith("seq:", StringComparison.Ordinal) && long.TryParse(text.AsSpan(4), out seq) && seq > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    static async Task<Results<FileContentHttpResult, ValidationProblem>> ExportAsync(HttpContext http, CommandQueries queries,
        string? domain, string? grid, string board, CancellationToken ct)
    {
        if (Validate(domain, grid, null, board) is { } problem)
        {
            return problem;
        }

        var rows = await queries.CasesAsync(UserScope.Of(http.User), new CaseFilter(domain, grid, null, board), null, MaxExportRows, ct);
        var grids = await http.RequestServices.GetRequiredService<GridMap>().NamesAsync(ct);
        var departments = await http.RequestServices.GetRequiredService<OrganizationDirectory>().DepartmentNamesAsync(Bearer(http), refresh: false, ct);
        string GridName(string id) => grids.GetValueOrDefault(id) ?? id;
        var sheet = rows.Select(r => new Dictionary<string, object?>
        {
            ["案件编号"] = r.CaseNumber,
            ["领域"] = r.Domain,
            ["网格"] = GridName(r.GridId),
            ["网格路径"] = string.Join(" / ", r.GridPath.Select(GridName)),
            ["类别"] = r.Category,
            ["等级"] = r.Severity,
            ["标题"] = r.Title,
            ["状态"] = r.State,
            ["上报时间"] = Cst(r.ReportedAt),
            ["办理期限"] = Cst(r.DueAt),
            ["责任部门"] = r.Department is { } d ? departments.GetValueOrDefault(d) ?? d : null,
            ["超期次数"] = r.BreachCount,
            ["超期环节"] = r.BreachStep,
            ["责任方"] = r.BreachResponsible,
            ["上报原因"] = r.EscalationReason,
            ["挂牌督办"] = r.ListedAt is null ? "" : "是",
            ["结案时间"] = Cst(r.ClosedAt),
        });
        return await Excel($"{board}-{DateTime.UtcNow:yyyyMMddHHmm}.xlsx", new Dictionary<string, object> { [board] = sheet });
    }

    static async Task<Ok<IReadOnlyList<TransferRow>>> TransfersAsync(HttpContext http, CommandQueries queries, bool? inFlight, CancellationToken ct) =>
        TypedResults.Ok(await queries.TransfersAsync(UserScope.Of(http.User), inFlight ?? true, ct));

    /// <summary>Server-sent events: one "case" event per applied event in the user's scope, a comment every 15 s.</summary>
    static async Task StreamAsync(HttpContext http, LiveFeed feed, GridMap map, CancellationToken ct)
    {
        var scope = UserScope.Of(http.User);
        http.Response.Headers.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var (id, reader) = feed.Subscribe();
        try
        {
            await http.Response.WriteAsync(": connected\n\n", ct);
            await http.Response.Body.FlushAsync(ct);
            while (!ct.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wait.CancelAfter(TimeSpan.FromSeconds(15));
                bool more;
                try
                {
                    more = await reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await http.Response.WriteAsync(": ping\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                    continue;
                }

                if (!more)
                {
                    break;
                }

                while (reader.TryRead(out var item))
                {
                    if (!scope.CanSee(item.GridPath, item.Domain))
                    {
                        continue;
                    }

                    // The grid's name goes along: a person reads names, and the page may not have seen this grid yet.
                    var node = System.Text.Json.JsonSerializer.SerializeToNode(item, System.Text.Json.JsonSerializerOptions.Web)!;
                    node["gridName"] = (await map.CachedNamesAsync(ct)).GetValueOrDefault(item.GridId);
                    var json = node.ToJsonString();
                    await http.Response.WriteAsync($"event: case\nid: {item.EventId}\ndata: {json}\n\n", ct);
                }

                await http.Response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException)
        {
            // The browser went away.
        }
        finally
        {
            feed.Unsubscribe(id);
        }
    }
}
