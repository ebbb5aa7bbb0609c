using Grid.Casework.Domain;
using Grid.Contracts.Roles;

namespace Grid.Casework.Tests;

/// <summary>A role a step allows is a role the organization can assign: every default comes from the one catalog.</summary>
public class RoleCatalogTests
{
    [Fact]
    public void Every_role_a_default_step_allows_is_in_the_role_catalog()
    {
        var catalog = GridRoles.All.Select(r => r.Role).ToHashSet();
        var allowed = CaseRoles.Defaults().SelectMany(step => step.Value).Distinct().ToList();

        Assert.Contains(CaseRoles.GridChief, allowed);
        Assert.All(allowed, role => Assert.Contains(role, catalog));
        Assert.All(allowed.Where(r => r != GridRoles.Admin), role => Assert.True(GridRoles.IsPost(role), $"{role} cannot be assigned"));
    }
}
