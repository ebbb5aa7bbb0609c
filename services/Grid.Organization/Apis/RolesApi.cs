using Grid.Contracts.Roles;

namespace Grid.Organization.Apis;

/// <summary>岗位目录 The role catalog: what an administrator may assign (posts), grant on an account, or configure for a client.</summary>
public static class RolesApi
{
    public static RouteGroupBuilder MapRolesApi(this RouteGroupBuilder api)
    {
        // Any signed-in user may read it: a role's name is not a secret, and people need it to ask for a post.
        api.MapGet("/roles", () => TypedResults.Ok(new RoleCatalogView(GridRoles.Posts, GridRoles.Accounts, GridRoles.Clients)))
            .WithTags("Roles")
            .WithSummary("The role catalog: posts assignable to staff, account roles, client roles — each with its Chinese name");
        return api;
    }
}

/// <summary>The catalog as <c>GET /api/org/v1/roles</c> returns it.</summary>
public sealed record RoleCatalogView(IReadOnlyList<RoleInfo> Posts, IReadOnlyList<RoleInfo> Accounts, IReadOnlyList<RoleInfo> Clients);
