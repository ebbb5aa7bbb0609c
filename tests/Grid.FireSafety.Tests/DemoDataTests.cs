using Grid.FireSafety.Domain;
using Grid.FireSafety.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Grid.FireSafety.Tests;

public class DemoDataTests
{
    [Fact]
    public async Task Demo_data_loads_once_into_an_empty_database_with_a_listed_supervision_and_closed_hazards()
    {
        string cs;
        string messaging;
        long places, inspections, cases;
        await using (var host = await FireHost.StartAsync(h => h.WithSetting("Grid:SeedDemoData", "true")))
        {
            cs = host.ConnectionString;
            messaging = host.Messaging;
            Assert.True(await host.Services.GetRequiredService<DemoDataLoader<FireDemoData>>().Completed.WaitAsync(TimeSpan.FromSeconds(60)));
            places = await host.CountAsync("fire.places");
            inspections = await host.CountAsync("fire.inspections");
            cases = await host.CountAsync("casework.cases");
            Assert.Equal(36, places); // 9 villages × 4 places
            Assert.True(inspections > 500, $"{inspections} inspections");
            Assert.Equal(1, await host.CountAsync("fire.listed_supervisions", "\"Status\" = 'open'"));
            Assert.True(await host.CountAsync("casework.cases", "state = 'closed'") >= 9);
            Assert.True(await host.CountAsync("casework.cases", "state = 'dispatched'") >= 4);
            Assert.Equal(1, await host.CountAsync("fire.reward_claims"));

            var brigade = host.As("brigade-1", FireRoles.FireBrigade);
            var tasks = await (await brigade.GetAsync("/api/fire/v1/equipment/tasks")).OkJsonAsync();
            Assert.True(tasks.GetArrayLength() > 0);
            var rollout = await (await brigade.GetAsync("/api/fire/v1/statistics/rollout?year=2026")).OkJsonAsync();
            Assert.Equal((3, 1, 30), (rollout.GetProperty("townships").GetInt32(), rollout.GetProperty("meetingStandard").GetInt32(), rollout.GetProperty("targetPercent").GetInt32()));
        }

        // A second start on the same database adds nothing.
        await using var again = await FireHost.StartAsync(h =>
        {
            h.WithSetting("Grid:SeedDemoData", "true");
            h.WithConnectionString("firedb", cs);
        }, messaging);
        Assert.True(await again.Services.GetRequiredService<DemoDataLoader<FireDemoData>>().Completed.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(places, await CountOn(cs, "fire.places"));
        Assert.Equal(inspections, await CountOn(cs, "fire.inspections"));
        Assert.Equal(cases, await CountOn(cs, "casework.cases"));
    }

    private static async Task<long> CountOn(string cs, string table)
    {
        await using var conn = new Npgsql.NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand($"SELECT count(*) FROM {table}", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
