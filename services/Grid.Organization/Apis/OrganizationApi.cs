namespace Grid.Organization.Apis;

/// <summary>The 组织与网格 HTTP API under /api/organization/v1.</summary>
public static class OrganizationApi
{
    public static RouteGroupBuilder MapOrganizationApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/organization/v1");
        api.MapGet("/about", () => TypedResults.Ok(new { service = "organization", name = "组织与网格" }));
        return api;
    }
}
