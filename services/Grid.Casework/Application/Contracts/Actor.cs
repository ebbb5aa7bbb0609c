using System.Security.Claims;
using Microsoft.Extensions.Hosting;

namespace Grid.Casework.Application;

/// <summary>Who acts: a person from a token, or the system (scheduler, consumers).</summary>
public sealed record Actor(string Subject, string Origin, ClaimsPrincipal? User)
{
    public static Actor System(string origin) => new("system", origin, null);

    public bool IsSystem => User is null;

    /// <summary>The system may; a person when one of their posts holds one of <paramref name="roles"/> in the domain over the grid.</summary>
    public bool May(IEnumerable<string> roles, string domain, IEnumerable<string>? gridPath = null) =>
        User is null || User.Allows(roles, domain, gridPath);
}
