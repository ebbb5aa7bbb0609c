using System.Security.Claims;
using System.Text.Json;
using Grid.Organization.Domain;
using Grid.Organization.Infrastructure;

namespace Grid.Organization.Apis;

/// <summary>A grid as the admin API returns it.</summary>
public sealed record GridView(
    Guid Id, string Code, string Name, string LevelName, int Depth, Guid? ParentId, string Hierarchy,
    IReadOnlyList<Guid> Path, int Households, int Population, bool KeyGrid, string? Hotline, string? Notice,
    DateTime UpdatedAt, JsonElement? Boundary)
{
    public static GridView Of(GridArea g, string? boundaryJson = null) => new(
        g.Id, g.Code, g.Name, g.LevelName, g.Depth, g.ParentId, g.Hierarchy, g.Path, g.Households, g.Population,
        g.KeyGrid, g.Hotline, g.Notice, g.UpdatedAt, boundaryJson is null ? null : JsonDocument.Parse(boundaryJson).RootElement);
}

/// <summary>网格管理 Grids: CRUD, children, the coverage report and GeoJSON for the map.</summary>
public static class GridsApi
{
    public static RouteGroupBuilder MapGridsApi(this RouteGroupBuilder api)
    {
        var grids = api.MapGroup("/grids").WithTags("Grids");
        grids.MapGet("/", ListAsync).RequireAuthorization(Access.OrgAdminPolicy);
        grids.MapGet("/{id:guid}", GetAsync).RequireAuthorization(Access.OrgAdminPolicy);
        grids.MapGet("/by-code/{code}", GetByCodeAsync).RequireAuthorization(Access.OrgAdminPolicy);
        grids.MapGet("/{id:guid}/children", ChildrenAsync).RequireAuthorization(Access.OrgAdminPolicy);
        grids.MapPost("/", CreateAsync).RequireAuthorization(Access.OrgAdminPolicy).WithRuleProblems();
        grids.MapPut("/{id:guid}", UpdateAsync).RequireAuthorization(Access.OrgAdminPolicy).WithRuleProblems();
        grids.MapDelete("/{id:guid}", DeleteAsync).RequireAuthorization(Access.OrgAdminPolicy).WithRuleProblems();
        grids.MapGet("/coverage", CoverageAsync).RequireAuthorization(Access.OrgAdminPolicy);
        // Boundaries are public information (公示); any signed-in user (the command centre's map) may draw them.
        grids.MapGet("/geojson", GeoJsonAsync);
        return api;
    }

    private static async Task<IResult> ListAsync(string? hierarchy, Guid? parent, GridStore store, ClaimsPrincipal user)
    {
        if (hierarchy is not null && !Hierarchies.IsKnown(hierarchy))
        {
            return Access.Invalid("hierarchy", "One of fire, environment, labor, drugs, cadre, comprehensive.");
        }

        if (parent is not null)
        {
            return await ChildrenAsync(parent.Value, store, user);
        }

        var roots = await store.ChildrenAsync(null, hierarchy);
        return TypedResults.Ok(roots.Where(user.CanSee).Select(g => GridView.Of(g)).ToList());
    }

    private static async Task<IResult> GetAsync(Guid id, GridStore store, ClaimsPrincipal user)
    {
        var g = await store.GetAsync(id);
        return g is null || !user.CanSee(g)
            ? Access.NotFound($"Grid {id} does not exist.")
            : TypedResults.Ok(GridView.Of(g, await store.BoundaryGeoJsonAsync(g.Id)));
    }

    private static async Task<IResult> GetByCodeAsync(string code, GridStore store, ClaimsPrincipal user)
    {
        var g = await store.GetByCodeAsync(code);
        return g is null || !user.CanSee(g)
            ? Access.NotFound($"Grid {code} does not exist.")
            : TypedResults.Ok(GridView.Of(g, await store.BoundaryGeoJsonAsync(g.Id)));
    }

    private static async Task<IResult> ChildrenAsync(Guid id, GridStore store, ClaimsPrincipal user)
    {
        var g = await store.GetAsync(id);
        if (g is null || !user.CanSee(g))
        {
            return Access.NotFound($"Grid {id} does not exist.");
        }

        return TypedResults.Ok((await store.ChildrenAsync(id)).Select(c => GridView.Of(c)).ToList());
    }

    private static Task<IResult> CreateAsync(GridInput input, GridStore store, ClaimsPrincipal user) => SaveAsync(null, input, store, user);

    private static Task<IResult> UpdateAsync(Guid id, GridInput input, GridStore store, ClaimsPrincipal user) => SaveAsync(id, input, store, user);

    private static async Task<IResult> SaveAsync(Guid? id, GridInput? input, GridStore store, ClaimsPrincipal user)
    {
        if (input is null)
        {
            return Access.Invalid("body", "A grid is required.");
        }

        var errors = GridRules.CheckAttributes(input.Code, input.Name, input.LevelName, input.Hierarchy, input.Households, input.Population);
        var (boundary, boundaryError) = GridRules.ParseBoundary(input.Boundary);
        if (boundaryError is not null)
        {
            errors["boundary"] = [boundaryError];
        }

        if (input.Hotline is { Length: > 50 })
        {
            errors["hotline"] = ["At most 50 characters."];
        }

        if (input.Notice is { Length: > 4000 })
        {
            errors["notice"] = ["At most 4000 characters."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (!user.Allows(Access.AdminRoles, input.Hierarchy!))
        {
            return Access.Forbidden($"The token carries no admin post in the {input.Hierarchy} domain.");
        }

        var saved = await store.SaveAsync(id, input, boundary!, user.Scope());
        var view = GridView.Of(saved, await store.BoundaryGeoJsonAsync(saved.Id));
        return id is null ? TypedResults.Created($"/api/org/v1/grids/{saved.Id}", view) : TypedResults.Ok(view);
    }

    private static async Task<IResult> DeleteAsync(Guid id, GridStore store, ClaimsPrincipal user)
    {
        await store.DeleteAsync(id, user.Scope());
        return TypedResults.NoContent();
    }

    private static async Task<IResult> CoverageAsync(string? hierarchy, Guid? under, GridStore store, ClaimsPrincipal user)
    {
        if (hierarchy is null || !Hierarchies.IsKnown(hierarchy))
        {
            return Access.Invalid("hierarchy", "One of fire, environment, labor, drugs, cadre, comprehensive.");
        }

        if (under is not null)
        {
            var g = await store.GetAsync(under.Value);
            if (g is null || !user.CanSee(g))
            {
                return Access.NotFound($"Grid {under} does not exist.");
            }
        }
        else if (!user.SeesEverything())
        {
            return Access.Invalid("under", "A grid within the token's scope is required.");
        }

        return TypedResults.Ok(await store.CoverageAsync(hierarchy, under));
    }

    private static async Task<IResult> GeoJsonAsync(string? hierarchy, Guid? parent, GridStore store)
    {
        if (hierarchy is null || !Hierarchies.IsKnown(hierarchy))
        {
            return Access.Invalid("hierarchy", "One of fire, environment, labor, drugs, cadre, comprehensive.");
        }

        return TypedResults.Text(await store.FeatureCollectionAsync(hierarchy, parent, rootsOnly: false), "application/geo+json");
    }
}
