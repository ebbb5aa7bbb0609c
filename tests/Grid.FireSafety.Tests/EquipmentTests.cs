using Grid.FireSafety.Domain;

namespace Grid.FireSafety.Tests;

public class EquipmentTests
{
    [Fact]
    public async Task Missing_and_expired_kit_items_become_tasks_for_the_custodian()
    {
        await using var host = await FireHost.StartAsync();
        var manager = host.As("vm-1", FireRoles.VillageFireManager, FireHost.Village);
        var today = new DateOnly(2026, 11, 20);

        // Complete village point except: 3 of 4 extinguishers valid (the 4th expired last month), no axe.
        var point = await (await manager.PostJsonAsync("/api/fire/v1/equipment/points", new
        {
            kind = "VillagePoint",
            name = "东街社区公共消防器材配置点",
            gridId = FireHost.Village,
            custodianId = "cus-1",
            custodianName = "孙保管",
            items = new object[]
            {
                new { item = "extinguisher-abc-4kg", quantity = 3, expiresOn = today.AddYears(1) },
                new { item = "extinguisher-abc-4kg", quantity = 1, expiresOn = today.AddMonths(-1) },
                new { item = "hose", quantity = 100 }, new { item = "nozzle", quantity = 1 }, new { item = "rope", quantity = 50 },
                new { item = "flashlight", quantity = 1 }, new { item = "hydrant-wrench", quantity = 1 },
            },
        })).OkJsonAsync();

        // A complete fire team in the same village: no task.
        await (await manager.PostJsonAsync("/api/fire/v1/equipment/points", new
        {
            kind = "FireTeam",
            name = "东街社区志愿消防队",
            gridId = FireHost.Village,
            custodianId = "cus-2",
            custodianName = "周队长",
            items = new object[]
            {
                new { item = "portable-pump", quantity = 1 }, new { item = "hose", quantity = 400 }, new { item = "nozzle", quantity = 2 },
                new { item = "extinguisher-abc-4kg", quantity = 10, expiresOn = today.AddYears(2) },
            },
        })).OkJsonAsync();

        var tasks = await (await manager.GetAsync($"/api/fire/v1/equipment/tasks?gridId={FireHost.Village}")).OkJsonAsync();
        var task = Assert.Single(tasks.EnumerateArray());
        Assert.Equal("cus-1", task.GetProperty("custodianId").GetString());
        var defects = task.GetProperty("defects").EnumerateArray()
            .Select(d => (d.GetProperty("item").GetString(), d.GetProperty("kind").GetString(), d.GetProperty("present").GetDecimal()))
            .OrderBy(d => d.Item1).ThenBy(d => d.Item2).ToList();
        Assert.Equal([("axe", "missing", 0m), ("extinguisher-abc-4kg", "expired", 1m), ("extinguisher-abc-4kg", "missing", 3m)], defects);

        // Restocking clears the task.
        var id = point.GetProperty("id").GetGuid();
        await (await manager.PutAsJsonAsync($"/api/fire/v1/equipment/points/{id}/items", new object[]
        {
            new { item = "extinguisher-abc-4kg", quantity = 4, expiresOn = today.AddYears(1) }, new { item = "hose", quantity = 100 },
            new { item = "nozzle", quantity = 1 }, new { item = "axe", quantity = 1 }, new { item = "rope", quantity = 50 },
            new { item = "flashlight", quantity = 1 }, new { item = "hydrant-wrench", quantity = 1 },
        }, FireHost.Json)).OkJsonAsync();
        Assert.Equal(0, (await (await manager.GetAsync("/api/fire/v1/equipment/tasks")).OkJsonAsync()).GetArrayLength());
    }
}
