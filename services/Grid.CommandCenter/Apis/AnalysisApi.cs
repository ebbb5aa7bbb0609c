using System.Net;
using System.Text;
using Grid.CommandCenter.Domain;
using Grid.CommandCenter.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using static Grid.CommandCenter.Apis.ApiHelpers;

namespace Grid.CommandCenter.Apis;

/// <summary>考核与分析研判: indicators by grid, department and domain per day, week or month; rankings; monthly situation report.</summary>
public static class AnalysisApi
{
    /// <summary>The longest range one indicator query may cover.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(400);

    static readonly string[] GroupBys = ["grid", "department", "domain"];

    public sealed record IndicatorLine(string Key, string? Name, DateTime PeriodStart, int Due, int Closed, int ClosedOnTime, int Breached,
        int Handled, int Reopened, int ClosedInPeriod, double? CloseRate, double? OnTimeRate, double? ReworkRate, double? BreachRate,
        double? AverageHandlingHours)
    {
        public static IndicatorLine Of(IndicatorCounts c, string? name) => new(c.Key, name, c.PeriodStart, c.Due, c.Closed, c.ClosedOnTime,
            c.Breached, c.Handled, c.Reopened, c.ClosedInPeriod, c.CloseRate, c.OnTimeRate, c.ReworkRate, c.BreachRate, c.AverageHandlingHours);
    }

    public sealed record RankingLine(int Rank, string Key, string? Name, double Score, IndicatorLine Indicators, DepartmentSummonsStats? Summons);

    public static void MapAnalysisApi(this RouteGroupBuilder api)
    {
        api.MapGet("/indicators", IndicatorsAsync)
            .WithSummary("结案率, 按期结案率, 返工率, 延期率, average handling time; groupBy grid|department|domain; period day|week|month; from/to yyyy-MM-dd (CST)");
        api.MapGet("/rankings", RankingsAsync).WithSummary("排名 of grids (children of parent) or departments over a range; late 报到 counts against departments");
        api.MapGet("/reports/monthly", MonthlyAsync).WithSummary("月度形势分析 per domain and grid: format json, html or xlsx");
    }

    sealed record Range(DateTime From, DateTime To);

    /// <summary>
    /// The range of an indicator query, CST dates, both ends inclusive. Without dates: the current month so far.
    /// With only <c>from</c>: from then until today. With only <c>to</c>: from the first of that month.
    /// </summary>
    static ValidationProblem? ParseRange(string? from, string? to, TimeProvider clock, out Range range)
    {
        var today = ChinaNow(clock).Date;
        range = new Range(default, default);
        DateTime f, t;
        if (to is null)
        {
            t = DateTime.SpecifyKind(today.AddDays(1) - TimeSlots.ChinaOffset, DateTimeKind.Utc);
        }
        else if (!TryDate(to, out t))
        {
            return Invalid("to", "must be a date yyyy-MM-dd");
        }
        else
        {
            t = t.AddDays(1); // inclusive end date
        }

        if (from is null)
        {
            var last = t.AddDays(-1) + TimeSlots.ChinaOffset;
            f = DateTime.SpecifyKind(new DateTime(last.Year, last.Month, 1) - TimeSlots.ChinaOffset, DateTimeKind.Utc);
        }
        else if (!TryDate(from, out f))
        {
            return Invalid("from", "must be a date yyyy-MM-dd");
        }

        if (t <= f)
        {
            return Invalid(to is null ? "from" : "to", to is null ? "must not be after today" : "must not be before from");
        }

        if (t - f > MaxRange)
        {
            return Invalid("to", "the range may cover at most 400 days");
        }

        range = new Range(f, t);
        return null;
    }

    static async Task<Results<Ok<IReadOnlyList<IndicatorLine>>, ValidationProblem>> IndicatorsAsync(HttpContext http, CommandQueries queries, GridMap map,
        OrganizationDirectory organization, TimeProvider clock, string? groupBy, string? parent, string? domain, string? period, string? from, string? to, CancellationToken ct)
    {
        groupBy ??= "grid";
        if (!GroupBys.Contains(groupBy))
        {
            return Invalid("groupBy", "must be grid, department or domain");
        }

        if (!Enum.TryParse<IndicatorPeriod>(period ?? "month", ignoreCase: true, out var p) || !Enum.IsDefined(p) || int.TryParse(period, out _))
        {
            return Invalid("period", "must be day, week or month");
        }

        if (BadId(parent))
        {
            return Invalid("parent", "must be a grid id of 1 to 100 characters");
        }

        if (BadId(domain))
        {
            return Invalid("domain", "must be a domain name");
        }

        if (ParseRange(from, to, clock, out var range) is { } bad)
        {
            return bad;
        }

        var rows = await queries.IndicatorsAsync(UserScope.Of(http.User), groupBy, parent, domain, p, range.From, range.To, ct);
        var names = await NamesAsync(groupBy, http, map, organization, ct);
        return TypedResults.Ok<IReadOnlyList<IndicatorLine>>(rows.Select(r => IndicatorLine.Of(r, names.GetValueOrDefault(r.Key))).ToList());
    }

