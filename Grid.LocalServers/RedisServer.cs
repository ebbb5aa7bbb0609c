using System.Net.Sockets;

namespace Grid.LocalServers;

/// <summary>A redis-server of its own on a loopback port, data in its own directory.</summary>
public static class RedisServer
{
    public static ServerCommand Command(string dataRoot, int port, bool durable)
    {
        Directory.CreateDirectory(dataRoot);
        // set-proc-title no: a retitled redis-server overwrites its command line and environment, and the process can
        // then no longer be told as this suite's (the launchers find their processes by either).
        return new("redis-server", ["--port", $"{port}", "--bind", "127.0.0.1", "--dir", dataRoot, "--daemonize", "no",
            "--save", "", "--appendonly", durable ? "yes" : "no", "--protected-mode", "yes", "--set-proc-title", "no"], new Dictionary<string, string>(), dataRoot);
    }

    public static string ConnectionString(int port) => $"127.0.0.1:{port}";

    public static async Task<bool> PingAsync(int port, CancellationToken ct = default)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port, ct);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), ct);
            var buf = new byte[16];
            var n = await stream.ReadAsync(buf, ct);
            return System.Text.Encoding.ASCII.GetString(buf, 0, n).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
