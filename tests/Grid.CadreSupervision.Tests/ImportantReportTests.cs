using Grid.Testing;

namespace Grid.CadreSupervision.Tests;

/// <summary>重要情况随时上报: a report of an important matter goes to the county discipline commission at once; others stay in the grid.</summary>
public sealed class ImportantReportTests
{
    [Fact]
    public async Task A_report_at_the_configured_severity_or_flagged_important_goes_to_the_county_at_once_and_a_bad_severity_writes_nothing()
    {
        // Here serious matters count as important too (the default is major).
        await using var host = await CadreHost.StartAsync(h => h.WithSetting("Cadre:Reports:StraightToCountyAt", "serious"));
        var id = await host.CadreAsync("孙立新", GridTree.VillageA1);
        var supervisor = host.As("sup-a1", "supervisor", GridTree.VillageA1);
        async Task<System.Text.Json.JsonElement> Report(object body) => await (await supervisor.PostJsonAsync("/api/cadre/v1/reports", body)).OkJsonAsync();

        var ordinary = await Report(new { cadreId = id, circle = "life", summary = "常去棋牌室", resident = new { name = "甲" } });
        Assert.False(ordinary.GetProperty("important").GetBoolean());
        Assert.Equal(GridTree.VillageA1, ordinary.GetProperty("holderGridId").GetString());

        var serious = await Report(new { cadreId = id, circle = "life", summary = "收受企业购物卡", severity = "serious", resident = new { name = "乙" } });
        var flagged = await Report(new { cadreId = id, circle = "family", summary = "亲属借其名义揽工程", important = true, resident = new { name = "丙" } });
        foreach (var r in new[] { serious, flagged })
        {
            Assert.True(r.GetProperty("important").GetBoolean());
            Assert.Equal("major", r.GetProperty("severity").GetString());

            // Held by the county (the root of the chain) as Casework records it, with the escalation published.
            var caseId = r.GetProperty("caseId").GetGuid();
            var c = await (await host.Discipline().GetAsync($"/api/cadre/v1/cases/{caseId}")).OkJsonAsync();
            Assert.Equal(GridTree.County, c.GetProperty("holderGridId").GetString());
            Assert.Equal(1, await host.CountAsync("casework.outbox",
                $"case_id = '{caseId}' AND event_type = 'CaseEscalated' AND payload::jsonb ->> 'reason' = 'major' AND payload::jsonb ->> 'toGridId' = '{GridTree.County}'"));
        }

        Assert.Equal(0, await host.CountAsync("casework.outbox", $"case_id = '{ordinary.GetProperty("caseId").GetGuid()}' AND event_type = 'CaseEscalated'"));

        // A severity Casework does not know is refused, naming the field; no case and no register entry.
        var cases = await host.CountAsync("casework.cases");
        var entries = await host.CountAsync("cadre.register_entries");
        var bad = await supervisor.PostJsonAsync("/api/cadre/v1/reports", new { cadreId = id, circle = "life", summary = "x", severity = "urgent", resident = new { name = "丁" } });
        Assert.Contains("severity", await bad.FieldErrorsAsync());
        Assert.Equal(cases, await host.CountAsync("casework.cases"));
        Assert.Equal(entries, await host.CountAsync("cadre.register_entries"));
    }
}
