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
}
