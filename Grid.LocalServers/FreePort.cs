using System.Net;
using System.Net.Sockets;

namespace Grid.LocalServers;

/// <summary>Finds loopback ports nobody listens on, so that several suites and test runs can coexist.</summary>
public static class FreePort
{
    private static readonly HashSet<int> Given = [];
    private static readonly (int Low, int High) Range = BelowEphemeral();
    private static int _next = -1;

    /// <summary>
    /// A port free now and never handed out before by this process, taken below the kernel's ephemeral range: a port
    /// the kernel offers for binding to port 0 is one it also gives outgoing connections, and a server started on it a
    /// moment later found it taken (a RabbitMQ node found its distribution port held by a client connection, and every
    /// restart found the same). Each process starts at its own place in the range, so that runs side by side rarely meet.
    /// </summary>
    public static int Next()
    {
        lock (Given)
        {
            var size = Range.High - Range.Low;
            if (_next < 0)
            {
                _next = (int)((uint)Environment.ProcessId * 7919u % (uint)size);
            }

            for (var tried = 0; tried < size; tried++)
            {
                var port = Range.Low + (_next++ % size);
                if (Given.Add(port))
                {
                    if (IsFree(port))
                    {
                        return port;
                    }

                    Given.Remove(port);
                }
            }
        }

        throw new InvalidOperationException($"no free loopback port in {Range.Low}..{Range.High - 1}");
    }

    public static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Up to 16,000 ports below the start of the kernel's ephemeral range (Linux's setting, else its default).</summary>
    private static (int Low, int High) BelowEphemeral()
    {
        var start = 32768;
        try
        {
            var first = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[0];
            start = int.Parse(first, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
        }

        return start > 12000 ? (Math.Max(10000, start - 16000), start) : (20000, 36000);
    }
}
