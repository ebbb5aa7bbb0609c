using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Grid.Contracts.Events;
using Grid.Testing;
using MassTransit;
using Microsoft.Extensions.Time.Testing;
using MiniExcelLibs;
using Npgsql;

namespace Grid.CommandCenter.Tests;

public class ApiTests : IClassFixture<CommandCenterHost>
{
    readonly CommandCenterHost _host;

    public ApiTests(CommandCenterHost host)
    {
        _host = host;
    }

    static string[] PathIn(string county, string township, string village) => [county, township, village];

    [Fact]
    public async Task A_township_user_sees_only_its_own_townships_cases()
    {
        var county = "SC" + Guid.NewGuid().ToString("N")[..6];
        // Reported an hour ago: not yet past the default 7-day deadline, so open but not overdue.
        var recent = DateTimeOffset.UtcNow.AddHours(-1).ToString("O");
        var mine = new CaseScript(Domains.Fire, PathIn(county, county + "-T1", county + "-V1"), "FIRE-MINE").Reported(recent);
        var theirs = new CaseScript(Domains.Fire, PathIn(county, county + "-T2", county + "-V2"), "FIRE-THEIRS").Reported("2026-11-01T02:00Z")
            .Breached("2026-11-02T02:00Z");
        await _host.ApplyAsync([.. mine.Events, .. theirs.Events]);

        var t1 = CommandCenterHost.Viewer([county + "-T1"]);
        var cases = await _host.GetJsonAsync(t1, "/api/command/v1/cases?board=all");
        var numbers = cases.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("caseNumber").GetString()).ToList();
        Assert.Equal(["FIRE-MINE"], numbers);

        // Asking for the other township explicitly does not widen the scope either.
        var other = await _host.GetJsonAsync(t1, $"/api/command/v1/cases?board=all&grid={county}-T2");
        Assert.Equal(0, other.GetProperty("items").GetArrayLength());
        var overdue = await _host.GetJsonAsync(t1, "/api/command/v1/overdue");
        Assert.Equal(0, overdue.GetProperty("items").GetArrayLength());
        var board = await _host.GetJsonAsync(t1, "/api/command/v1/board");
        Assert.Equal(1, board.GetProperty("open").GetInt32());
        Assert.Equal(0, board.GetProperty("overdue").GetInt32());

        // The county sees both, and the T2 case on the overdue board.
        var countyUser = CommandCenterHost.Viewer([county]);
        var all = await _host.GetJsonAsync(countyUser, "/api/command/v1/cases?board=all");
        Assert.Equal(2, all.GetProperty("items").GetArrayLength());
        var countyOverdue = await _host.GetJsonAsync(countyUser, "/api/command/v1/overdue");
        Assert.Equal("FIRE-THEIRS", countyOverdue.GetProperty("items")[0].GetProperty("caseNumber").GetString());

