using Grid.LaborInspection.Infrastructure;
using Grid.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Grid.LaborInspection.Tests;

public class DemoDataTests
{
    [Fact]
    public async Task Demo_data_files_employers_and_takes_complaints_through_the_desk_once()
    {
        // The test tree's labor grids end in three leaves (compound-a1x, village-a2, village-b1): three employers each,
        // a complaint in each (waiting, accepted, settled by mediation), and one group wage claim for the district; the wage
        // campaign over the first leaf's parent (village-a1: three tasks), two visited, one of them with a follow-up case.
        string cs;
        await using (var host = await LaborHost.StartAsync(h => h
            .WithSetting("Grid:SeedDemoData", "true")
            .WithSetting("Labor:Arrears:SummonDepartments:0", "DEPT-POLICE-03")
            .WithSetting("Labor:Arrears:SummonDepartments:1", "DEPT-MARKET")))
        {
            cs = host.ConnectionString;
            var loaded = await host.Services.GetRequiredService<DemoDataLoader<LaborDemoData>>().Completed.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(loaded, string.Join("\n", host.Logs.Where(l => l.Contains("LaborDemoData", StringComparison.Ordinal))));
            Assert.Equal(9, await host.CountAsync("labor.employers"));
            Assert.Equal(await host.CountAsync("(SELECT DISTINCT \"GridId\" FROM labor.employers) v"), await host.CountAsync("labor.rollout_baselines", "\"Employers\" >= \"EmployersWithTenOrMore\""));
            Assert.Equal(4, await host.CountAsync("labor.complaints"));
            Assert.Equal(4, await host.CountAsync("casework.cases", "category = 'complaint'"));
            Assert.Equal(1, await host.CountAsync("casework.cases", "state = 'reported' AND severity = 'general' AND category = 'complaint'"));
            Assert.Equal(1, await host.CountAsync("casework.cases", "state = 'accepted'"));
            Assert.Equal(1, await host.CountAsync("labor.mediations"));
            Assert.Equal(1, await host.CountAsync("casework.cases", "state = 'handled'"));
            Assert.Equal(1, await host.CountAsync("casework.cases", $"severity = 'major' AND holder_grid_id = '{GridTree.County}'"));
            Assert.Equal(2, await host.CountAsync("casework.summons"));
            var campaign = Assert.Single((await (await host.As("brigade-1", Domain.LaborRoles.Brigade).GetAsync("/api/labor/v1/campaigns?current=true")).OkJsonAsync()).EnumerateArray());
            var progress = await (await host.As("brigade-1", Domain.LaborRoles.Brigade).GetAsync($"/api/labor/v1/campaigns/{campaign.GetProperty("id").GetGuid()}")).OkJsonAsync();
            Assert.Equal((2, 3), (progress.GetProperty("done").GetInt32(), progress.GetProperty("total").GetInt32()));
            Assert.Equal(1, await host.CountAsync("casework.cases", "category = 'finding' AND source = 'inspection'"));
            Assert.True(await host.CountAsync("labor.inspections", "\"TaskId\" IS NULL") > 0);

            // The employers are rated from their files: each has a level and a next inspection date.
            var brigade = host.As("brigade-1", Domain.LaborRoles.Brigade);
            var page = await (await brigade.GetAsync("/api/labor/v1/employers?limit=50")).OkJsonAsync();
            Assert.Equal(9, page.GetProperty("items").GetArrayLength());
        }

        // A database of an earlier version, without the inspection and campaign tables: the second start creates them (empty).
        await using (var conn = new Npgsql.NpgsqlConnection(cs))
        {
            await conn.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand("DROP TABLE labor.campaign_tasks, labor.campaigns, labor.inspections", conn);
            await drop.ExecuteNonQueryAsync();
        }

        // A second start on the same database adds nothing.
        await using var again = await LaborHost.StartAsync(h => h.WithSetting("Grid:SeedDemoData", "true").WithConnectionString("labordb", cs));
        Assert.True(await again.Services.GetRequiredService<DemoDataLoader<LaborDemoData>>().Completed.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(9, await Wait.ScalarAsync<long>(cs, "SELECT count(*) FROM labor.employers"));
        Assert.Equal(5, await Wait.ScalarAsync<long>(cs, "SELECT count(*) FROM casework.cases"));
        Assert.Equal(0, await Wait.ScalarAsync<long>(cs, "SELECT count(*) FROM labor.inspections i JOIN labor.campaign_tasks t ON t.\"InspectionId\" = i.\"Id\""));
        Assert.Equal(2, await Wait.ScalarAsync<long>(cs, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'labor' AND tablename = 'campaign_tasks' AND indexdef LIKE '%gin%' OR indexname = 'IX_campaign_tasks_CampaignId_EmployerId'"));
    }
}
