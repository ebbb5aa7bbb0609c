using Grid.LocalServers;
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
}
