using Grid.Contracts.Events;

namespace Grid.LaborInspection.Apis;

/// <summary>The 劳动保障监察 HTTP API under /api/labor/v1.</summary>
public static class LaborInspectionApi
{
    /// <summary>The role, domain and grid checks of every labor endpoint (<see cref="DomainAccess"/>).</summary>
    internal static readonly DomainAccess LaborAccess = new(Domains.Labor);

    public static RouteGroupBuilder MapLaborInspectionApi(this IEndpointRouteBuilder app)
    {
        // Public like every service's document, so the gateway's /openapi/<service>.json and /docs/ list it.
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        var api = app.MapGroup("/api/labor/v1").WithTags("labor");
        api.MapGet("/about", () => TypedResults.Ok(new { service = "labor", name = "劳动保障监察" }));
        api.MapEmployersApi();
        api.MapEmployerImportApi();
        api.MapComplaintsApi();
        api.MapStaffingApi();
        api.MapRolloutApi();
        api.MapInspectionsApi();
        api.MapCampaignsApi();
        api.MapStatisticsApi();
        api.MapLedgersApi();
        return api;
    }
}
