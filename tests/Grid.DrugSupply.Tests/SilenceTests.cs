using Grid.DrugSupply.Domain;
using Grid.DrugSupply.Infrastructure;
using Grid.Testing;

namespace Grid.DrugSupply.Tests;

/// <summary>监测中断 on the fake clock: a silence window of 6 hours (the default), one case per silence, ended by the next reading.</summary>
public class SilenceTests
{
    private static object Reading(Guid point, DateTimeOffset at) => new { pointId = point, zone = StorageZone.Normal, at, temperature = 20.0m, humidity = 50m };

    [Fact]
    public async Task A_sensor_silent_past_the_window_opens_one_case_per_silence_and_the_next_reading_ends_it()
    {
        await using var host = await DrugsHost.StartAsync();
        var point = await SupplyPointsTests.FileAsync(host, "东关村卫生室便民药柜", SupplyPointKind.VillageCabinet, GridTree.VillageA1, "52410100MJ0000001A");
        var quiet = await SupplyPointsTests.FileAsync(host, "西街村卫生室便民药柜", SupplyPointKind.VillageCabinet, GridTree.VillageA2, "52410100MJ0000002B");
        var coordinator = host.As("coord-a", DrugRoles.Coordinator, GridTree.TownA);
        var sensors = host.Service<SilentSensors>();
        var last = host.Time.GetUtcNow();
        await (await coordinator.PostJsonAsync("/api/drugs/v1/readings", new { readings = new[] { Reading(point, last.AddMinutes(-10)), Reading(point, last) } })).OkJsonAsync();
        Task<long> Cases() => host.CountAsync("casework.cases", "category = 'silent-sensor'");

        // A minute inside the window: nothing; a minute past it: one case, for the point that had been sending.
        host.Time.Advance(TimeSpan.FromHours(6) - TimeSpan.FromMinutes(1));
        Assert.Equal((0, 0), Counted(await sensors.ScanAsync(CancellationToken.None)));
        host.Time.Advance(TimeSpan.FromMinutes(2));
        var (found, opened) = await sensors.ScanAsync(CancellationToken.None);
        Assert.Equal(1, found);
        var caseId = Assert.Single(opened);
        var c = await (await coordinator.GetAsync($"/api/drugs/v1/cases/{caseId}")).OkJsonAsync();
        Assert.Equal((GridTree.VillageA1, "silent-sensor"), (c.GetProperty("gridId").GetString(), c.GetProperty("category").GetString()));
        Assert.Contains("温湿度监测中断", c.GetProperty("title").GetString());

        // Scans during the same silence open nothing more; the point that never sent is never silent.
        host.Time.Advance(TimeSpan.FromHours(3));
        Assert.Equal((0, 0), Counted(await sensors.ScanAsync(CancellationToken.None)));
        Assert.Equal(1, await Cases());
        Assert.Equal(0, await host.CountAsync("drugs.storage_silences", $"\"PointId\" = '{quiet}'"));

        // Readings resume: the silence ends at the first; the case stays for the authority to follow up.
        var back = host.Time.GetUtcNow();
        await (await coordinator.PostJsonAsync("/api/drugs/v1/readings", new { readings = new[] { Reading(point, back) } })).OkJsonAsync();
        var silence = Assert.Single((await (await coordinator.GetAsync($"/api/drugs/v1/points/{point}/silences")).OkJsonAsync()).EnumerateArray());
        Assert.Equal(back, silence.GetProperty("endedAt").GetDateTimeOffset());
        Assert.Equal(caseId, silence.GetProperty("caseId").GetGuid());
        Assert.Equal(last, silence.GetProperty("lastReadingAt").GetDateTimeOffset());

        // Silent again past the window: a second silence, a second case.
        host.Time.Advance(TimeSpan.FromHours(7));
        Assert.Single((await sensors.ScanAsync(CancellationToken.None)).Cases);
        Assert.Equal(2, await Cases());
        Assert.Equal(2, (await (await coordinator.GetAsync($"/api/drugs/v1/points/{point}/silences")).OkJsonAsync()).GetArrayLength());
    }

    private static (int, int) Counted((int Found, List<Guid> Cases) scan) => (scan.Found, scan.Cases.Count);
}
