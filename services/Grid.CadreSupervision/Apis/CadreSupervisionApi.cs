using System.Security.Claims;
using Grid.CadreSupervision.Domain;
using Grid.Contracts.Events;

namespace Grid.CadreSupervision.Apis;

/// <summary>The 干部监督 HTTP API under /api/cadre/v1.</summary>
public static class CadreSupervisionApi
{
    /// <summary>The role, domain and grid checks of every cadre endpoint (<see cref="DomainAccess"/>).</summary>
    internal static readonly DomainAccess CadreAccess = new(Domains.Cadre);

    /// <summary>
    /// The file owner sees a whole file; a recorder (supervisor, grid chief) without a file owner's post over the grid
    /// sees only the register entries they recorded themselves.
    /// </summary>
    internal static bool SeesWholeFile(ClaimsPrincipal user, IEnumerable<string> gridPath) => CadreAccess.Covers(user, CadreRoles.FileOwners, gridPath);

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
        api.MapLedgersApi();
        api.MapUnitAssessmentsApi();
        return api;
    }
}
