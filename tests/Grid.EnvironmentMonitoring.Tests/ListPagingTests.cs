using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Testing;

namespace Grid.EnvironmentMonitoring.Tests;

/// <summary>Lists page in SQL: keyset cursors, the caller's grid scope in the query, bad paging input named.</summary>
public class ListPagingTests
{
    [Fact]
    public async Task Stations_and_sources_come_in_pages_of_the_callers_scope_only()
    {
        await using var host = await EnvironmentHost.StartAsync();
        foreach (var (id, grid) in new[] { ("PG-1", GridTree.VillageA1), ("PG-2", GridTree.VillageA2), ("PG-3", GridTree.VillageA1), ("PG-4", GridTree.VillageB1) })
        {
            await host.AddStationAsync(id, grid);
        }

        // A town-A reader: three of the four are in scope, taken two at a time.
        var reader = host.CreateClient(TestTokens.Create("bureau-a", ["bureau"], ["environment"], [GridTree.TownA]));
        var (stations, pages) = await reader.ReadAllPagesAsync("/api/environment/v1/stations?limit=2");
        Assert.Equal(["PG-1", "PG-2", "PG-3"], stations.Select(s => s.GetProperty("id").GetString()!));
        Assert.Equal(2, pages);

        var (sources, sourcePages) = await reader.ReadAllPagesAsync($"/api/environment/v1/sources?grid={GridTree.TownA}&limit=2");
        Assert.Equal(3, sources.Count);
        Assert.Equal(3, sources.Select(s => s.GetProperty("id").GetGuid()).Distinct().Count());
        Assert.All(sources, s => Assert.Contains(GridTree.TownA, s.GetProperty("gridPath").EnumerateArray().Select(g => g.GetString())));
        Assert.Equal(2, sourcePages);

        // Without a limit one page holds them all, as before: a plain list and no next cursor.
        using var whole = await reader.GetAsync("/api/environment/v1/stations");
        Assert.Equal(3, (await whole.Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength());
        Assert.False(whole.Headers.Contains("Next-Cursor"));
    }

    [Theory]
    [InlineData("/api/environment/v1/stations?cursor=not-a-cursor", "cursor")]
    [InlineData("/api/environment/v1/sources?limit=0", "limit")]
    [InlineData("/api/environment/v1/patrols?limit=501", "limit")]
    [InlineData("/api/environment/v1/task-slips?cursor=%25%25", "cursor")]
    [InlineData("/api/environment/v1/projects?cursor=MTA6bm90LWEtZ3VpZHh5eg", "cursor")]
    [InlineData("/api/environment/v1/water-zones?limit=-3", "limit")]
    public async Task Bad_paging_input_is_a_400_naming_the_field(string url, string field)
    {
        await using var host = await EnvironmentHost.StartAsync();
        using var response = await host.Admin().GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }
}
