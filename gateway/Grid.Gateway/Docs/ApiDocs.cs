using Grid.Gateway.Routing;
using Scalar.AspNetCore;

namespace Grid.Gateway.Docs;

/// <summary>One documentation page (接口文档) for the whole suite: every service's OpenAPI document, as the gateway serves it.</summary>
public static class ApiDocs
{
    public const string Path = "/docs";

    public static IEndpointConventionBuilder MapApiDocs(this WebApplication app)
    {
        var services = BackendServices.All.Where(s => GatewayRoutes.AddressOf(app.Configuration, s.Name) is not null).ToList();
        return app.MapScalarApiReference(Path, (o, http) =>
        {
            o.WithTitle("Grid API · 网格化管理");
            o.DefaultFonts = false; // no font CDN: the page must work on an offline site network
            o.Telemetry = false; // Scalar's page reports usage to its vendor by default: no call home
            foreach (var s in services)
            {
                // Absolute: Scalar would make "/openapi/…" relative to the page (/docs/openapi/…).
                o.AddDocument(s.Name, s.Title, $"{http.Request.Scheme}://{http.Request.Host}/openapi/{s.Name}.json", isDefault: s.Name == BackendServices.Organization);
            }
        }).AllowAnonymous();
    }
}
