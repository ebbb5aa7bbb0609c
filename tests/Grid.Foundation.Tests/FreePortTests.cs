using System.Net;
using System.Net.Sockets;
using Grid.LocalServers;

namespace Grid.Foundation.Tests;

/// <summary>Ports for local servers come from below the kernel's ephemeral range, where no outgoing connection can take them.</summary>
public class FreePortTests
{
    [Fact]
    public void Ports_are_free_distinct_and_below_the_range_outgoing_connections_use()
    {
        var ephemeralStart = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[0],
            System.Globalization.CultureInfo.InvariantCulture);
        var ports = Enumerable.Range(0, 20).Select(_ => FreePort.Next()).ToList();
        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, 1024, ephemeralStart - 1));
        foreach (var port in ports)
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }
    }
}
