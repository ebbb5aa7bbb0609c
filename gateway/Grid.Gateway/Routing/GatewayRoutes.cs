using System.Net;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms;

namespace Grid.Gateway.Routing;

/// <summary>
/// Builds the YARP route table from service discovery configuration (<c>services:&lt;name&gt;:http:0</c>,
/// <c>services:organization:grpc:0</c>). Routes without a policy fall under the fallback policy of
/// Grid.ServiceDefaults, so a token is required unless a route below says "anonymous".
/// </summary>
public static class GatewayRoutes
{
    /// <summary>Route metadata key naming the service a route leads to (problem details, rate-limit keys).</summary>
    public const string ServiceMetadata = "Grid.Service";

    public const string Anonymous = "anonymous";
    public const string GrpcCluster = "organization-grpc";
    public const string OrganizationGrpcPath = "/grid.organization.v1.Organization";

    /// <summary>gRPC server reflection (v1 and v1alpha): routed like the organization's calls, token required.</summary>
    public static readonly IReadOnlyList<string> ReflectionPaths = ["/grpc.reflection.v1.ServerReflection", "/grpc.reflection.v1alpha.ServerReflection"];

    /// <summary>The URL of a service's HTTP endpoint from discovery configuration, or null when not configured.</summary>
    public static string? AddressOf(IConfiguration configuration, string service, string endpoint = "http") =>
        configuration[$"services:{service}:{endpoint}:0"] is { Length: > 0 } a ? a : null;

    public static (IReadOnlyList<RouteConfig> Routes, IReadOnlyList<ClusterConfig> Clusters) Build(IConfiguration configuration)
    {
        var options = configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        var routes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig>();
        foreach (var service in BackendServices.All)
        {
            if (AddressOf(configuration, service.Name) is not { } address)
            {
                continue;
            }

            var settings = options.Services.GetValueOrDefault(service.Name);
            clusters.Add(Cluster(service.Name, address, settings?.Timeout ?? options.Timeout));
            var bodyLimit = settings?.MaxRequestBodyBytes;

            // The service's API: token required (fallback policy).
            routes.Add(Route(service.Name, service.Name, service.PathPrefix + "/{**rest}", policy: null, bodyLimit));

            // Its OpenAPI document, anonymous, renamed so that one docs page can list all of them. The original
            // Host goes along so that the document's server URL is the gateway's.
            routes.Add(Route($"openapi-{service.Name}", service.Name, $"/openapi/{service.Name}.json", Anonymous, bodyLimit, methods: ["GET", "HEAD"])
                .WithTransformPathSet("/openapi/v1.json")
                .WithTransformUseOriginalHostHeader());

            if (service.Name == BackendServices.Organization)
            {
                // The notice board, the token endpoint and the signing keys are public by nature.
                routes.Add(Route("organization-public", service.Name, "/api/org/v1/public/{**rest}", Anonymous, bodyLimit, order: -1));
                routes.Add(Route("organization-token", service.Name, "/api/org/v1/token", Anonymous, bodyLimit, order: -1));
                routes.Add(Route("organization-jwks", service.Name, "/.well-known/jwks.json", Anonymous, bodyLimit, methods: ["GET", "HEAD"]));

                if (AddressOf(configuration, service.Name, "grpc") is { } grpc)
                {
                    // gRPC passthrough for department systems: HTTP/2 end to end, token required.
                    clusters.Add(Cluster(GrpcCluster, grpc, settings?.Timeout ?? options.Timeout, http2: true) with
                    {
                        Metadata = new Dictionary<string, string> { [ServiceMetadata] = service.Name },
                    });
                    routes.Add(Route(GrpcCluster, service.Name, OrganizationGrpcPath + "/{**rest}", policy: null, bodyLimit) with { ClusterId = GrpcCluster });

                    // Reflection is for developers (grpcurl, Postman): the same token as the calls it describes.
                    foreach (var reflection in ReflectionPaths)
                    {
                        routes.Add(Route($"{GrpcCluster}-{reflection.Split('.')[2]}", service.Name, reflection + "/{**rest}", policy: null, bodyLimit) with { ClusterId = GrpcCluster });
                    }
                }
            }

            if (service.Name == BackendServices.Cadre)
            {
                // 亮身份: the cadres living in a grid (name, unit, post) are on its public notice, like the board itself.
                routes.Add(Route("cadre-public", service.Name, "/api/cadre/v1/public/{**rest}", Anonymous, bodyLimit, order: -1, methods: ["GET", "HEAD"]));
            }

            if (service.Name == BackendServices.Command)
            {
                // The command-centre page and its static assets; the page logs in through /api/org/v1/token.
                routes.Add(Route("dashboard", service.Name, "/dashboard/{**rest}", Anonymous, bodyLimit, methods: ["GET", "HEAD"]));
            }
        }

        return (routes, clusters);
    }

    private static RouteConfig Route(
        string id, string service, string path, string? policy, long? bodyLimit, int? order = null, string[]? methods = null) => new()
        {
            RouteId = id,
            ClusterId = service,
            AuthorizationPolicy = policy,
            Order = order,
            MaxRequestBodySize = bodyLimit,
            Match = new RouteMatch { Path = path, Methods = methods },
            Metadata = new Dictionary<string, string> { [ServiceMetadata] = service },
        };

    private static ClusterConfig Cluster(string id, string address, TimeSpan timeout, bool http2 = false) => new()
    {
        ClusterId = id,
        // No active or passive health checks: a back end that was down is tried again on the next request,
        // so traffic resumes the moment it is back.
        Destinations = new Dictionary<string, DestinationConfig> { [id] = new() { Address = address } },
        HttpRequest = new ForwarderRequestConfig
        {
            ActivityTimeout = timeout,
            Version = http2 ? HttpVersion.Version20 : null,
            VersionPolicy = http2 ? HttpVersionPolicy.RequestVersionExact : null,
        },
        Metadata = new Dictionary<string, string> { [ServiceMetadata] = id },
    };
}
