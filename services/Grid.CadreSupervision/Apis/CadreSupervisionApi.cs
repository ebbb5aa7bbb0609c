namespace Grid.CadreSupervision.Apis;

/// <summary>The 干部监督 HTTP API under /api/cadre/v1.</summary>
public static class CadreSupervisionApi
{
    public static RouteGroupBuilder MapCadreSupervisionApi(this IEndpointRouteBuilder app)
    {
        // Public like every service's document, so the gateway's /openapi/<service>.json and /docs/ list it.
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        var api = app.MapGroup("/api/cadre/v1").WithTags("cadre");
        api.MapGet("/about", () => TypedResults.Ok(new { service = "cadre", name = "干部监督" }));
        api.MapCadresApi();
        api.MapReportsApi();
        api.MapWarningsApi();
        api.MapUnitsApi();
        api.MapAccountabilityApi();
        api.MapMonthlyApi();
        api.MapEvaluationsApi();
        return api;
    }
}