    static async Task<Results<Ok<IReadOnlyList<RankingLine>>, ValidationProblem>> RankingsAsync(HttpContext http, CommandQueries queries, GridMap map,
        OrganizationDirectory organization, TimeProvider clock, string? by, string? parent, string? domain, string? from, string? to, CancellationToken ct)
    {
        by ??= "grid";
        if (by is not ("grid" or "department"))
        {
            return Invalid("by", "must be grid or department");
        }

        if (BadId(parent))
        {
            return Invalid("parent", "must be a grid id of 1 to 100 characters");
        }

        if (BadId(domain))
        {
            return Invalid("domain", "must be a domain name");
        }

        if (ParseRange(from, to, clock, out var range) is { } bad)
        {
            return bad;
        }

        var scope = UserScope.Of(http.User);
        var rows = await queries.IndicatorsAsync(scope, by, parent, domain, IndicatorPeriod.Month, range.From, range.To, ct);
        var totals = rows.GroupBy(r => r.Key).ToDictionary(g => g.Key, g => Sum(g.Key, range.From, g.ToList()));
        var names = await NamesAsync(by, http, map, organization, ct);
        IEnumerable<(string Key, double Score, IndicatorCounts Counts, DepartmentSummonsStats? Summons)> scored;
        if (by == "department")
        {
            var summons = (await queries.SummonsByDepartmentAsync(scope, range.From, range.To, ct)).ToDictionary(s => s.DepartmentId);
            scored = totals.Keys.Where(k => k.Length > 0).Union(summons.Keys).Select(k =>
            {
                var c = totals.GetValueOrDefault(k) ?? new IndicatorCounts(k, range.From, 0, 0, 0, 0, 0, 0, 0, null);
                var s = summons.GetValueOrDefault(k);
                return (k, Ranking.DepartmentScore(c.OnTimeRate, (s?.Late ?? 0) + (s?.Missed ?? 0)), c, s);
            });
        }
        else
        {
            scored = totals.Select(t => (t.Key, Ranking.GridScore(t.Value.OnTimeRate, t.Value.ReworkRate), t.Value, (DepartmentSummonsStats?)null));
        }

        var ranked = scored.OrderByDescending(x => x.Score).ThenBy(x => x.Key, StringComparer.Ordinal)
            .Select((x, i) => new RankingLine(i + 1, x.Key, names.GetValueOrDefault(x.Key), x.Score, IndicatorLine.Of(x.Counts, names.GetValueOrDefault(x.Key)), x.Summons))
            .ToList();
        return TypedResults.Ok<IReadOnlyList<RankingLine>>(ranked);
    }

    /// <summary>What a person reads for a group's key: a grid's or a department's name; domains are named by the page.</summary>
    static async Task<IReadOnlyDictionary<string, string>> NamesAsync(string groupBy, HttpContext http, GridMap map, OrganizationDirectory organization,
        CancellationToken ct) => groupBy switch
        {
            "grid" => await map.NamesAsync(ct),
            "department" => await organization.DepartmentNamesAsync(Bearer(http), refresh: false, ct),
            _ => new Dictionary<string, string>(),
        };

    static IndicatorCounts Sum(string key, DateTime from, List<IndicatorCounts> rows)
    {
        var closedIn = rows.Sum(r => r.ClosedInPeriod);
        double? hours = closedIn == 0 ? null : Math.Round(rows.Sum(r => (r.AverageHandlingHours ?? 0) * r.ClosedInPeriod) / closedIn, 2);
        return new IndicatorCounts(key, from, rows.Sum(r => r.Due), rows.Sum(r => r.Closed), rows.Sum(r => r.ClosedOnTime), rows.Sum(r => r.Breached),
            rows.Sum(r => r.Handled), rows.Sum(r => r.Reopened), closedIn, hours);
    }

