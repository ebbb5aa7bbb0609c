using Grid.Contracts.Events;
using Grid.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.CadreSupervision.Tests;

/// <summary>台账 as Excel: a cadre's file, the warnings ledger and the accountability ledger — who may export them, and the reporter never in them.</summary>
public sealed class LedgerExportTests
{
    private const string Resident = "吴秀兰";
    private const string Phone = "13800002222";

    private static async Task<List<IDictionary<string, object>>> SheetAsync(HttpResponseMessage r)
    {
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        Assert.Equal(Grid.Casework.Apis.LedgerFile.ContentType, r.Content.Headers.ContentType?.MediaType);
        return MiniExcelLibs.MiniExcel.Query(await r.Content.ReadAsStreamAsync(), useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
    }

    private static string Cells(IEnumerable<IDictionary<string, object>> rows) => string.Join("|", rows.SelectMany(r => r.Values).Select(v => v?.ToString()));

    [Fact]
    public async Task The_file_and_the_warnings_and_accountability_ledgers_export_to_excel_for_those_allowed_and_never_name_the_resident()
    {
        await using var host = await CadreHost.StartAsync();
        var id = await host.CadreAsync("郑国强", GridTree.VillageA1);
        var discipline = host.Discipline();
        var supervisor = host.As("sup-a1", "supervisor", GridTree.VillageA1);
        (await supervisor.PostJsonAsync($"/api/cadre/v1/cadres/{id}/entries", new { circle = "social", summary = "在群聊散布不当言论" })).EnsureSuccessStatusCode();
        var report = await (await supervisor.PostJsonAsync("/api/cadre/v1/reports", new { cadreId = id, circle = "life", summary = "接受老板宴请", resident = new { name = Resident, phone = Phone } })).OkJsonAsync();
        for (var i = 1; i <= 3; i++)
        {
            (await discipline.PostJsonAsync($"/api/cadre/v1/cadres/{id}/warnings", new { reason = $"第{i}次预警事由" })).EnsureSuccessStatusCode();
        }

        (await discipline.PostJsonAsync($"/api/cadre/v1/cadres/{id}/commitments", new { year = 2026, text = "每月参加一次社区服务" })).EnsureSuccessStatusCode();

        // The file: every entry, warning and commitment; the report by its case number; the export on the audit chain.
        var file = await SheetAsync(await discipline.GetAsync($"/api/cadre/v1/cadres/{id}/export.xlsx"));
        Assert.Equal(1 + 1 + 3 + 1, file.Count);
        Assert.Contains(file, r => (string)r["类别"] == "群众反映 " + report.GetProperty("number").GetString() && (string)r["内容"] == "接受老板宴请");
        Assert.Contains(file, r => (string)r["栏目"] == "预警书" && (string)r["类别"] == "第3次");
        Assert.Contains(file, r => (string)r["四圈"] == "社交圈");
        Assert.DoesNotContain(Resident, Cells(file));
        Assert.DoesNotContain(Phone, Cells(file));
        await Wait.UntilAsync(async () => await host.CountAsync("casework_audit.entries", $"case_id = '{id}' AND action = 'file-exported' AND after LIKE '%xlsx%'") == 1,
            TimeSpan.FromSeconds(20), "the export audited");
        await (await supervisor.GetAsync($"/api/cadre/v1/cadres/{id}/export.xlsx")).ProblemAsync(403);
        await (await host.Discipline(GridTree.TownB).GetAsync($"/api/cadre/v1/cadres/{id}/export.xlsx")).ProblemAsync(404);

        // The warnings ledger: the unit's contact gets its own unit's, with what each warning put on the unit.
        (await discipline.PostJsonAsync("/api/cadre/v1/units/DEPT-ENV/contacts", new { subject = "env-contact" })).EnsureSuccessStatusCode();
        var contact = host.As("env-contact", "cadre-unit", GridTree.County);
        var warnings = await SheetAsync(await contact.GetAsync("/api/cadre/v1/warnings/export.xlsx?departmentId=environment-bureau"));
        Assert.Equal(3, warnings.Count);
        Assert.Contains("书面说明", (string)warnings.Single(r => Convert.ToInt32(r["累计次数"]) == 3)["单位须办"]);
        Assert.Equal("警告教育", (string)warnings.Single(r => Convert.ToInt32(r["累计次数"]) == 1)["单位须办"]);
        Assert.DoesNotContain(Resident, Cells(warnings));
        Assert.DoesNotContain("接受老板宴请", Cells(warnings));
        await (await contact.GetAsync("/api/cadre/v1/warnings/export.xlsx?departmentId=police-bureau")).ProblemAsync(404);
        await (await contact.GetAsync("/api/cadre/v1/warnings/export.xlsx")).ProblemAsync(403);
        Assert.Equal(3, (await SheetAsync(await discipline.GetAsync("/api/cadre/v1/warnings/export.xlsx"))).Count);
        Assert.Equal(0, (await SheetAsync(await host.Discipline(GridTree.TownB).GetAsync("/api/cadre/v1/warnings/export.xlsx"))).Count(r => r.ContainsKey("干部")));

        // The accountability ledger: a breach of another domain, for the county commission only.
        var breach = new CaseDeadlineBreached
        {
            OccurredAt = host.Time.GetUtcNow(),
            Domain = Domains.Fire,
            CaseId = Guid.NewGuid(),
            CaseNumber = "FIRE-20261119-0007",
            GridId = "fire-grid-1",
            GridPath = ["fire-county", "fire-grid-1"],
            Step = "handle",
            Deadline = host.Time.GetUtcNow().AddHours(-1),
            Responsible = "worker:f-3 赵强",
            ResponsibleGridId = "fire-grid-1",
        };
        await host.Services.GetRequiredService<IBus>().Publish(breach);
        await Wait.UntilAsync(async () => await host.CountAsync("cadre.accountability_records") == 1, TimeSpan.FromSeconds(30), "the breach recorded");
        var ledger = await SheetAsync(await discipline.GetAsync("/api/cadre/v1/accountability/export.xlsx?period=2026-11"));
        var row = Assert.Single(ledger);
        Assert.Equal("FIRE-20261119-0007", row["案件编号"]);
        Assert.Equal("超期", row["类别"]);
        Assert.Equal("worker:f-3 赵强", row["责任人"]);
        Assert.Contains("kind", await (await discipline.GetAsync("/api/cadre/v1/accountability/export.xlsx?kind=x")).FieldErrorsAsync());
        await (await host.Discipline(GridTree.TownA).GetAsync("/api/cadre/v1/accountability/export.xlsx")).ProblemAsync(403);
        await (await supervisor.GetAsync("/api/cadre/v1/accountability/export.xlsx")).ProblemAsync(403);
    }
}
