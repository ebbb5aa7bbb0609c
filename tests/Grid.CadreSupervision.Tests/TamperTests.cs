using Grid.Testing;

namespace Grid.CadreSupervision.Tests;

/// <summary>留痕: a file's records are on Casework's keyed audit chain; an edited record is found.</summary>
public sealed class TamperTests
{
    [Fact]
    public async Task An_edited_warning_in_the_files_audit_trail_is_detected()
    {
        await using var host = await CadreHost.StartAsync();
        var id = await host.CadreAsync("马淑芬", GridTree.VillageA1);
        var discipline = host.Discipline();
        (await discipline.PostJsonAsync($"/api/cadre/v1/cadres/{id}/entries", new { circle = "family", summary = "亲属经商借其名义" })).EnsureSuccessStatusCode();
        (await discipline.PostJsonAsync($"/api/cadre/v1/cadres/{id}/warnings", new { reason = "纵容亲属借其名义经商" })).EnsureSuccessStatusCode();
        await Wait.UntilAsync(async () => await host.CountAsync("casework_audit.entries", $"case_id = '{id}'") >= 4, TimeSpan.FromSeconds(20), "the file's entries chained");

        var auditor = host.As("auditor", "auditor", GridTree.County);
        var clean = await (await auditor.GetAsync($"/api/cadre/v1/cases/audit/verify?caseId={id}")).OkJsonAsync();
        Assert.True(clean.GetProperty("valid").GetBoolean(), clean.ToString());
        Assert.Equal(4, clean.GetProperty("entries").GetInt32()); // opened, observation, warning, the unit's task

        // Someone with the database but not the key makes the warning a cadre's first of none in the trail.
        await host.ExecuteAsync($"""
            ALTER TABLE casework_audit.entries DISABLE TRIGGER USER;
            UPDATE casework_audit.entries SET after = replace(after, 'ountInWindow":1', 'ountInWindow":0') WHERE case_id = '{id}' AND action = 'warning-issued';
            ALTER TABLE casework_audit.entries ENABLE TRIGGER USER;
            """);
        Assert.Equal(1, await host.CountAsync("casework_audit.entries", $"case_id = '{id}' AND after LIKE '%ountInWindow\":0%'"));

        var broken = await (await auditor.GetAsync($"/api/cadre/v1/cases/audit/verify?caseId={id}")).OkJsonAsync();
        Assert.False(broken.GetProperty("valid").GetBoolean());
        Assert.True(broken.GetProperty("firstBrokenSeq").GetInt64() > 0);

        // A supervisor does not verify the trail.
        await (await host.As("sup", "supervisor", GridTree.VillageA1).GetAsync($"/api/cadre/v1/cases/audit/verify?caseId={id}")).ProblemAsync(403);
    }

    [Fact]
    public async Task Commitments_evaluations_and_supervision_groups_are_on_the_chain_and_an_edited_one_is_detected()
    {
        await using var host = await CadreHost.StartAsync();
        var id = await host.CadreAsync("蒋文斌", GridTree.VillageA1);
        var discipline = host.Discipline();
        var commitment = await (await discipline.PostJsonAsync($"/api/cadre/v1/cadres/{id}/commitments", new { year = 2026, text = "每月走访独居老人" })).OkJsonAsync();
        (await discipline.PostJsonAsync($"/api/cadre/v1/cadres/{id}/commitments/{commitment.GetProperty("id").GetGuid()}/progress", new { progress = "已走访6户" })).EnsureSuccessStatusCode();
        (await discipline.PostJsonAsync($"/api/cadre/v1/cadres/{id}/evaluations", new { year = 2026, verdicts = new object[] { new { raterKind = "resident", score = 2 } } })).EnsureSuccessStatusCode();
        (await discipline.PutAsJsonAsync($"/api/cadre/v1/cadres/{id}/unit-assessment/2026", new { score = 75 })).EnsureSuccessStatusCode();
        var group = await (await discipline.PutAsJsonAsync($"/api/cadre/v1/grids/{GridTree.VillageA1}/group", new { leader = "网格长甲", deputy = "驻村干部乙", supervisors = new[] { "监督员丙" } })).OkJsonAsync();
        var groupSubject = group.GetProperty("auditSubject").GetGuid();

        var actions = new[] { "commitment", "commitment-progress", "evaluation", "unit-assessment" };
        await Wait.UntilAsync(async () => await host.CountAsync("casework_audit.entries", $"case_id = '{id}' AND action IN ('{string.Join("','", actions)}')") == 4
            && await host.CountAsync("casework_audit.entries", $"case_id = '{groupSubject}' AND action = 'group-set'") == 1, TimeSpan.FromSeconds(20), "the records chained");
        var auditor = host.As("auditor", "auditor", GridTree.County);
        async Task<bool> Valid(Guid subject) => (await (await auditor.GetAsync($"/api/cadre/v1/cases/audit/verify?caseId={subject}")).OkJsonAsync()).GetProperty("valid").GetBoolean();
        Assert.True(await Valid(id));
        Assert.True(await Valid(groupSubject));

        // A residents' score of 2 made 5, and a supervisor added to the group, by someone with the database but not the key.
        await host.ExecuteAsync($"""
            ALTER TABLE casework_audit.entries DISABLE TRIGGER USER;
            UPDATE casework_audit.entries SET after = replace(after, 'core":2', 'core":5') WHERE case_id = '{id}' AND action = 'evaluation';
            UPDATE casework_audit.entries SET after = replace(after, 'upervisors":[', 'upervisors":["intruder",') WHERE case_id = '{groupSubject}' AND action = 'group-set';
            ALTER TABLE casework_audit.entries ENABLE TRIGGER USER;
            """);
        Assert.Equal(1, await host.CountAsync("casework_audit.entries", $"case_id = '{id}' AND action = 'evaluation' AND after LIKE '%core\":5%'"));
        Assert.Equal(1, await host.CountAsync("casework_audit.entries", $"case_id = '{groupSubject}' AND after LIKE '%intruder%'"));
        Assert.False(await Valid(id));
        Assert.False(await Valid(groupSubject));
    }
}
