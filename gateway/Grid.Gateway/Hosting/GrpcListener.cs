using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Grid.Gateway.Hosting;

/// <summary>
/// gRPC needs HTTP/2, and over plain TCP Kestrel speaks HTTP/2 (h2c) only on an HTTP/2-only endpoint. With
/// <c>Grid:GrpcPort</c> set, the gateway listens on that port with HTTP/2 besides its usual URLs. Kestrel
/// ignores ASPNETCORE_URLS once an endpoint is configured in code, so those URLs are bound here as well.
/// </summary>
public static class GrpcListener
{
    public const string PortKey = "Grid:GrpcPort";

    public static void AddGrpcListener(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue<int?>(PortKey) is not int grpcPort)
        {
            return;
        }

        var urls = (builder.Configuration[WebHostDefaults.ServerUrlsKey] ?? "http://localhost:5000")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(BindingAddress.Parse)
            .ToList();
        builder.WebHost.ConfigureKestrel(k =>
        {
            foreach (var url in urls)
            {
                Listen(k, url.Host, url.Port, o =>
                {
                    if (string.Equals(url.Scheme, "https", StringComparison.OrdinalIgnoreCase))
                    {
                        o.UseHttps();
                    }
                });
            }

            // The HTTP/2 listener sits on the same interface as the first URL (loopback stays loopback).
            Listen(k, urls.FirstOrDefault()?.Host ?? "localhost", grpcPort, o => o.Protocols = HttpProtocols.Http2);
        });
    }

    private static void Listen(KestrelServerOptions k, string host, int port, Action<ListenOptions> configure)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            k.ListenLocalhost(port, configure);
        }
        else if (IPAddress.TryParse(host.Trim('[', ']'), out var ip))
        {
            k.Listen(ip, port, configure);
        }
        else
        {
            k.ListenAnyIP(port, configure); // "*", "+", "0.0.0.0" or a host name
        }
    }
}
