using System.Net;
using System.Net.Sockets;

namespace Grid.LocalServers;

/// <summary>Finds loopback ports nobody listens on, so that several suites and test runs can coexist.</summary>
public static class FreePort
{
    private static readonly HashSet<int> Given = [];

    /// <summary>
    /// A port free now and never handed out before by this process: the kernel may give a released port again, and two
    /// servers started together on the same number fail (a RabbitMQ node found PostgreSQL on its distribution port).
    /// </summary>
    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (Given)
            {
                if (Given.Add(port))
                {
                    return port;
                }
            }
        }
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
}
