using Yarp.ReverseProxy.Configuration;

namespace Grid.Gateway.Extensions;

internal static class Extensions
{
    /// <summary>Path prefix → the service that owns it (its name in service discovery).</summary>
    public static readonly IReadOnlyDictionary<string, string> Routes = new Dictionary<string, string>
    {
        ["/api/org"] = "organization",
        ["/api/fire"] = "fire",
        ["/api/environment"] = "environment",
        ["/api/labor"] = "labor",
        ["/api/drugs"] = "drugs",
        ["/api/cadre"] = "cadre",
        ["/api/command"] = "command",
    };

    public static void AddGatewayServices(this IHostApplicationBuilder builder)
    {
        var routes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig>();
        foreach (var (prefix, service) in Routes)
        {
            // Destinations come from Aspire-style service discovery configuration: services:<name>:http:0.
            var address = builder.Configuration[$"services:{service}:http:0"];
            if (string.IsNullOrEmpty(address))
            {
                continue;
            }

            routes.Add(new RouteConfig
            {
                RouteId = service,
                ClusterId = service,
                AuthorizationPolicy = "anonymous",
                Match = new RouteMatch { Path = prefix + "/{**rest}" },
            });
            clusters.Add(new ClusterConfig
            {
                ClusterId = service,
                Destinations = new Dictionary<string, DestinationConfig> { [service] = new() { Address = address } },
            });
        }

        builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters);
    }
}
