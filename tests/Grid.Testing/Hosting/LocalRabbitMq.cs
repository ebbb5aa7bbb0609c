using System.Diagnostics;
using Grid.LocalServers;

namespace Grid.Testing.Hosting;

/// <summary>A test's own RabbitMQ node and its epmd, started as <see cref="RabbitMqServer"/> defines (as the AppHost starts them).</summary>
public sealed class LocalRabbitMq(string name, int port, int managementPort) : Resource(name), IResourceWithConnectionString
{
    private Process? _epmd;
    private Process? _process;

    /// <summary>The port of this node's own Erlang port mapper (epmd), chosen at first start and kept across restarts.</summary>
    public int EpmdPort { get; private set; }

    public int Port { get; } = port;

    public int ManagementPort { get; } = managementPort;

    public string ConnectionName => Name;

    public string ConnectionString => RabbitMqServer.ConnectionString(Port);

    public string ManagementUrl => $"http://127.0.0.1:{ManagementPort}";

    public override string Url => $"amqp://127.0.0.1:{Port} (management {ManagementUrl})";

    protected override async Task OnStartAsync(CancellationToken ct)
    {
        if (EpmdPort == 0)
        {
            EpmdPort = FreePort.Next();
        }

        await RabbitMqServer.InitializeAsync(DataRoot, Port, ManagementPort, ct);
        if (_epmd is not { HasExited: false })
        {
            _epmd = ServerProcess.Start(RabbitMqServer.EpmdCommand(DataRoot, EpmdPort), LogPath, StateDir);
            await ServerProcess.WaitReadyAsync(_epmd, () => Task.FromResult(FreePort.IsListening(EpmdPort)), TimeSpan.FromSeconds(10), ct);
        }

        _process = ServerProcess.Start(RabbitMqServer.Command(DataRoot, Name, Port, EpmdPort, FreePort.Next()), LogPath, StateDir);
        await ServerProcess.WaitReadyAsync(_process, () => RabbitMqServer.IsReadyAsync(ManagementPort, ct), TimeSpan.FromSeconds(90), ct);
    }

    /// <summary>Creates a virtual host (tests isolate themselves by vhost) and returns its AMQP URI.</summary>
    public Task<string> CreateVirtualHostAsync(string vhost, CancellationToken ct = default) =>
        RabbitMqServer.CreateVirtualHostAsync(Port, ManagementPort, vhost, ct);

    public HttpClient ManagementClient() => RabbitMqServer.ManagementClient(ManagementPort);

    protected override async Task OnStopAsync()
    {
        // The start script turns SIGTERM into an orderly shutdown of the node.
        await ServerProcess.StopAsync(_process, Signals.SigTerm, TimeSpan.FromSeconds(30));
        await ServerProcess.StopAsync(_epmd, Signals.SigTerm, TimeSpan.FromSeconds(5));
    }

    /// <summary>Stops the broker abruptly, as a crash would (used by failure tests); its epmd stays.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Starts the broker again on the same ports and data after <see cref="KillAsync"/>.</summary>
    public Task RestartAsync(CancellationToken ct = default) => StartAsync(ct);

    public override bool IsAlive => base.IsAlive && _process is { HasExited: false };
}
