using System.Diagnostics;

namespace Grid.AppHost.Hosting;

/// <summary>A redis-server of its own on a loopback port, data in its own directory.</summary>
public sealed class LocalRedis(string name, int port, bool durable = true) : Resource(name), IResourceWithConnectionString
{
    private Process? _process;

    public int Port { get; } = port;

    public string ConnectionName => Name;

    public string ConnectionString => $"127.0.0.1:{Port}";

    public override string Url => $"redis://127.0.0.1:{Port}";

    protected override async Task OnStartAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(DataRoot);
        var psi = new ProcessStartInfo("redis-server")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = DataRoot,
        };
        foreach (var a in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", DataRoot, "--daemonize", "no",
                     "--save", "", "--appendonly", durable ? "yes" : "no", "--protected-mode", "yes" })
        {
            psi.ArgumentList.Add(a);
        }

        _process = Process.Start(psi) ?? throw new InvalidOperationException("redis-server did not start");
        LogPipe.Attach(_process, LogPath);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {_process.ExitCode}");
            }

            if (await PingAsync(ct))
            {
                return;
            }

            await Task.Delay(100, ct);
        }

        throw new TimeoutException("Redis did not answer PING within 20 s");
    }

    private async Task<bool> PingAsync(CancellationToken ct)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync("127.0.0.1", Port, ct);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), ct);
            var buf = new byte[16];
            var n = await stream.ReadAsync(buf, ct);
            return System.Text.Encoding.ASCII.GetString(buf, 0, n).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    protected override async Task OnStopAsync()
    {
        if (_process is { HasExited: false })
        {
            Signals.Terminate(_process.Id);
            if (!await LocalRabbitMq.WaitExitAsync(_process, TimeSpan.FromSeconds(10)))
            {
                _process.Kill(true);
            }
        }
    }

    public override bool IsAlive => base.IsAlive && _process is { HasExited: false };
}