        // A domain restriction applies as well: a labor-only county user sees no fire cases.
        var labor = CommandCenterHost.Viewer([county], [Domains.Labor]);
        Assert.Equal(0, (await _host.GetJsonAsync(labor, "/api/command/v1/cases?board=all")).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Cursor_pagination_walks_every_case_once()
    {
        var county = "PG" + Guid.NewGuid().ToString("N")[..6];
        var scripts = Enumerable.Range(0, 7).Select(i => new CaseScript(Domains.Drugs, PathIn(county, county + "-T", county + "-V"), $"DRUG-{i}")
            .Reported($"2026-11-0{i + 1}T02:00Z")).ToList();
        await _host.ApplyAsync(scripts.SelectMany(s => s.Events));
        var user = CommandCenterHost.Viewer([county]);
        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await _host.GetJsonAsync(user, $"/api/command/v1/cases?limit=3{(cursor is null ? "" : "&cursor=" + cursor)}");
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("caseNumber").GetString()!));
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("nextCursor").GetString();
            pages++;
        }
        while (cursor is not null && pages < 10);
        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"DRUG-{6 - i}"), seen);
    }

    [Theory]
    [InlineData("/api/command/v1/cases?cursor=garbage", "cursor")]
    [InlineData("/api/command/v1/cases?limit=0", "limit")]
    [InlineData("/api/command/v1/cases?limit=100000", "limit")]
    [InlineData("/api/command/v1/cases?board=everything", "board")]
    [InlineData("/api/command/v1/cases?grid=%01%02", "grid")]
    [InlineData("/api/command/v1/indicators?period=year", "period")]
    [InlineData("/api/command/v1/indicators?period=7", "period")]
    [InlineData("/api/command/v1/indicators?groupBy=person", "groupBy")]
    [InlineData("/api/command/v1/indicators?from=2026-13-01", "from")]
    [InlineData("/api/command/v1/indicators?from=2026-09-30&to=2026-09-01", "to")]
    [InlineData("/api/command/v1/indicators?from=2020-01-01&to=2026-09-01", "to")]
    [InlineData("/api/command/v1/rankings?by=weather", "by")]
    [InlineData("/api/command/v1/reports/monthly?month=2026-9x", "month")]
    [InlineData("/api/command/v1/reports/monthly?format=pdf", "format")]
    [InlineData("/api/command/v1/summons?status=whatever", "status")]
    public async Task Bad_query_input_is_a_problem_naming_the_field(string url, string field)
    {
        using var client = _host.Client(TestTokens.Admin());
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
    }

    [Fact]
    public async Task Every_endpoint_wants_a_token_but_the_openapi_document_is_public()
    {
        using var anonymous = _host.Factory.CreateClient();
        foreach (var url in new[] { "/api/command/v1/board", "/api/command/v1/cases", "/api/command/v1/indicators", "/api/command/v1/map",
                     "/api/command/v1/summons", "/api/command/v1/events/stream", "/api/command/v1/overdue/export", "/api/command/v1/reports/monthly" })
        {
            using var r = await anonymous.GetAsync(url);
            Assert.True(r.StatusCode == HttpStatusCode.Unauthorized, $"{url}: {r.StatusCode}");
        }

        var expired = TestTokens.Create("late", ["admin"], lifetime: TimeSpan.FromMinutes(-10));
        using (var r = await _host.Client(expired).GetAsync("/api/command/v1/board"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        }

        using var doc = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, doc.StatusCode);
        var paths = JsonDocument.Parse(await doc.Content.ReadAsStringAsync()).RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/command/v1/summons", out _));
        Assert.True(paths.TryGetProperty("/api/command/v1/indicators", out _));

        using var page = await anonymous.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("联合指挥", await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_case_reported_through_the_broker_reaches_the_board()
    {
        var county = "MQ" + Guid.NewGuid().ToString("N")[..6];
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(new Uri(_host.Messaging.Replace("amqp://", "rabbitmq://"))));
        await bus.StartAsync();
        try
        {
            var e = new CaseReported
            {
                CaseId = Guid.NewGuid(),
                CaseNumber = "ENV-MQ-1",
                Domain = "forestry",
                GridId = county + "-V",
                GridPath = [county, county + "-T", county + "-V"],
                OccurredAt = DateTimeOffset.UtcNow,
                ReceivedAt = DateTimeOffset.UtcNow,
                Category = "盗伐",
                Title = "林地盗伐",
            };
            await bus.Publish(e);
            await bus.Publish(e); // a duplicate delivery
            var user = CommandCenterHost.Viewer([county]);
            JsonElement board = default;
            for (var i = 0; i < 100; i++)
            {
                board = await _host.GetJsonAsync(user, "/api/command/v1/board");
                if (board.GetProperty("open").GetInt32() > 0)
                {
                    break;
                }

                await Task.Delay(100);
            }

            // A domain nobody configured ("forestry") is just another string.
            Assert.Equal(1, board.GetProperty("open").GetInt32());
            Assert.Equal("forestry", board.GetProperty("byDomain")[0].GetProperty("key").GetString());
            await Task.Delay(500);
            Assert.Equal(1, (await _host.GetJsonAsync(user, "/api/command/v1/board")).GetProperty("open").GetInt32());
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    [Fact]
    public async Task Summons_publishes_through_the_outbox_and_a_late_report_counts_against_the_department()
    {
        // The report-by deadline passes on the service's clock, not by waiting. (The read model's status still compares
        // with the database's now(), so the clock starts at the real time.)
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var host = new CommandCenterHost { Clock = clock };
        await host.InitializeAsync();
        try
        {
            var county = "SM" + Guid.NewGuid().ToString("N")[..6];
            var c = new CaseScript(Domains.Fire, PathIn(county, county + "-T1", county + "-V1"), "FIRE-SUMMON").Reported("2026-11-20T02:00Z");
            await host.ApplyAsync(c.Events);
            var commander = CommandCenterHost.Commander(county + "-T1");

            using var client = host.Client(commander);
            client.DefaultRequestHeaders.Add("Idempotency-Key", "whistle-1");
            var reportBy = clock.GetUtcNow().AddHours(2);
            using var created = await client.PostAsJsonAsync("/api/command/v1/summons",
                new { caseId = c.CaseId, departmentId = "应急管理局", reportBy, reason = "联合执法" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var summons = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
            var id = summons.GetProperty("summonsId").GetGuid();
            Assert.Equal("pending", summons.GetProperty("status").GetString());
            Assert.Equal(county + "-V1", summons.GetProperty("gridId").GetString());

            // The same Idempotency-Key does not whistle twice.
            using (var again = await client.PostAsJsonAsync("/api/command/v1/summons", new { caseId = c.CaseId, departmentId = "应急管理局", reportBy }))
            {
                Assert.Equal(HttpStatusCode.OK, again.StatusCode);
                Assert.Equal(id, JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("summonsId").GetGuid());
            }

            // DepartmentSummoned left through Grid.Casework's outbox (the relay marks it once the broker confirmed it).
            await Wait.UntilAsync(
                async () => await Wait.ScalarAsync<long>(host.Database,
                    "SELECT count(*) FROM casework.outbox WHERE event_type = 'DepartmentSummoned' AND state <> 0 AND payload::jsonb->>'summonsId' = $1", id.ToString()) == 1,
                TimeSpan.FromSeconds(30), "DepartmentSummoned to be published");

            clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1)); // past the report-by deadline
            using (var reported = await client.PostAsync($"/api/command/v1/summons/{id}/report", null))
            {
                Assert.Equal(HttpStatusCode.OK, reported.StatusCode);
                Assert.Equal("late", JsonDocument.Parse(await reported.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
            }

            using (var twice = await client.PostAsync($"/api/command/v1/summons/{id}/report", null))
            {
                Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
            }

            var day = reportBy.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var ranking = await host.GetJsonAsync(commander, $"/api/command/v1/rankings?by=department&from={day}&to={day}");
            var dept = ranking.EnumerateArray().Single(r => r.GetProperty("key").GetString() == "应急管理局");
            Assert.Equal(1, dept.GetProperty("summons").GetProperty("late").GetInt32());
            Assert.Equal(-5, dept.GetProperty("score").GetDouble()); // 100 × 0 (nothing due) − 5 × 1 late 报到
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task With_the_organization_a_summons_of_an_unknown_department_is_refused_and_a_known_one_recorded_under_its_id()
    {
        await using var tree = await GridTree.StartAsync();
        var host = new CommandCenterHost { Organization = tree.Address };
        await host.InitializeAsync();
        try
        {
            var county = "SD" + Guid.NewGuid().ToString("N")[..6];
            var c = new CaseScript(Domains.Fire, PathIn(county, county + "-T1", county + "-V1"), "FIRE-SD").Reported("2026-11-20T02:00Z");
            await host.ApplyAsync(c.Events);
            using var client = host.Client(CommandCenterHost.Commander(county));
            var reportBy = DateTimeOffset.UtcNow.AddHours(2);

            using var unknown = await client.PostAsJsonAsync("/api/command/v1/summons", new { caseId = c.CaseId, departmentId = "应急管理局", reportBy });
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
            var problem = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement;
            Assert.Contains("应急管理局", problem.GetProperty("errors").GetProperty("departmentId")[0].GetString());
            await using (var conn = new NpgsqlConnection(host.Database))
            {
                Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM cc_summons"));
                Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM casework.outbox"));
            }

            using var known = await client.PostAsJsonAsync("/api/command/v1/summons", new { caseId = c.CaseId, departmentId = "DEPT-ENV", reportBy });
            Assert.Equal(HttpStatusCode.Created, known.StatusCode);
            Assert.Equal("environment-bureau", JsonDocument.Parse(await known.Content.ReadAsStringAsync()).RootElement.GetProperty("departmentId").GetString());
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Summons_input_roles_and_scope_are_checked()
    {
        var county = "SV" + Guid.NewGuid().ToString("N")[..6];
        var c = new CaseScript(Domains.Fire, PathIn(county, county + "-T1", county + "-V1"), "FIRE-SV").Reported("2026-11-20T02:00Z");
        await _host.ApplyAsync(c.Events);
        var soon = DateTimeOffset.UtcNow.AddHours(2);

        async Task<(HttpStatusCode, JsonElement)> Post(string token, string json)
        {
            using var client = _host.Client(token);
            using var r = await client.PostAsync("/api/command/v1/summons", new StringContent(json, Encoding.UTF8, "application/json"));
            var body = await r.Content.ReadAsStringAsync();
            return (r.StatusCode, body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone());
        }

        var commander = CommandCenterHost.Commander(county);
        string J(object o) => JsonSerializer.Serialize(o, CommandCenterHost.Json);
        var (s1, p1) = await Post(commander, J(new { caseId = c.CaseId, reportBy = soon }));
        Assert.Equal(HttpStatusCode.BadRequest, s1);
        Assert.True(p1.GetProperty("errors").TryGetProperty("departmentId", out _));
        var (s2, p2) = await Post(commander, J(new { caseId = c.CaseId, departmentId = "公安", reportBy = DateTimeOffset.UtcNow.AddHours(-1) }));
        Assert.Equal(HttpStatusCode.BadRequest, s2);
        Assert.True(p2.GetProperty("errors").TryGetProperty("reportBy", out _));
        var (s3, p3) = await Post(commander, J(new { caseId = c.CaseId, departmentId = "公安", reportBy = soon, reason = new string('x', 501) }));
        Assert.Equal(HttpStatusCode.BadRequest, s3);
        Assert.True(p3.GetProperty("errors").TryGetProperty("reason", out _));
        var (s4, _) = await Post(commander, "{\"caseId\": \"not-a-guid\", \"departmentId\": 5");
        Assert.Equal(HttpStatusCode.BadRequest, s4);
        var (s5, p5) = await Post(commander, J(new { gridId = "nowhere", departmentId = "公安", reportBy = soon }));
        Assert.Equal(HttpStatusCode.BadRequest, s5);
        Assert.True(p5.GetProperty("errors").TryGetProperty("gridId", out _));

        // A viewer may not whistle; a commander of another township cannot see the case.
        var (s6, _) = await Post(CommandCenterHost.Viewer([county]), J(new { caseId = c.CaseId, departmentId = "公安", reportBy = soon }));
        Assert.Equal(HttpStatusCode.Forbidden, s6);
        var (s7, p7) = await Post(CommandCenterHost.Commander(county + "-T2"), J(new { caseId = c.CaseId, departmentId = "公安", reportBy = soon }));
        Assert.Equal(HttpStatusCode.BadRequest, s7);
        Assert.True(p7.GetProperty("errors").TryGetProperty("caseId", out _));

        await using var conn = new NpgsqlConnection(_host.Database);
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM cc_summons WHERE grid_path && @p", new { p = new[] { county } }));
    }

    [Fact]
    public async Task Overdue_board_exports_to_excel_and_the_monthly_report_compares_with_the_previous_month()
    {
        var county = "RP" + Guid.NewGuid().ToString("N")[..6];
        string[] v = [county, county + "-T1", county + "-V1"];
        // August: 1 fire case. September: 4 fire cases, 3 of them 仓库 reported 20:00-22:00 China time (12:xx UTC).
        var events = new List<IntegrationEvent>();
        events.AddRange(new CaseScript(Domains.Fire, v, "F-AUG", "仓库").Reported("2026-08-10T12:30Z")
            .Closed("2026-08-12T12:30Z", onTime: true, reportedAt: "2026-08-10T12:30Z").Events);
        for (var i = 0; i < 3; i++)
        {
            events.AddRange(new CaseScript(Domains.Fire, v, $"F-SEP{i}", "仓库").Reported($"2026-09-1{i}T12:{10 + i}Z").Breached($"2026-09-2{i}T02:00Z").Events);
        }

        events.AddRange(new CaseScript(Domains.Fire, v, "F-SEP9", "九小场所").Reported("2026-09-15T01:00Z")
            .Closed("2026-09-16T01:00Z", onTime: true, reportedAt: "2026-09-15T01:00Z").Events);
        await _host.ApplyAsync(events);
        var user = CommandCenterHost.Viewer([county]);

        var report = await _host.GetJsonAsync(user, $"/api/command/v1/reports/monthly?month=2026-09&grid={county}");
        Assert.Equal(4, report.GetProperty("reported").GetInt32());
        Assert.Equal(1, report.GetProperty("previousReported").GetInt32());
        var fire = report.GetProperty("domains")[0];
        Assert.Equal(300.0, fire.GetProperty("changePercent").GetDouble()); // (4 − 1) / 1
        var warehouse = report.GetProperty("categories")[0];
        Assert.Equal("仓库", warehouse.GetProperty("key").GetString());
        Assert.Equal(3, warehouse.GetProperty("count").GetInt32());
        Assert.Equal(200.0, warehouse.GetProperty("changePercent").GetDouble()); // (3 − 1) / 1
        var evening = report.GetProperty("timeSlots").EnumerateArray().Single(s => s.GetProperty("key").GetString() == "20:00-22:00");
        Assert.Equal(3, evening.GetProperty("count").GetInt32());
        var warnings = report.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
        Assert.Contains(warnings, w => w.Contains("仓库") && w.Contains("200"));
        Assert.Contains(warnings, w => w.Contains("20:00-22:00"));

        using var client = _host.Client(user);
        var html = await client.GetStringAsync($"/api/command/v1/reports/monthly?month=2026-09&grid={county}&format=html");
        Assert.Contains("月度形势分析", html);
        Assert.Contains("仓库", html);

        var xlsx = await client.GetByteArrayAsync($"/api/command/v1/overdue/export?grid={county}");
        var rows = MiniExcel.Query(new MemoryStream(xlsx), useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
        Assert.Equal(["F-SEP0", "F-SEP1", "F-SEP2"], rows.Select(r => (string)r["案件编号"]).Order());

        // Download links carry the token in the query string (a browser link cannot set headers).
        using var anonymous = _host.Factory.CreateClient();
        using var viaQuery = await anonymous.GetAsync($"/api/command/v1/overdue/export?grid={county}&access_token={user}");
        Assert.Equal(HttpStatusCode.OK, viaQuery.StatusCode);
        using var notElsewhere = await anonymous.GetAsync($"/api/command/v1/board?access_token={user}");
        Assert.Equal(HttpStatusCode.Unauthorized, notElsewhere.StatusCode);
    }

    [Fact]
    public async Task The_map_shows_child_grids_with_counts_inside_the_scope()
    {
        var county = "MP" + Guid.NewGuid().ToString("N")[..6];
        using (var admin = _host.Client(TestTokens.Admin()))
        {
            using var put = await admin.PutAsync("/api/command/v1/map/grids", new StringContent(Fixtures.Boundaries(county), Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            using var bad = await admin.PutAsync("/api/command/v1/map/grids", new StringContent("{\"type\":\"Feature\"}", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        await _host.ApplyAsync(new CaseScript(Domains.Fire, [county, county + "-T1", county + "-T1-V1"], "F-MAP").Reported("2026-11-01T02:00Z").Breached("2026-11-02T02:00Z").Events);
        var countyUser = CommandCenterHost.Viewer([county]);
        var top = await _host.GetJsonAsync(countyUser, "/api/command/v1/map");
        Assert.Equal(county, top.GetProperty("features")[0].GetProperty("properties").GetProperty("id").GetString());
        var townships = await _host.GetJsonAsync(countyUser, $"/api/command/v1/map?parent={county}");
        var props = townships.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("properties")).ToList();
        Assert.Equal(2, props.Count);
        var t1 = props.Single(p => p.GetProperty("id").GetString() == county + "-T1");
        Assert.Equal(1, t1.GetProperty("open").GetInt32());
        Assert.Equal(1, t1.GetProperty("overdue").GetInt32());
        Assert.Equal("一镇", t1.GetProperty("name").GetString());

        var t2User = CommandCenterHost.Viewer([county + "-T2"]);
        var seen = await _host.GetJsonAsync(t2User, $"/api/command/v1/map?parent={county}");
        Assert.Equal([county + "-T2"], seen.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("properties").GetProperty("id").GetString()));
        Assert.Equal(0, seen.GetProperty("features")[0].GetProperty("properties").GetProperty("open").GetInt32());
    }
}
