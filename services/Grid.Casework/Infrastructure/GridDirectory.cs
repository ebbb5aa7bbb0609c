using System.Collections.Concurrent;
using Grid.Contracts.Organization.V1;
using Grpc.Core;

namespace Grid.Casework.Infrastructure;

/// <summary>网格链: the grid tree as the case life cycle needs it — escalation chains and grid by point.</summary>
public interface IGridDirectory
{
    /// <summary>The grid and its ancestors, the grid first and the root last, each with its responsible staff; null when unknown.</summary>
    Task<IReadOnlyList<GridLevel>?> GetChainAsync(string gridId, CancellationToken ct = default);

    /// <summary>The lowest grid of a domain's hierarchy containing the point; null when none does.</summary>
    Task<string?> ResolveAsync(string hierarchy, double longitude, double latitude, CancellationToken ct = default);

    /// <summary>Drops whatever it cached (a GridChanged event arrived); nothing to do for a directory without a cache.</summary>
    void Forget()
    {
    }
}

/// <summary>
/// Anything else in a service that remembers grids (a domain's own grid tree) and must forget them when the
/// organization announces a change (网格变更); register it in DI and <c>GridChangedConsumer</c> calls it.
/// </summary>
public interface IGridCache
{
    void Forget();
}

/// <summary>职能部门: the departments a case may summon (吹哨), as the organization service knows them.</summary>
public interface IDepartmentDirectory
{
    /// <summary>The department with this id or code; null when the organization knows none.</summary>
    Task<DepartmentRef?> FindAsync(string idOrCode, CancellationToken ct = default);
}

/// <summary>A service run without the organization service (its grids from configuration) knows no department.</summary>
public sealed class NoDepartmentDirectory : IDepartmentDirectory
{
    public Task<DepartmentRef?> FindAsync(string idOrCode, CancellationToken ct = default) => Task.FromResult<DepartmentRef?>(null);
}

/// <summary>A department as a summons records it: its id (canonical), code and name.</summary>
public sealed record DepartmentRef(string Id, string Code, string Name, string Domain);

/// <summary><see cref="IDepartmentDirectory"/> over the organization's gRPC API, the same client the grid directory uses.</summary>
public sealed class GrpcDepartmentDirectory(Organization.OrganizationClient client) : IDepartmentDirectory
{
    public async Task<DepartmentRef?> FindAsync(string idOrCode, CancellationToken ct = default)
    {
        var request = Guid.TryParse(idOrCode, out _) ? new GetDepartmentRequest { Id = idOrCode } : new GetDepartmentRequest { Code = idOrCode };
        try
        {
            var d = await client.GetDepartmentAsync(request, cancellationToken: ct);
            return new DepartmentRef(d.Id, d.Code, d.Name, d.Domain);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            return null;
        }
    }
}

public sealed record GridLevel(string GridId, string Code, string Name, IReadOnlyList<ResponsiblePerson> Responsible);

/// <summary>A person accountable for a grid (网格长, 网格员 ...).</summary>
public sealed record ResponsiblePerson(string Id, string Name, string Role);

/// <summary>
/// <see cref="IGridDirectory"/> over the organization service's gRPC API (grid.organization.v1), with a short
/// in-memory cache: chains change rarely and every report and escalation needs one.
/// </summary>
public sealed class GrpcGridDirectory(Organization.OrganizationClient client, CaseworkOptions options, TimeProvider time) : IGridDirectory
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, IReadOnlyList<GridLevel> Chain)> _chains = new();

    public async Task<IReadOnlyList<GridLevel>?> GetChainAsync(string gridId, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        if (_chains.TryGetValue(gridId, out var hit) && now - hit.At < options.GridCacheDuration && now >= hit.At)
        {
            return hit.Chain;
        }

        try
        {
            var chain = await client.GetAncestorsAsync(new GetAncestorsRequest { GridId = gridId, IncludeStaff = true }, cancellationToken: ct);
            var levels = chain.Levels
                .Select(l => new GridLevel(l.Grid.Id, l.Grid.Code, l.Grid.Name,
                    l.Responsible.Select(s => new ResponsiblePerson(s.Id, s.Name, s.Role)).ToList()))
                .ToList();
            if (levels.Count == 0)
            {
                return null;
            }

            _chains[gridId] = (now, levels);
            return levels;
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            return null;
        }
    }

    public async Task<string?> ResolveAsync(string hierarchy, double longitude, double latitude, CancellationToken ct = default)
    {
        try
        {
            var grid = await client.ResolveGridByPointAsync(
                new ResolveGridByPointRequest { Hierarchy = hierarchy, Longitude = longitude, Latitude = latitude }, cancellationToken: ct);
            return string.IsNullOrEmpty(grid.Id) ? null : grid.Id;
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            return null;
        }
    }

    public void Forget() => _chains.Clear();
}
