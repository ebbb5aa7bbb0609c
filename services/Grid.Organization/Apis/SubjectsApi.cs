using System.Security.Claims;
using Grid.Organization.Domain;
using Grid.Organization.Infrastructure;

namespace Grid.Organization.Apis;

/// <summary>监管对象 Regulated subjects.</summary>
public static class SubjectsApi
{
    public static RouteGroupBuilder MapSubjectsApi(this RouteGroupBuilder api)
    {
        var subjects = api.MapGroup("/subjects").WithTags("Subjects").RequireAuthorization(Access.OrgAdminPolicy).WithRuleProblems();
        subjects.MapGet("/", ListAsync);
        subjects.MapGet("/{id:guid}", async (Guid id, SubjectStore store, ClaimsPrincipal user) =>
            await store.GetAsync(id, null, user.ReadScope()) is { } s ? Results.Ok(s) : Access.NotFound($"Subject {id} does not exist."));
        subjects.MapPost("/", CreateAsync);
        return api;
    }

    private static async Task<IResult> ListAsync(string? creditCode, Guid? grid, string? domain, Guid? after, int? limit, SubjectStore store, ClaimsPrincipal user)
    {
        if (limit is < 1 or > 1000)
        {
            return Access.Invalid("limit", "Between 1 and 1000.");
        }

        var scope = user.ReadScope();
        if (creditCode is not null)
        {
            return await store.GetAsync(null, creditCode, scope) is { } s ? TypedResults.Ok(new { items = new[] { s }, next = (Guid?)null }) : Access.NotFound($"Subject {creditCode} does not exist.");
        }

        var rows = await store.ListAsync(grid, domain, scope, after, limit ?? 100);
        return TypedResults.Ok(new { items = rows, next = rows.Count == (limit ?? 100) ? rows[^1].Id : (Guid?)null });
    }

    private static async Task<IResult> CreateAsync(SubjectInput input, SubjectStore store, ClaimsPrincipal user)
    {
        var errors = new Dictionary<string, string[]>();
        StaffRules.CheckSubject(errors, input.CreditCode, input.Name, input.Kind, input.Category, input.Domain, input.Longitude, input.Latitude);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var s = await store.CreateAsync(input, user.Scope());
        return TypedResults.Created($"/api/org/v1/subjects/{s.Id}", s);
    }
}
