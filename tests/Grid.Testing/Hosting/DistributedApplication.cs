namespace Grid.Testing.Hosting;

/// <summary>
/// The tests' own process launcher: servers as Grid.LocalServers defines them (as the AppHost starts them) and services
/// from the build, started in order (servers first, then services in parallel), watched, and stopped in reverse order.
/// </summary>
public sealed class DistributedApplicationBuilder
{
    private readonly List<Resource> _resources = [];

    internal DistributedApplicationBuilder(string stateDir, string repoRoot, string configuration)
    {
        StateDir = stateDir;
        RepoRoot = repoRoot;
        Configuration = configuration;
    }

    public string StateDir { get; }

    public string RepoRoot { get; }

    public string Configuration { get; }

    public IReadOnlyList<Resource> Resources => _resources;

    public T Add<T>(T resource)
        where T : Resource
    {
        resource.LogPath = Path.Combine(StateDir, "logs", resource.Name + ".log");
        resource.DataRoot = Path.Combine(StateDir, "data", resource.Name);
        resource.StateDir = StateDir;
        _resources.Add(resource);
        return resource;
    }

    public LocalPostgres AddPostgres(string name, int port, bool durable = true, bool passwords = false) =>
        Add(new LocalPostgres(name, port, durable, passwords));

    public LocalRabbitMq AddRabbitMQ(string name, int port, int managementPort) => Add(new LocalRabbitMq(name, port, managementPort));

    public LocalRedis AddRedis(string name, int port, bool durable = true) => Add(new LocalRedis(name, port, durable));

    public ProjectResource AddProject(string name, string projectDir) =>
        Add(new ProjectResource(name, ProjectResource.AssemblyPathFor(RepoRoot, projectDir, Configuration)));

    public ExecutableResource AddExecutable(string name, string command, params string[] args) =>
        Add(new ExecutableResource(name, command, args));

    public DistributedApplication Build() => new(_resources, StateDir);
}

public sealed class DistributedApplication(IReadOnlyList<Resource> resources, string stateDir)
{
    public static DistributedApplicationBuilder CreateBuilder(string stateDir, string repoRoot, string configuration = "Release") =>
        new(stateDir, repoRoot, configuration);

    public IReadOnlyList<Resource> Resources { get; } = resources;

    public string StateDir { get; } = stateDir;

    /// <summary>Raised each time a resource changes state, for the live table.</summary>
    public event Action? Changed;

    /// <summary>The process whose death, without a stop, ends everything started here: this one unless set.</summary>
    public int? Owner { get; set; }

    /// <summary>Whether the state directory goes too when the owner dies without a stop (a temporary one nobody reads).</summary>
    public bool RemoveStateIfAbandoned { get; set; }

    private int _watched;

    /// <summary>Starts every resource; throws <see cref="ResourceFailedException"/> (after stopping what started) if one fails.</summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        Directory.CreateDirectory(Path.Combine(StateDir, "logs"));
        if (Interlocked.Exchange(ref _watched, 1) == 0)
        {
            OwnerWatchdog.Start(StateDir, RemoveStateIfAbandoned, Owner);
        }

        try
        {
            // Servers first, one after the other (services depend on them); then services together.
            foreach (var r in Resources.Where(r => r is not ExecutableResource))
            {
                await StartOne(r, ct);
            }

            await Task.WhenAll(Resources.OfType<ExecutableResource>().Select(r => StartOne(r, ct)));
        }
        catch
        {
            await StopAsync();
            throw;
        }
    }

    private async Task StartOne(Resource r, CancellationToken ct)
    {
        Changed?.Invoke();
        try
        {
            await r.StartAsync(ct);
        }
        finally
        {
            Changed?.Invoke();
        }
    }

    /// <summary>Starts everything, then watches until cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        await StartAsync(ct);
        await WatchAsync(ct);
    }

    /// <summary>Watches started resources until cancelled; one that dies fails the run. Stops everything at the end.</summary>
    public async Task WatchAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var dead = Resources.FirstOrDefault(r => r.State == ResourceState.Running && !r.IsAlive);
                if (dead is not null)
                {
                    dead.MarkFailed("exited unexpectedly");
                    Changed?.Invoke();
                    throw new ResourceFailedException(dead.Name, "exited unexpectedly", Resource.LogTail(dead.LogPath));
                }

                await Task.Delay(500, ct).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
        finally
        {
            await StopAsync();
        }
    }

    public async Task StopAsync()
    {
        await Task.WhenAll(Resources.OfType<ExecutableResource>().Select(StopOne));
        foreach (var r in Resources.Where(r => r is not ExecutableResource).Reverse())
        {
            await StopOne(r);
        }
    }

    private async Task StopOne(Resource r)
    {
        try
        {
            await r.StopAsync();
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"stopping {r.Name}: {ex.Message}");
        }

        Changed?.Invoke();
    }
}
