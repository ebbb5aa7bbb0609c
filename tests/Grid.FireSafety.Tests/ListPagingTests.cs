using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.FireSafety.Domain;
using Grid.Testing;

namespace Grid.FireSafety.Tests;

/// <summary>Fire's lists page in SQL: keyset cursors, the caller's grid scope in the query, bad paging input named.</summary>
public class ListPagingTests
{
    [Fact]
    public async Task Duties_come_in_pages_of_the_callers_scope_only()
    {
        await using var host = await FireHost.StartAsync();
        var office = host.As("office-1", FireRoles.TownshipFireOffice, FireHost.Town);
        var other = host.As("office-2", FireRoles.TownshipFireOffice, FireHost.OtherTown);
        foreach (var (staff, grid) in new[] { ("d-1", FireHost.Village), ("d-2", FireHost.Small1), ("d-3", FireHost.Small2), ("d-4", FireHost.Village) })
        {
            await (await office.PostJsonAsync("/api/fire/v1/duties", new { staffId = staff, name = staff, role = FireRoles.GridWorker, gridId = grid, from = "2026-11-01" })).OkJsonAsync();
        }

        await (await other.PostJsonAsync("/api/fire/v1/duties", new { staffId = "d-9", name = "d-9", role = FireRoles.GridWorker, gridId = FireHost.OtherVillage, from = "2026-11-01" })).OkJsonAsync();

        // The town's office sees its four, in two pages of two, each once; the other town's duty never.
        var (duties, pages) = await office.ReadAllPagesAsync("/api/fire/v1/duties?limit=2");
        Assert.Equal(["d-1", "d-2", "d-3", "d-4"], duties.Select(d => d.GetProperty("staffId").GetString()!).Order());
        Assert.Equal(2, pages);

        var (theirs, _) = await other.ReadAllPagesAsync("/api/fire/v1/duties?limit=2");
        Assert.Equal("d-9", Assert.Single(theirs).GetProperty("staffId").GetString());

        // Without a limit one page holds them all: a plain list and no next cursor.
        using var whole = await office.GetAsync("/api/fire/v1/duties");
        Assert.Equal(4, (await whole.Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength());
        Assert.False(whole.Headers.Contains("Next-Cursor"));
    }

    [Theory]
    [InlineData("/api/fire/v1/duties?cursor=not-a-cursor", "cursor")]
    [InlineData("/api/fire/v1/equipment/points?limit=0", "limit")]
    [InlineData("/api/fire/v1/listed-supervisions?limit=501", "limit")]
    [InlineData("/api/fire/v1/listed-supervisions?cursor=MTA6bm90LWEtdGltZXh5eg", "cursor")]
    [InlineData("/api/fire/v1/rewards?cursor=%25%25", "cursor")]
    public async Task Bad_paging_input_is_a_400_naming_the_field(string url, string field)
    {
        await using var host = await FireHost.StartAsync();
        var caller = url.Contains("rewards", StringComparison.Ordinal)
            ? host.As("centre-1", FireRoles.RewardCentre, FireHost.County)
            : host.As("brigade-1", FireRoles.FireBrigade, FireHost.County);
        using var response = await caller.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }
}
