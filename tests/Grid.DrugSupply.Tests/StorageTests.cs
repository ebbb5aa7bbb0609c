using Grid.DrugSupply.Domain;
using Grid.Testing;

namespace Grid.DrugSupply.Tests;

/// <summary>Storage readings against the bands (cold chain 2–8 °C, humidity 35–75 %), a grace period of 30 minutes.</summary>
public class StorageTests
{
    private static object Reading(Guid point, DateTimeOffset at, decimal temperature, decimal humidity = 50, StorageZone zone = StorageZone.Cold) =>
        new { pointId = point, zone, at, temperature, humidity };

    /// <summary>Readings every 5 minutes from <paramref name="from"/> (minutes after the start) to <paramref name="to"/>, the clock moved past the last.</summary>
    private static async Task<System.Text.Json.JsonElement> SendAsync(DrugsHost host, HttpClient c, Guid point, DateTimeOffset start, int from, int to, decimal temperature)
    {
        var batch = Enumerable.Range(0, ((to - from) / 5) + 1).Select(i => Reading(point, start.AddMinutes(from + (i * 5)), temperature)).ToList();
        var due = start.AddMinutes(to);
        if (host.Time.GetUtcNow() < due)
        {
            host.Time.Advance(due - host.Time.GetUtcNow());
        }

        return await (await c.PostJsonAsync("/api/drugs/v1/readings", new { readings = batch })).OkJsonAsync();
    }

    private static Task<long> StorageCasesAsync(DrugsHost host) => host.CountAsync("casework.cases", "category = 'storage'");

    [Fact]
    public async Task An_episode_opens_one_case_past_the_grace_period_however_many_readings_and_none_within_it()
    {
        await using var host = await DrugsHost.StartAsync();
        var point = await SupplyPointsTests.FileAsync(host, "城关镇卫生院便民药房", SupplyPointKind.TownshipPharmacy, GridTree.TownA, "12410100MB0000002B");
        var coordinator = host.As("coord-a", DrugRoles.Coordinator, GridTree.TownA);
        var start = host.Time.GetUtcNow();

        // 25 minutes at 12 °C, then back to 5 °C: an episode within the grace period, no case.
        var short1 = await SendAsync(host, coordinator, point, start, 0, 25, 12.0m);
        Assert.Equal(6, short1.GetProperty("stored").GetInt32());
        await SendAsync(host, coordinator, point, start, 30, 30, 5.0m);
        var episodes = await (await coordinator.GetAsync($"/api/drugs/v1/points/{point}/episodes")).OkJsonAsync();
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, Assert.Single(episodes.EnumerateArray()).GetProperty("endedAt").ValueKind);
        Assert.Equal(0, await StorageCasesAsync(host));

        // A second excursion: 40 → 65 still inside the grace period, 70 reaches it — one case; 75 → 120 adds none.
        Assert.Empty((await SendAsync(host, coordinator, point, start, 40, 65, 9.5m)).GetProperty("cases").EnumerateArray());
        Assert.Equal(0, await StorageCasesAsync(host));
        var opened = await SendAsync(host, coordinator, point, start, 70, 70, 9.5m);
        var caseId = Assert.Single(opened.GetProperty("cases").EnumerateArray()).GetProperty("caseId").GetGuid();
        Assert.Empty((await SendAsync(host, coordinator, point, start, 75, 120, 11.0m)).GetProperty("cases").EnumerateArray());
        Assert.Equal(1, await StorageCasesAsync(host));

        // The same batch again stores nothing; the case is the episode's.
        var again = await (await coordinator.PostJsonAsync("/api/drugs/v1/readings", new { readings = new[] { Reading(point, start.AddMinutes(75), 11.0m) } })).OkJsonAsync();
        Assert.Equal(0, again.GetProperty("stored").GetInt32());
        var authority = host.As("authority-a", DrugRoles.Authority, GridTree.TownA);
        var c = await (await authority.GetAsync($"/api/drugs/v1/cases/{caseId}")).OkJsonAsync();
        Assert.Equal("storage", c.GetProperty("category").GetString());
        Assert.Contains("temperature 9.5 °C outside 2–8 °C", c.GetProperty("description").GetString());
        var second = (await (await coordinator.GetAsync($"/api/drugs/v1/points/{point}/episodes")).OkJsonAsync())[0];
        Assert.Equal(caseId, second.GetProperty("caseId").GetGuid());
        Assert.Equal(17, second.GetProperty("readings").GetInt32());

        // Back in band, then a whole excursion past the grace period in one batch: a second case, for the new episode.
        await SendAsync(host, coordinator, point, start, 125, 125, 4.0m);
        Assert.Single((await SendAsync(host, coordinator, point, start, 130, 200, 15.0m)).GetProperty("cases").EnumerateArray());
        Assert.Equal(2, await StorageCasesAsync(host));
    }

    [Fact]
    public async Task A_batch_with_a_bad_reading_is_refused_whole_naming_the_reading_and_field()
    {
        await using var host = await DrugsHost.StartAsync();
        var point = await SupplyPointsTests.FileAsync(host, "东关村卫生室便民药柜", SupplyPointKind.VillageCabinet, GridTree.VillageA1, "52410100MJ0000001A");
        var coordinator = host.As("coord-a", DrugRoles.Coordinator, GridTree.TownA);
        var now = host.Time.GetUtcNow();

        var bad = await coordinator.PostJsonAsync("/api/drugs/v1/readings", new
        {
            readings = new[]
            {
                Reading(point, now.AddMinutes(-10), 20.0m, zone: StorageZone.Normal),
                Reading(point, now.AddMinutes(-5), 20.0m, humidity: 140, zone: StorageZone.Normal),
                Reading(Guid.NewGuid(), now, 20.0m, zone: StorageZone.Normal),
                Reading(point, now.AddHours(2), 20.0m, zone: StorageZone.Normal),
            },
        });
        Assert.Equal(["readings[1].humidity", "readings[2].pointId", "readings[3].at"], (await bad.FieldErrorsAsync()).Order().ToArray());
        Assert.Equal(["readings"], await (await coordinator.PostJsonAsync("/api/drugs/v1/readings", new { readings = Array.Empty<object>() })).FieldErrorsAsync());

        // A point outside the sender's grids is named like an unknown one; an informant sends no readings.
        var townB = host.As("coord-b", DrugRoles.Coordinator, GridTree.TownB);
        Assert.Equal(["readings[0].pointId"], await (await townB.PostJsonAsync("/api/drugs/v1/readings", new { readings = new[] { Reading(point, now, 20.0m) } })).FieldErrorsAsync());
        await (await host.As("informant-a1", DrugRoles.Informant, GridTree.VillageA1).PostJsonAsync("/api/drugs/v1/readings", new { readings = new[] { Reading(point, now, 20.0m) } })).ProblemAsync(403);

        Assert.Equal(0, await host.CountAsync("drugs.storage_readings"));
        Assert.Equal(0, await host.CountAsync("drugs.storage_episodes"));
    }
}
