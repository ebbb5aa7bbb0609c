using Grid.Testing;

namespace Grid.CadreSupervision.Tests;

/// <summary>The printable file: what it shows, what it never shows, who may print it.</summary>
public sealed class ExportTests
{
    [Fact]
    public async Task The_printable_file_shows_the_record_escaped_never_the_resident_and_each_export_is_audited()
    {
        await using var host = await CadreHost.StartAsync();
        var id = await host.CadreAsync("罗国华", GridTree.VillageA1);
        var discipline = host.Discipline();
        var supervisor = host.As("sup-a1", "supervisor", GridTree.VillageA1);
        (await supervisor.PostJsonAsync($"/api/cadre/v1/cadres/{id}/entries", new { circle = "family", summary = "<b>家属</b>借其名义承揽工程" })).EnsureSuccessStatusCode();
        var report = await (await supervisor.PostJsonAsync("/api/cadre/v1/reports", new { cadreId = id, circle = "life", summary = "出入赌场", resident = new { name = "何春花", phone = "13700001111" } })).OkJsonAsync();
        (await discipline.PostJsonAsync($"/api/cadre/v1/cadres/{id}/warnings", new { reason = "生活作风问题" })).EnsureSuccessStatusCode();
        (await discipline.PostJsonAsync($"/api/cadre/v1/cadres/{id}/commitments", new { year = 2026, text = "带头参加社区志愿服务" })).EnsureSuccessStatusCode();

        var response = await discipline.GetAsync($"/api/cadre/v1/cadres/{id}/export.html");
        var html = await response.ReadAsStringAsync();
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("罗国华", html);
        Assert.Contains("&lt;b&gt;家属&lt;/b&gt;借其名义承揽工程", html);
        Assert.Contains(report.GetProperty("number").GetString()!, html);
        Assert.Contains("第1次", html);
        Assert.Contains("带头参加社区志愿服务", html);
        Assert.DoesNotContain("何春花", html);
        Assert.DoesNotContain("13700001111", html);
        await Wait.UntilAsync(async () => await host.CountAsync("casework_audit.entries", $"case_id = '{id}' AND action = 'file-exported'") == 1,
            TimeSpan.FromSeconds(20), "the export audited");

        await (await supervisor.GetAsync($"/api/cadre/v1/cadres/{id}/export.html")).ProblemAsync(403);
        await (await host.Discipline(GridTree.TownB).GetAsync($"/api/cadre/v1/cadres/{id}/export.html")).ProblemAsync(404);
    }
}
