using Grid.Contracts.Events;

namespace Grid.FireSafety.Apis;

/// <summary>The 消防安全 HTTP API under /api/fire/v1.</summary>
public static class FireSafetyApi
{
    /// <summary>The role, domain and grid checks of every fire endpoint (<see cref="DomainAccess"/>).</summary>
    internal static readonly DomainAccess FireAccess = new(Domains.Fire);

    public static RouteGroupBuilder MapFireSafetyApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/fire/v1").WithTags("fire");
        api.MapGet("/about", () => TypedResults.Ok(new { service = "fire", name = "消防安全" }));
        api.MapPlacesApi();
        api.MapInspectionsApi();
        api.MapEquipmentApi();
        api.MapStatisticsApi();
        api.MapHazardsApi();
        api.MapVillageSubmissionsApi();
        api.MapRectificationApi();
        api.MapRewardsApi();
        return api;
    }
}