    static async Task<Results<Ok<SituationReport>, FileContentHttpResult, ContentHttpResult, ValidationProblem>> MonthlyAsync(HttpContext http,
        CommandQueries queries, GridMap map, TimeProvider clock, string? month, string? grid, string? domain, string? format, CancellationToken ct)
    {
        var now = ChinaNow(clock);
        month ??= $"{now:yyyy-MM}";
        if (!TryMonth(month, out var start))
        {
            return Invalid("month", "must be a month yyyy-MM between 2000 and 2100");
        }

        if (BadId(grid))
        {
            return Invalid("grid", "must be a grid id of 1 to 100 characters");
        }

        if (BadId(domain))
        {
            return Invalid("domain", "must be a domain name");
        }

        format ??= "json";
        if (format is not ("json" or "html" or "xlsx"))
        {
            return Invalid("format", "must be json, html or xlsx");
        }

        var scope = UserScope.Of(http.User);
        var startCst = start + TimeSlots.ChinaOffset;
        var end = DateTime.SpecifyKind(startCst.AddMonths(1) - TimeSlots.ChinaOffset, DateTimeKind.Utc);
        var previousStart = DateTime.SpecifyKind(startCst.AddMonths(-1) - TimeSlots.ChinaOffset, DateTimeKind.Utc);
        var current = await queries.ReportedBetweenAsync(scope, grid, domain, start, end, ct);
        var previous = await queries.ReportedBetweenAsync(scope, grid, domain, previousStart, start, ct);
        var report = SituationReport.Build(month, grid, domain, current, previous);
        var names = await map.NamesAsync(ct);
        string Name(string id) => names.TryGetValue(id, out var n) ? $"{n} ({id})" : id;

        if (format == "xlsx")
        {
            var sheets = new Dictionary<string, object>
            {
                ["领域"] = report.Domains.Select(d => new Dictionary<string, object?>
                {
                    ["领域"] = d.Domain,
                    ["本月上报"] = d.Reported,
                    ["上月上报"] = d.PreviousReported,
                    ["环比%"] = d.ChangePercent,
                    ["已结案"] = d.Closed,
                    ["超期"] = d.Overdue,
                    ["挂牌督办"] = d.Listed,
                }),
                ["类别热点"] = Lines(report.Categories, "类别", k => k),
                ["时段热点"] = Lines(report.TimeSlots, "时段", k => k),
                ["区域热点"] = Lines(report.Grids, "网格", Name),
                ["预警"] = report.Warnings.Select(w => new Dictionary<string, object?> { ["预警"] = w }),
            };
            return await Excel($"situation-{month}.xlsx", sheets);
        }

        if (format == "html")
        {
            return TypedResults.Content(Html(report, Name), "text/html; charset=utf-8");
        }

        return TypedResults.Ok(report);
    }

    static IEnumerable<Dictionary<string, object?>> Lines(IEnumerable<TrendLine> lines, string label, Func<string, string> name) =>
        lines.Select(l => new Dictionary<string, object?> { [label] = name(l.Key), ["本月"] = l.Count, ["上月"] = l.Previous, ["环比%"] = l.ChangePercent });

    static string Html(SituationReport r, Func<string, string> name)
    {
        static string E(object? o) => WebUtility.HtmlEncode(o?.ToString() ?? "");
        var sb = new StringBuilder();
        sb.Append("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>月度形势分析 ").Append(E(r.Month))
          .Append("</title><style>body{font-family:'Noto Sans CJK SC',sans-serif;margin:2em;color:#1b2733}table{border-collapse:collapse;margin:1em 0}")
          .Append("td,th{border:1px solid #c8d1db;padding:4px 10px;text-align:right}th{background:#eef3f8}td:first-child,th:first-child{text-align:left}.warn{color:#b42318}</style></head><body>");
        sb.Append("<h1>").Append(E(r.Month)).Append(" 月度形势分析</h1><p>范围: ").Append(E(r.Grid is null ? "全部网格" : name(r.Grid)))
          .Append(", 领域: ").Append(E(r.Domain ?? "全部")).Append(". 本月上报 ").Append(r.Reported).Append(" 起, 上月 ").Append(r.PreviousReported).Append(" 起.</p>");
        sb.Append("<h2>预警</h2><ul>");
        foreach (var w in r.Warnings)
        {
            sb.Append("<li class=\"warn\">").Append(E(w)).Append("</li>");
        }

        if (r.Warnings.Count == 0)
        {
            sb.Append("<li>无</li>");
        }

        sb.Append("</ul><h2>分领域</h2><table><tr><th>领域</th><th>本月上报</th><th>上月上报</th><th>环比%</th><th>已结案</th><th>超期</th><th>挂牌督办</th></tr>");
        foreach (var d in r.Domains)
        {
            sb.Append($"<tr><td>{E(d.Domain)}</td><td>{d.Reported}</td><td>{d.PreviousReported}</td><td>{E(d.ChangePercent)}</td><td>{d.Closed}</td><td>{d.Overdue}</td><td>{d.Listed}</td></tr>");
        }

        sb.Append("</table>");
        void Table(string title, string label, IEnumerable<TrendLine> lines, Func<string, string> n)
        {
            sb.Append("<h2>").Append(title).Append("</h2><table><tr><th>").Append(label).Append("</th><th>本月</th><th>上月</th><th>环比%</th></tr>");
            foreach (var l in lines)
            {
                sb.Append($"<tr><td>{E(n(l.Key))}</td><td>{l.Count}</td><td>{l.Previous}</td><td>{E(l.ChangePercent)}</td></tr>");
            }

            sb.Append("</table>");
        }

        Table("类别热点", "类别", r.Categories, k => k);
        Table("区域热点", "网格", r.Grids, name);
        Table("时段热点 (北京时间)", "时段", r.TimeSlots, k => k);
        sb.Append("</body></html>");
        return sb.ToString();
    }
}
