using System.Diagnostics;
using Grid.LocalServers;

namespace Grid.Testing.Hosting;

/// <summary>A test's own redis-server, started as <see cref="RedisServer"/> defines (as the AppHost starts it).</summary>
public sealed class LocalRedis(string name, int port, bool durable = true) : Resource(name), IResourceWithConnectionString
{
    private Process? _process;

    public int Port { get; } = port;

    public string ConnectionName => Name;

    public string ConnectionString => RedisServer.ConnectionString(Port);

    public override string Url => $"redis://127.0.0.1:{Port}";

    protected override async Task OnStartAsync(CancellationToken ct)
    {
        _process = ServerProcess.Start(RedisServer.Command(DataRoot, Port, durable), LogPath, StateDir);
        await ServerProcess.WaitReadyAsync(_process, () => RedisServer.PingAsync(Port, ct), TimeSpan.FromSeconds(20), ct);
    }

    protected override Task OnStopAsync() => ServerProcess.StopAsync(_process, Signals.SigTerm, TimeSpan.FromSeconds(10));

    public override bool IsAlive => base.IsAlive && _process is { HasExited: false };
}
