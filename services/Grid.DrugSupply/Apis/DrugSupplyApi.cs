using Grid.Contracts.Events;

namespace Grid.DrugSupply.Apis;

/// <summary>The 药品两网 HTTP API under /api/drugs/v1.</summary>
public static class DrugSupplyApi
{
    /// <summary>The role, domain and grid checks of every drugs endpoint (<see cref="DomainAccess"/>).</summary>
    internal static readonly DomainAccess DrugsAccess = new(Domains.Drugs);

    public static RouteGroupBuilder MapDrugSupplyApi(this IEndpointRouteBuilder app)
    {
        // Public like every service's document, so the gateway's /openapi/<service>.json and /docs/ list it.
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        var api = app.MapGroup("/api/drugs/v1").WithTags("drugs");
        api.MapGet("/about", () => TypedResults.Ok(new { service = "drugs", name = "药品两网" }));
        api.MapSupplyPointsApi();
        api.MapInspectionsApi();
        api.MapCoverageApi();
        api.MapStorageApi();
        api.MapScreeningApi();
        api.MapReferralsApi();
        return api;
    }
}
