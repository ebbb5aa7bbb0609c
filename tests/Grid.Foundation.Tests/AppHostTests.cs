using Grid.AppHost;
using Grid.AppHost.Hosting;

namespace Grid.Foundation.Tests;

public class AppHostTests
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
    public void The_suite_passes_configuration_in_aspire_conventions()
    {
        var state = Directory.CreateTempSubdirectory("grid-state-").FullName;
        var options = new AppHostOptions("run", "/repo", state, null, "Release");
        var app = GridResources.Suite(options);
        var fire = app.Resources.OfType<ProjectResource>().Single(r => r.Name == "fire");
        var gateway = app.Resources.OfType<ProjectResource>().Single(r => r.Name == "gateway");
        var env = fire.BuildEnvironment();

        Assert.Equal("/repo/services/Grid.FireSafety/bin/Release/net10.0/Grid.FireSafety.dll", fire.AssemblyPath);
        Assert.Contains("Database=firedb", env["ConnectionStrings__firedb"]);
        Assert.StartsWith("amqp://", env["ConnectionStrings__messaging"]);
        Assert.Equal($"127.0.0.1:{GridResources.Ports.Redis}", env["ConnectionStrings__cache"]);
        Assert.Equal("http://127.0.0.1:5101", env["services__organization__http__0"]);
        Assert.Equal("http://127.0.0.1:5102", env["services__organization__grpc__0"]);
        Assert.Equal("http://127.0.0.1:8080", gateway.BuildEnvironment()["ASPNETCORE_URLS"]);
        Assert.Equal("http://127.0.0.1:5161", gateway.BuildEnvironment()["services__command__http__0"]);
        // Servers start before services; every service is in the graph.
        Assert.IsType<LocalPostgres>(app.Resources[0]);
        Assert.Equal(GridResources.Services.Count + 1, app.Resources.OfType<ProjectResource>().Count());

        // Local secrets are generated once and kept: a second start reads what the first encrypted.
        var key = env["Casework__ReporterKey"];
        Assert.Equal(32, Convert.FromBase64String(key).Length);
        var again = GridResources.Suite(options).Resources.OfType<ProjectResource>().Single(r => r.Name == "fire");
        Assert.Equal(key, again.BuildEnvironment()["Casework__ReporterKey"]);

        // Each service that keeps an audit chain gets a key of its own, the same across starts; the others get none.
        var auditKey = env["Casework__AuditKey"];
        Assert.Equal(32, Convert.FromBase64String(auditKey).Length);
        Assert.NotEqual(key, auditKey);
        Assert.Equal(auditKey, again.BuildEnvironment()["Casework__AuditKey"]);
        var environmentKey = app.Resources.OfType<ProjectResource>().Single(r => r.Name == "environment").BuildEnvironment()["Casework__AuditKey"];
        Assert.Equal(32, Convert.FromBase64String(environmentKey).Length);
        Assert.NotEqual(auditKey, environmentKey);
        Assert.False(app.Resources.OfType<ProjectResource>().Single(r => r.Name == "command").BuildEnvironment().ContainsKey("Casework__AuditKey"));
        Assert.False(app.Resources.OfType<ProjectResource>().Single(r => r.Name == "organization").BuildEnvironment().ContainsKey("Casework__AuditKey"));
        Directory.Delete(state, recursive: true);
    }
}
