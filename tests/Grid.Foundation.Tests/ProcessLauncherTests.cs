using Grid.LocalServers;
using Grid.Testing;
using Grid.Testing.Hosting;

namespace Grid.Foundation.Tests;

/// <summary>The tests' own process launcher (Grid.Testing.Hosting): a failed start is loud, never a hang.</summary>
public class ProcessLauncherTests
{
    [Fact]
    public async Task A_resource_that_dies_on_start_fails_loudly_with_its_name_and_log_tail()
    {
        var dir = Directory.CreateTempSubdirectory("grid-apphost-").FullName;
        var builder = DistributedApplication.CreateBuilder(dir, dir);
        builder.AddExecutable("fire", "/bin/sh", "-c", "echo 'listen tcp 127.0.0.1:5111: address already in use'; exit 3")
            .WithHttpEndpoint(FreePort.Next()).WithHealthCheck("/health");
        var app = builder.Build();

        var ex = await Assert.ThrowsAsync<ResourceFailedException>(() => app.StartAsync());

        Assert.Equal("fire", ex.Resource);
        Assert.Contains("address already in use", ex.LogTail);
        Assert.Contains("resource 'fire' failed", ex.Message);
        Assert.Equal(ResourceState.Failed, app.Resources.Single().State);
    }

    [Fact]
    public async Task A_resource_that_never_becomes_healthy_fails_instead_of_hanging()
    {
        var dir = Directory.CreateTempSubdirectory("grid-apphost-").FullName;
        var builder = DistributedApplication.CreateBuilder(dir, dir);
        var hung = builder.AddExecutable("command", "/bin/sh", "-c", "echo starting; sleep 60")
            .WithHttpEndpoint(FreePort.Next()).WithHealthCheck("/health");
        hung.StartTimeout = TimeSpan.FromSeconds(3);
        var app = builder.Build();

        var started = DateTime.UtcNow;
        var ex = await Assert.ThrowsAsync<ResourceFailedException>(() => app.StartAsync());

        Assert.Equal("command", ex.Resource);
        Assert.Contains("not healthy", ex.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30));
        // The failed start stops what it started: the sleeping process is gone.
        Assert.NotNull(hung.ExitCode);
    }

    [Fact]
    public async Task Servers_and_services_started_for_a_process_that_is_killed_outright_are_ended_after_it()
    {
        // The owner stands in for a test host or bench killed with SIGKILL: nothing of its own code runs after that.
        using var owner = System.Diagnostics.Process.Start("sleep", "300");
        var dir = Directory.CreateTempSubdirectory("grid-owner-").FullName;
        var builder = DistributedApplication.CreateBuilder(dir, dir);
        // A server and a service with a child of its own: each is ended, the child through the mark it inherited.
        var redis = builder.AddRedis("cache", FreePort.Next(), durable: false);
        var service = builder.AddExecutable("service", "/bin/sh", "-c", "sleep 300 & wait");
        var app = builder.Build();
        app.Owner = owner.Id;
        await app.StartAsync();
        Assert.True(FreePort.IsListening(redis.Port));
        Assert.True(redis.IsAlive && service.IsAlive);

        owner.Kill();
        await owner.WaitForExitAsync();

        await Wait.UntilAsync(() => Task.FromResult(!redis.IsAlive && !service.IsAlive && !FreePort.IsListening(redis.Port)),
            TimeSpan.FromSeconds(30), "the killed owner's servers and services to be ended");
        // The service's own child went with it: no process is left carrying the launcher's mark for this directory.
        await Wait.UntilAsync(() => Task.FromResult(!Marked(dir).Any()), TimeSpan.FromSeconds(15), "every marked process to be gone");
        Directory.Delete(dir, recursive: true);
    }

    private static IEnumerable<int> Marked(string stateDir) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && Environ(pid).Contains($"{OwnerWatchdog.Variable}={stateDir}"));

    private static string[] Environ(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/environ").Split('\0');
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }
}
