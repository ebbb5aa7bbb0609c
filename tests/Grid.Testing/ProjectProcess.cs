using System.Reflection;
using Grid.LocalServers;
using Grid.Testing.Hosting;

namespace Grid.Testing;

/// <summary>
/// A project of this repository run as its own process from the build output, the way the AppHost runs it
/// (ASPNETCORE_URLS, ConnectionStrings__*, services__*), with its console log in a file the test can read.
/// </summary>
public sealed class ProjectProcess : IAsyncDisposable
{
    private readonly DistributedApplication _app;
    private readonly ProjectResource _resource;

    private ProjectProcess(DistributedApplication app, ProjectResource resource, int port)
    {
        _app = app;
        _resource = resource;
        Port = port;
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}");

    public string Name => _resource.Name;

    /// <summary>Everything the process wrote to stdout/stderr so far.</summary>
    public string Log => Resource.LogTail(_resource.LogPath, int.MaxValue);

    public static async Task<ProjectProcess> StartAsync(string name, string projectDir, IReadOnlyDictionary<string, string> environment)
    {
        // Under ./grid test the state (and the process's log) stays for the run's log scan.
        var state = TestRunLog.NewDirectory($"proc-{name}") ?? Directory.CreateTempSubdirectory($"grid-proc-{name}-").FullName;
        var builder = DistributedApplication.CreateBuilder(state, RepoRoot, BuildConfiguration);
        var port = FreePort.Next();
        var resource = builder.AddProject(name, projectDir).WithHttpEndpoint(port);
        if (!environment.ContainsKey("Identity__JwksUrl"))
        {
            resource.WithEnvironment("Identity__SigningKey", TestTokens.SigningKey);
        }

        resource.WithEnvironment("Grid__SeedDemoData", "false");
        foreach (var (k, v) in environment)
        {
            resource.WithEnvironment(k, v);
            TestRunLog.SettingUsed(k, v);
        }

        // A bound for a process that never comes up, not a measure of start-up: on two shared cores, with other test
        // processes compiling and starting, a domain service's first EF Core and MassTransit start took over 60 s.
        resource.StartTimeout = TimeSpan.FromSeconds(180);
        var app = builder.Build();
        await app.StartAsync();
        return new ProjectProcess(app, (ProjectResource)resource, port);
    }

    /// <summary>Stops the process (SIGTERM), as an operator or a crash would take it away.</summary>
    public Task StopAsync() => _app.StopAsync();

    /// <summary>Kills the process outright (SIGKILL): no shutdown, no acknowledgements, as a crash or the OOM killer would.</summary>
    public async Task KillAsync()
    {
        if (_resource.ProcessId is { } pid)
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Starts it again on the same port and waits for its /health.</summary>
    public Task RestartAsync() => _app.StartAsync();

    public async ValueTask DisposeAsync() => await _app.StopAsync();

    /// <summary>The repository root: the folder holding Grid.sln above the test's output folder.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Debug or Release, whichever this test assembly was built as (the projects were built alike).</summary>
    public static string BuildConfiguration { get; } =
        typeof(ProjectProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Grid.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Grid.sln not found above " + AppContext.BaseDirectory);
    }
}
