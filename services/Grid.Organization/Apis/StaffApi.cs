using System.Security.Claims;
using Grid.Organization.Domain;
using Grid.Organization.Infrastructure;

namespace Grid.Organization.Apis;

/// <summary>A staff member as the admin API returns it (never the password hash).</summary>
public sealed record StaffView(Guid Id, string? StaffNo, string Name, string Phone, Guid? DepartmentId, string? Username, IReadOnlyList<string> SystemRoles, IReadOnlyList<Guid> ScopeGrids, IReadOnlyList<Assignment>? Assignments)
{
    public static StaffView Of(StaffMember s, IReadOnlyList<Assignment>? a = null) =>
        new(s.Id, s.StaffNo, s.Name, s.Phone, s.DepartmentId, s.Username, s.SystemRoles, s.ScopeGrids, a);
}

/// <summary>人员与任职 Staff, their posts on grids, and departments.</summary>
public static class StaffApi
{
    public static RouteGroupBuilder MapStaffApi(this RouteGroupBuilder api)
    {
        var staff = api.MapGroup("/staff").WithTags("Staff").RequireAuthorization(Access.OrgAdminPolicy).WithRuleProblems();
        staff.MapGet("/", ListAsync);
        staff.MapGet("/{id:guid}", GetAsync);
        staff.MapPost("/", CreateAsync);
        staff.MapPut("/{id:guid}", UpdateAsync);
        staff.MapPost("/{id:guid}/assignments", AssignAsync);
        staff.MapDelete("/{id:guid}/assignments/{assignmentId:guid}", EndAssignmentAsync);

        var departments = api.MapGroup("/departments").WithTags("Departments").WithRuleProblems();
        // Reading needs any post over the department's grid (the command centre's reader post names them on its boards); changing needs an admin post.
        departments.MapGet("/", async (StaffStore store, ClaimsPrincipal user) => TypedResults.Ok(await store.DepartmentsAsync(user.ReadScope())));
        departments.MapPost("/", CreateDepartmentAsync).RequireAuthorization(Access.OrgAdminPolicy);
        return api;
    }

    private static async Task<IResult> ListAsync(Guid? grid, Guid? after, int? limit, StaffStore store, GridStore grids, ClaimsPrincipal user)
    {
        if (limit is < 1 or > 1000)
        {
            return Access.Invalid("limit", "Between 1 and 1000.");
        }

        if (grid is not null && (await grids.GetAsync(grid.Value) is not { } g || !user.CanSee(g)))
        {
            return Access.NotFound($"Grid {grid} does not exist.");
        }

        var rows = await store.ListAsync(grid, user.ReadScope(), after, limit ?? 100);
        return TypedResults.Ok(new { items = rows.Select(s => StaffView.Of(s)), next = rows.Count == (limit ?? 100) ? rows[^1].Id : (Guid?)null });
    }

    private static async Task<IResult> GetAsync(Guid id, StaffStore store, ClaimsPrincipal user)
    {
        var s = await store.GetAsync(id, user.ReadScope());
        return s is null ? Access.NotFound($"Staff member {id} does not exist.") : TypedResults.Ok(StaffView.Of(s, await store.AssignmentsAsync(id)));
    }

    private static Dictionary<string, string[]> Check(StaffInput input, ClaimsPrincipal user)
    {
        var errors = new Dictionary<string, string[]>();
        StaffRules.CheckPerson(errors, input.Name, input.Phone);
        if (input.StaffNo is { Length: > 40 })
        {
            errors["staffNo"] = ["At most 40 characters."];
        }

        if (input.Username is not null && (input.Username.Length is < 3 or > 64 || input.Username.Any(char.IsWhiteSpace)))
        {
            errors["username"] = ["3–64 characters without spaces."];
        }

        if (input.Password is not null && input.Password.Length is < 10 or > 200)
        {
            errors["password"] = ["10–200 characters."];
        }

        foreach (var r in input.SystemRoles ?? [])
        {
            if (!SystemRoles.All.Contains(r))
            {
                errors["systemRoles"] = [$"Unknown role {r}; one of {string.Join(", ", SystemRoles.All)}."];
            }
            else if (r != SystemRoles.OrgAdmin && !user.IsAdmin())
            {
                // An org-admin may appoint org-admins within the scope, never a territory admin or a service.
                errors["systemRoles"] = [$"Only an administrator may grant {r}."];
            }
        }

        var posts = input.Assignments ?? [];
        for (var i = 0; i < posts.Length; i++)
        {
            StaffRules.CheckAssignment(errors, posts[i].Role, posts[i].Domain, posts[i].ValidFrom, posts[i].ValidTo, $"assignments[{i}].");
        }

        return errors;
    }

    private static async Task<IResult> CreateAsync(StaffInput input, StaffStore store, ClaimsPrincipal user)
    {
        var errors = Check(input, user);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var s = await store.CreateAsync(input, user.Scope(), user.SeesEverything());
        return TypedResults.Created($"/api/org/v1/staff/{s.Id}", StaffView.Of(s, await store.AssignmentsAsync(s.Id)));
    }

    private static async Task<IResult> UpdateAsync(Guid id, StaffInput input, StaffStore store, ClaimsPrincipal user)
    {
        var errors = Check(input, user);
        if (input.Assignments is { Length: > 0 })
        {
            errors["assignments"] = ["Posts change through /staff/{id}/assignments."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var s = await store.UpdateAsync(id, input, user.ReadScope(), user.Scope());
        return TypedResults.Ok(StaffView.Of(s, await store.AssignmentsAsync(id)));
    }

    private static async Task<IResult> AssignAsync(Guid id, AssignmentInput input, StaffStore store, ClaimsPrincipal user)
    {
        var errors = new Dictionary<string, string[]>();
        StaffRules.CheckAssignment(errors, input.Role, input.Domain, input.ValidFrom, input.ValidTo);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await store.GetAsync(id, user.ReadScope()) is null && !user.SeesEverything())
        {
            return Access.NotFound($"Staff member {id} does not exist.");
        }

        var a = await store.AssignAsync(id, input, user.ReadScope(), user.Scope());
        return TypedResults.Created($"/api/org/v1/staff/{id}/assignments/{a.Id}", a);
    }

    private static async Task<IResult> EndAssignmentAsync(Guid id, Guid assignmentId, StaffStore store, ClaimsPrincipal user) =>
        await store.EndAssignmentAsync(id, assignmentId, user.Scope()) ? TypedResults.NoContent() : Access.NotFound($"Assignment {assignmentId} does not exist.");

    private static async Task<IResult> CreateDepartmentAsync(DepartmentInput input, StaffStore store, ClaimsPrincipal user)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(input.Code) || input.Code.Length > 64)
        {
            errors["code"] = ["A code of 1–64 characters is required."];
        }

        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Length > 200)
        {
            errors["name"] = ["A name of 1–200 characters is required."];
        }

        if (input.Kind is null || !DepartmentKinds.IsKnown(input.Kind))
        {
            errors["kind"] = [$"One of {string.Join(", ", DepartmentKinds.Chinese.Keys)}."];
        }

        if (input.Domain is null || !Hierarchies.IsKnown(input.Domain))
        {
            errors["domain"] = ["One of fire, environment, labor, drugs, cadre, comprehensive."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var d = await store.CreateDepartmentAsync(input, user.Scope());
        return TypedResults.Created($"/api/org/v1/departments/{d.Id}", d);
    }
}
