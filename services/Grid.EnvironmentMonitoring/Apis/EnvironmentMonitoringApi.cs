namespace Grid.EnvironmentMonitoring.Apis;

/// <summary>The 环境监测 HTTP API under /api/environment/v1.</summary>
public static class EnvironmentMonitoringApi
{
    public static RouteGroupBuilder MapEnvironmentMonitoringApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        var api = app.MapGroup("/api/environment/v1").WithTags("environment");
        api.MapGet("/about", () => TypedResults.Ok(new { service = "environment", name = "环境监测" }));
        api.MapReadingsApi();
        api.MapSourcesApi();
        api.MapStationsApi();
        api.MapWaterZonesApi();
        api.MapProjectsApi();
        api.MapFieldworkApi();
        api.MapTaskSlipsApi();
        api.MapIncidentsApi();
        api.MapComplianceApi();
        app.MapCaseworkApi();
        return api;
    }
}
