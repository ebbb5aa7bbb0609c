using Grid.Contracts.Events;
using Grid.Testing;
using MassTransit;

namespace Grid.CommandCenter.Tests;

/// <summary>
/// The command centre, a process of its own, is killed (SIGKILL) or stopped (SIGTERM: the bus stops consuming, the
/// events its group commit still holds are left unacknowledged) in the middle of a backlog and started again: every
/// event is applied, none twice. Each case's breach counter adds one per CaseDeadlineBreached, so an
/// event applied twice would show as a 2.
/// </summary>
public class ServiceCrashTests
{
    [Theory]
    [InlineData("kill")]
    [InlineData("stop")]
    public async Task The_command_centre_taken_away_mid_backlog_applies_every_event_once_after_a_restart(string how)
    {
        using var alone = await ExclusiveTest.AcquireAsync();
        const int cases = 1500;
        var infra = await GridInfrastructure.GetAsync();
        var messaging = await infra.CreateVirtualHostAsync("cc_kill");
        var db = await infra.CreateDatabaseAsync("cc_kill");
        await using var command = await ProjectProcess.StartAsync("command", "services/Grid.CommandCenter", new Dictionary<string, string>
        {
            ["ConnectionStrings__commanddb"] = db,
            ["ConnectionStrings__messaging"] = messaging,
        });

        // Its queue exists now; while it is down, a backlog builds up there.
        await command.StopAsync();
        var uri = new Uri(messaging);
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(uri.Host, (ushort)uri.Port, Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')), h =>
        {
            h.Username("guest");
            h.Password("guest");
            h.PublisherConfirmation = true;
        }));
        await bus.StartAsync();
        try
        {
            var at = DateTimeOffset.UtcNow.AddHours(-1);
            await Parallel.ForEachAsync(Enumerable.Range(0, cases), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            {
                var id = Guid.NewGuid();
                string[] path = ["county", "town", $"village-{i % 20}"];
                await bus.Publish(new CaseReported
                {
                    CaseId = id,
                    CaseNumber = $"FIRE-KILL-{i}",
                    Domain = "fire",
                    GridId = path[^1],
                    GridPath = path,
                    OccurredAt = at,
                    Category = "隐患",
                    Severity = "general",
                    Title = "崩溃测试",
                    Source = "patrol",
                    ReceivedAt = at,
                }, ct);
                await bus.Publish(new CaseDeadlineBreached
                {
                    CaseId = id,
                    CaseNumber = $"FIRE-KILL-{i}",
                    Domain = "fire",
                    GridId = path[^1],
                    GridPath = path,
                    OccurredAt = at.AddMinutes(30),
                    Step = "accept",
                    Deadline = at.AddMinutes(30),
                    Responsible = "chief",
                    ResponsibleGridId = path[^1],
                }, ct);
            });
        }
        finally
        {
            await bus.StopAsync();
        }

        // Started again, it works through the backlog; a little way in, it dies or is stopped.
        await command.RestartAsync();
        await Wait.UntilAsync(async () => await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.inbox") >= 200, TimeSpan.FromSeconds(60), "the backlog to be under way");
        await (how == "kill" ? command.KillAsync() : command.StopAsync());
        var atKill = await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.inbox");
        Assert.InRange(atKill, 200, 2 * cases - 1);

        await command.RestartAsync();
        await Wait.UntilAsync(async () => await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.inbox") == 2 * cases, TimeSpan.FromSeconds(120), "every event to be applied");
        await Task.Delay(1000);
        Assert.Equal(2L * cases, await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.inbox"));
        Assert.Equal((long)cases, await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM cc_cases"));
        Assert.Equal((long)cases, await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM cc_cases WHERE breach_count = 1 AND state = 'reported'"));
    }
}
