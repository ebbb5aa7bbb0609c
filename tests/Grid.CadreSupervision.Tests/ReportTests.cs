using Grid.Testing;

namespace Grid.CadreSupervision.Tests;

/// <summary>群众反映: a resident's report by a supervisor reaches the file; the resident is sealed from everyone but the discipline commission.</summary>
public sealed class ReportTests
{
    private const string Resident = "周淑芬";
    private const string Phone = "13912345678";

    [Fact]
    public async Task A_report_reaches_the_file_with_the_resident_sealed_from_events_logs_the_unit_and_other_grids()
    {
        await using var host = await CadreHost.StartAsync();
        var id = await host.CadreAsync("黄振华", GridTree.VillageA1);
        var supervisor = host.As("sup-a1", "supervisor", GridTree.VillageA1);

        var taken = await (await supervisor.PostJsonAsync("/api/cadre/v1/reports", new
        {
            cadreId = id,
            circle = "life",
            summary = "周末多次由企业老板宴请",
            resident = new { name = Resident, phone = Phone },
        })).OkJsonAsync();
        var caseId = taken.GetProperty("caseId").GetGuid();
        Assert.StartsWith("CADRE-", taken.GetProperty("number").GetString());

        // In the file, as the discipline commission sees it, and in the supervisor's own view.
        var file = await (await host.Discipline().GetAsync($"/api/cadre/v1/cadres/{id}")).OkJsonAsync();
        var entry = Assert.Single(file.GetProperty("entries").EnumerateArray());
        Assert.Equal(caseId, entry.GetProperty("caseId").GetGuid());
        Assert.Equal("周末多次由企业老板宴请", entry.GetProperty("summary").GetString());
        var own = await (await supervisor.GetAsync($"/api/cadre/v1/cadres/{id}")).ReadAsStringAsync();
        Assert.Contains("周末多次由企业老板宴请", own);

        // Only the discipline commission opens who reported, and that opening is an audit entry.
        await (await supervisor.GetAsync($"/api/cadre/v1/cases/{caseId}/reporter")).ProblemAsync(403);
        await (await host.As("reward", "reward-centre").GetAsync($"/api/cadre/v1/cases/{caseId}/reporter")).ProblemAsync(403);
        Assert.Equal(0, await host.CountAsync("casework_audit.queue", $"case_id = '{caseId}' AND action = 'reporter-read'") + await host.CountAsync("casework_audit.entries", $"case_id = '{caseId}' AND action = 'reporter-read'"));
        var reporter = await (await host.Discipline().GetAsync($"/api/cadre/v1/cases/{caseId}/reporter")).OkJsonAsync();
        Assert.Equal(Resident, reporter.GetProperty("name").GetString());
        await Wait.UntilAsync(async () => await host.CountAsync("casework_audit.entries", $"case_id = '{caseId}' AND action = 'reporter-read' AND actor = 'discipline-county'") == 1,
            TimeSpan.FromSeconds(20), "the opening on the audit chain");

        // Reading the report's substance is recorded too: on its own, and in the file (the discipline commission's read
        // and the supervisor's above).
        (await host.Discipline().GetAsync($"/api/cadre/v1/reports/{caseId}")).EnsureSuccessStatusCode();
        await Wait.UntilAsync(async () => await host.CountAsync("casework_audit.entries", $"case_id = '{id}' AND action = 'read-report'") == 1, TimeSpan.FromSeconds(20), "the read chained");
        await Wait.UntilAsync(async () => await host.CountAsync("casework_audit.entries", $"case_id = '{id}' AND action = 'read-reports'") == 2, TimeSpan.FromSeconds(20), "the file reads chained");
        Assert.Equal(1, await host.CountAsync("casework_audit.entries", $"case_id = '{id}' AND action = 'read-reports' AND actor = 'sup-a1'"));

        // Never in an event (the outbox holds the case's events), a log line, the file's tables or the audit trail.
        Assert.True(await host.CountAsync("casework.outbox", $"case_id = '{caseId}'") > 0);
        foreach (var table in new[] { "casework.outbox", "casework.cases", "cadre.register_entries", "casework_audit.entries", "casework_audit.queue" })
        {
            var text = await host.DumpAsync(table);
            Assert.DoesNotContain(Resident, text);
            Assert.DoesNotContain(Phone, text);
        }

        Assert.NotEmpty(host.Logs);
        Assert.DoesNotContain(host.Logs, l => l.Contains(Resident) || l.Contains(Phone));

        // Not the unit's view (after a warning, so there is something to see), not another grid's supervisor.
        (await host.Discipline().PostJsonAsync($"/api/cadre/v1/cadres/{id}/warnings", new { reason = "接受企业宴请" })).EnsureSuccessStatusCode();
        await host.Discipline().PostJsonAsync("/api/cadre/v1/units/DEPT-ENV/contacts", new { subject = "env-contact" });
        var unit = host.As("env-contact", "cadre-unit", GridTree.County);
        var unitView = await (await unit.GetAsync("/api/cadre/v1/units/environment-bureau/warnings")).ReadAsStringAsync() +
            await (await unit.GetAsync("/api/cadre/v1/units/environment-bureau/tasks")).ReadAsStringAsync();
        Assert.Contains("接受企业宴请", unitView);
        Assert.DoesNotContain(Resident, unitView);
        Assert.DoesNotContain("周末多次由企业老板宴请", unitView);
        Assert.DoesNotContain("sup-a1", unitView);
        await (await unit.GetAsync($"/api/cadre/v1/reports/{caseId}")).ProblemAsync(403);

        var otherGrid = host.As("sup-b1", "supervisor", GridTree.VillageB1);
        await (await otherGrid.GetAsync($"/api/cadre/v1/cadres/{id}")).ProblemAsync(404);
        await (await otherGrid.GetAsync($"/api/cadre/v1/cases/{caseId}")).ProblemAsync(403);
        Assert.DoesNotContain(Resident, await (await otherGrid.GetAsync("/api/cadre/v1/cadres")).ReadAsStringAsync());
    }

    [Fact]
    public async Task A_bad_report_names_its_fields_and_opens_no_case()
    {
        await using var host = await CadreHost.StartAsync();
        var id = await host.CadreAsync("吴红梅", GridTree.VillageA1);
        var supervisor = host.As("sup-a1", "supervisor", GridTree.VillageA1);

        var bad = await supervisor.PostJsonAsync("/api/cadre/v1/reports", new { cadreId = id, circle = "work", summary = "x", resident = new { name = "" } });
        var errors = (await bad.ProblemAsync(400)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("circle", out _));
        Assert.True(errors.TryGetProperty("resident.name", out _));

        // A cadre of another grid is a field error for a supervisor, as if it did not exist.
        var elsewhere = await host.CadreAsync("徐永刚", GridTree.VillageB1);
        var wrongGrid = await supervisor.PostJsonAsync("/api/cadre/v1/reports", new { cadreId = elsewhere, circle = "life", summary = "x", resident = new { name = "某" } });
        Assert.True((await wrongGrid.ProblemAsync(400)).GetProperty("errors").TryGetProperty("cadreId", out _));

        // The generic case API takes only the conduct category, and still only from recorders.
        var generic = await supervisor.PostJsonAsync("/api/cadre/v1/cases", new { category = "fire", severity = "general", title = "x", description = "x", gridId = GridTree.VillageA1 });
        Assert.True((await generic.ProblemAsync(400)).GetProperty("errors").TryGetProperty("category", out _));

        Assert.Equal(0, await host.CountAsync("casework.cases"));
        Assert.Equal(0, await host.CountAsync("cadre.register_entries"));
    }
}
