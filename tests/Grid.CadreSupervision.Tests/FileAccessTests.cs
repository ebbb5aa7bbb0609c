using System.Net;
using Grid.Testing;

namespace Grid.CadreSupervision.Tests;

/// <summary>一人一档 and who sees what of it: discipline, the grid's supervisors, the public notice, refusals.</summary>
public sealed class FileAccessTests
{
    [Fact]
    public async Task Discipline_opens_a_file_bad_input_names_each_field_and_writes_nothing()
    {
        await using var host = await CadreHost.StartAsync();
        var discipline = host.Discipline();

        var bad = await discipline.PostJsonAsync("/api/cadre/v1/cadres", new { name = " ", post = "局长", departmentId = "DEPT-NOWHERE", gridId = "nowhere" });
        var errors = (await bad.ProblemAsync(400)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _));
        Assert.True(errors.TryGetProperty("departmentId", out _));
        Assert.True(errors.TryGetProperty("gridId", out _));
        Assert.False(errors.TryGetProperty("post", out _));
        Assert.Equal(0, await host.CountAsync("cadre.cadres"));

        var created = await (await discipline.PostJsonAsync("/api/cadre/v1/cadres",
            new { name = "张建国", post = "副局长", departmentId = "DEPT-ENV", gridId = GridTree.VillageA1 })).OkJsonAsync();
        Assert.Equal("environment-bureau", created.GetProperty("departmentId").GetString());
        Assert.Equal("生态环境分局", created.GetProperty("departmentName").GetString());
        Assert.Equal(1, await host.CountAsync("cadre.cadres"));
    }

    [Fact]
    public async Task Each_wrong_role_grid_or_unit_is_refused()
    {
        await using var host = await CadreHost.StartAsync();
        var id = await host.CadreAsync("李秀英", GridTree.VillageA1);
        var body = new { name = "王志强", post = "科长", departmentId = "DEPT-ENV", gridId = GridTree.VillageA1 };

        // Only the discipline commission opens files, and only over its own grids.
        (await (await host.As("sup-a", "supervisor", GridTree.TownA).PostJsonAsync("/api/cadre/v1/cadres", body)).ProblemAsync(403)).GetProperty("claim");
        Assert.Equal("grid", (await (await host.Discipline(GridTree.TownB).PostJsonAsync("/api/cadre/v1/cadres", body)).ProblemAsync(403)).GetProperty("claim").GetString());
        Assert.Equal("domain", (await (await host.CreateClient(TestTokens.Create("fire", ["discipline"], ["fire"])).GetAsync($"/api/cadre/v1/cadres/{id}")).ProblemAsync(403)).GetProperty("claim").GetString());

        // A supervisor of another grid, and a township commission elsewhere, do not find the file.
        await (await host.As("sup-b", "supervisor", GridTree.TownB).GetAsync($"/api/cadre/v1/cadres/{id}")).ProblemAsync(404);
        await (await host.Discipline(GridTree.TownB).GetAsync($"/api/cadre/v1/cadres/{id}")).ProblemAsync(404);
        Assert.Empty((await (await host.As("sup-b", "supervisor", GridTree.TownB).GetAsync("/api/cadre/v1/cadres")).OkJsonAsync()).EnumerateArray());

        // A supervisor does not warn; a unit's contact reads only its own unit.
        await (await host.As("sup-a", "supervisor", GridTree.TownA).PostJsonAsync($"/api/cadre/v1/cadres/{id}/warnings", new { reason = "x" })).ProblemAsync(403);
        await host.Discipline().PostJsonAsync("/api/cadre/v1/units/DEPT-ENV/contacts", new { subject = "env-contact" });
        var unit = host.As("env-contact", "cadre-unit", GridTree.County);
        (await unit.GetAsync("/api/cadre/v1/units/environment-bureau/warnings")).EnsureSuccessStatusCode();
        await (await unit.GetAsync("/api/cadre/v1/units/police-station-3/warnings")).ProblemAsync(404);
        await (await host.As("other", "cadre-unit", GridTree.County).GetAsync("/api/cadre/v1/units/environment-bureau/tasks")).ProblemAsync(404);
        await (await host.As("sup-a", "supervisor", GridTree.TownA).GetAsync("/api/cadre/v1/units/environment-bureau/tasks")).ProblemAsync(403);

        // A unit does not read the file itself.
        await (await unit.GetAsync($"/api/cadre/v1/cadres/{id}")).ProblemAsync(403);
    }

    [Fact]
    public async Task A_supervisor_sees_the_cadres_of_their_grid_and_only_what_they_recorded()
    {
        await using var host = await CadreHost.StartAsync();
        var id = await host.CadreAsync("陈海燕", GridTree.VillageA1);
        await host.CadreAsync("刘卫东", GridTree.VillageB1);
        var mine = host.As("sup-a1", "supervisor", GridTree.VillageA1);
        var colleague = host.As("sup-a1-2", "supervisor", GridTree.VillageA1);

        (await mine.PostJsonAsync($"/api/cadre/v1/cadres/{id}/entries", new { circle = "public-welfare", summary = "带头参加社区义务清扫" })).EnsureSuccessStatusCode();
        (await colleague.PostJsonAsync($"/api/cadre/v1/cadres/{id}/entries", new { circle = "life", summary = "多次出入高档会所" })).EnsureSuccessStatusCode();
        var badEntry = await mine.PostJsonAsync($"/api/cadre/v1/cadres/{id}/entries", new { circle = "work", summary = "" });
        var errors = (await badEntry.ProblemAsync(400)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("circle", out _) && errors.TryGetProperty("summary", out _));
        Assert.Equal(2, await host.CountAsync("cadre.register_entries"));

        var list = (await (await mine.GetAsync("/api/cadre/v1/cadres")).OkJsonAsync()).EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Equal(["陈海燕"], list);

        var file = await (await mine.GetAsync($"/api/cadre/v1/cadres/{id}")).OkJsonAsync();
        Assert.False(file.GetProperty("whole").GetBoolean());
        Assert.Equal(["带头参加社区义务清扫"], file.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("summary").GetString()));

        var whole = await (await host.Discipline().GetAsync($"/api/cadre/v1/cadres/{id}")).OkJsonAsync();
        Assert.Equal(2, whole.GetProperty("entries").GetArrayLength());
    }

    [Fact]
    public async Task The_public_notice_lists_name_unit_and_post_only()
    {
        await using var host = await CadreHost.StartAsync();
        await host.CadreAsync("赵德胜", GridTree.VillageA2);
        await host.CadreAsync("孙玉珍", GridTree.VillageB1);

        var anonymous = host.CreateClient();
        var notice = await (await anonymous.GetAsync($"/api/cadre/v1/public/grids/{GridTree.VillageA2}/cadres")).OkJsonAsync();
        var only = Assert.Single(notice.EnumerateArray());
        Assert.Equal(["name", "unit", "post"], only.EnumerateObject().Select(p => p.Name));
        Assert.Equal("赵德胜", only.GetProperty("name").GetString());

        // Everything else needs a token.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/cadre/v1/cadres")).StatusCode);
    }
}
