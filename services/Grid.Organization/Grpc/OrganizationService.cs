using System.Globalization;
using System.Security.Claims;
using global::Grpc.Core;
using Google.Protobuf.WellKnownTypes;
using Grid.Organization.Domain;
using Grid.Organization.Infrastructure;
using V1 = Grid.Contracts.Organization.V1;

namespace Grid.Organization.Grpc;

/// <summary>
/// <c>grid.organization.v1.Organization</c> for the other services: point lookups answered from the in-memory
/// <see cref="GridIndex"/>, other lookups from Redis when cached, from PostgreSQL/PostGIS otherwise. Every answer
/// is checked against the caller's grid scope.
/// </summary>
public sealed class OrganizationService(
    GridStore grids, SubjectStore subjects, StaffStore staff, OrganizationCache cache, GridIndex index, RepeatedPoints repeated)
    : V1.Organization.OrganizationBase
{
    /// <summary>Departments are few and county-wide knowledge: any caller may look one up, whatever its grid scope.</summary>
    public override async Task<V1.Department> GetDepartment(V1.GetDepartmentRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.Id) && string.IsNullOrEmpty(request.Code))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "id or code is required"));
        }

        var d = await staff.GetDepartmentAsync(string.IsNullOrEmpty(request.Id) ? null : ParseId(request.Id, "id"), NullIfEmpty(request.Code))
            ?? throw NotFound($"department {request.Id}{request.Code} not found");
        return new V1.Department { Id = d.Id.ToString(), Code = d.Code, Name = d.Name, Kind = d.Kind, Domain = d.Domain, GridId = d.GridId?.ToString() ?? "" };
    }

    public override async Task<V1.GridInfo> GetGrid(V1.GetGridRequest request, ServerCallContext context)
    {
        V1.GridInfo? info;
        if (!string.IsNullOrEmpty(request.Id))
        {
            info = await GridAsync(ParseId(request.Id, "id"));
        }
        else if (!string.IsNullOrEmpty(request.Code))
        {
            info = await cache.GetOrAddAsync($"grid:code:{request.Code}", V1.GridInfo.Parser, async () => Map(await grids.GetByCodeAsync(request.Code)));
        }
        else
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "id or code is required"));
        }

        return Visible(info, context) ?? throw NotFound($"grid {request.Id}{request.Code} not found");
    }

    public override async Task<V1.GridInfo> ResolveGridByPoint(V1.ResolveGridByPointRequest request, ServerCallContext context)
    {
        if (!Hierarchies.IsKnown(request.Hierarchy))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "hierarchy: one of fire, environment, labor, drugs, cadre, comprehensive"));
        }

        if (!double.IsFinite(request.Longitude) || request.Longitude is < -180 or > 180 || !double.IsFinite(request.Latitude) || request.Latitude is < -90 or > 90)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "longitude/latitude: not a WGS 84 point"));
        }

        // From memory when the index can tell; else from PostGIS, through the exact-point cache only for a position
        // asked for before (a fixed address), never for a position seen once.
        var answer = index.Resolve(request.Hierarchy, request.Longitude, request.Latitude);
        V1.GridInfo? info;
        if (answer.Known)
        {
            info = Map(answer.Grid);
        }
        else
        {
            var key = string.Create(CultureInfo.InvariantCulture, $"resolve:{request.Hierarchy}:{request.Longitude:R}:{request.Latitude:R}");
            async Task<V1.GridInfo?> Load() => Map(await grids.ResolveAsync(request.Hierarchy, request.Longitude, request.Latitude));
            info = repeated.SeenBefore(key) ? await cache.GetOrAddAsync(key, V1.GridInfo.Parser, Load) : await Load();
        }

        return Visible(info, context) ?? throw NotFound("no grid of that hierarchy contains the point");
    }

    public override async Task<V1.GridChain> GetAncestors(V1.GetAncestorsRequest request, ServerCallContext context)
    {
        var id = ParseId(request.GridId, "grid_id");
        var chain = await cache.GetOrAddAsync($"chain:{id}:{request.IncludeStaff}", V1.GridChain.Parser, async () =>
        {
            var grid = await grids.GetAsync(id);
            if (grid is null)
            {
                return null;
            }

            var levels = await grids.ChainAsync(grid);
            var staff = request.IncludeStaff
                ? (await grids.ResponsibleAsync(levels.Select(l => l.Id).ToList(), grid.Hierarchy, null)).ToLookup(r => r.GridId)
                : Enumerable.Empty<ResponsibleRow>().ToLookup(r => r.GridId);
            var result = new V1.GridChain();
            foreach (var level in levels)
            {
                var l = new V1.ChainLevel { Grid = Map(level) };
                l.Responsible.AddRange(staff[level.Id].Select(Map));
                result.Levels.Add(l);
            }

            return result;
        });
        if (chain is null || chain.Levels.Count == 0 || Visible(chain.Levels[0].Grid, context) is null)
        {
            throw NotFound($"grid {id} not found");
        }

        return chain;
    }

    public override async Task<V1.StaffList> FindResponsible(V1.FindResponsibleRequest request, ServerCallContext context)
    {
        var id = ParseId(request.GridId, "grid_id");
        if (!string.IsNullOrEmpty(request.Domain) && !Hierarchies.IsKnown(request.Domain))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "domain: one of fire, environment, labor, drugs, cadre, comprehensive"));
        }

        if (Visible(await GridAsync(id), context) is null)
        {
            throw NotFound($"grid {id} not found");
        }

        return (await cache.GetOrAddAsync($"resp:{id}:{request.Domain}:{request.Role}", V1.StaffList.Parser, async () =>
        {
            var rows = await grids.ResponsibleAsync([id], NullIfEmpty(request.Domain), NullIfEmpty(request.Role));
            var list = new V1.StaffList();
            list.Staff.AddRange(rows.Select(Map));
            return list;
        }))!;
    }

    public override async Task<V1.Subject> GetSubject(V1.GetSubjectRequest request, ServerCallContext context)
    {
        var all = new GridScope(true, []);
        V1.Subject? subject;
        if (!string.IsNullOrEmpty(request.Id))
        {
            var id = ParseId(request.Id, "id");
            subject = await cache.GetOrAddAsync($"subject:{id}", V1.Subject.Parser, async () => Map(await subjects.GetAsync(id, null, all)));
        }
        else if (!string.IsNullOrEmpty(request.CreditCode))
        {
            subject = await cache.GetOrAddAsync($"subject:code:{request.CreditCode}", V1.Subject.Parser, async () => Map(await subjects.GetAsync(null, request.CreditCode, all)));
        }
        else
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "id or credit_code is required"));
        }

        var user = context.GetHttpContext().User;
        var visible = subject is not null && (user.GridsWhere(null, null) is null
            || (Guid.TryParse(subject.GridId, out var g) && Visible(await GridAsync(g), context) is not null));
        return visible ? subject! : throw NotFound("subject not found");
    }

    public override async Task<V1.GridList> ListChildren(V1.ListChildrenRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.GridId))
        {
            // Roots are few and change rarely; read through so that a new tree shows at once.
            var roots = new V1.GridList();
            roots.Grids.AddRange((await grids.ChildrenAsync(null, NullIfEmpty(request.Hierarchy))).Select(g => Map(g)!).Where(g => Visible(g, context) is not null));
            return roots;
        }

        var id = ParseId(request.GridId, "grid_id");
        if (Visible(await GridAsync(id), context) is null)
        {
            throw NotFound($"grid {id} not found");
        }

        return (await cache.GetOrAddAsync($"children:{id}", V1.GridList.Parser, async () =>
        {
            var list = new V1.GridList();
            list.Grids.AddRange((await grids.ChildrenAsync(id)).Select(g => Map(g)!));
            return list;
        }))!;
    }

    private Task<V1.GridInfo?> GridAsync(Guid id) =>
        cache.GetOrAddAsync($"grid:id:{id}", V1.GridInfo.Parser, async () => Map(await grids.GetAsync(id)));

    private static V1.GridInfo? Visible(V1.GridInfo? info, ServerCallContext context) =>
        info is not null && context.GetHttpContext().User.Allows(null, info.Hierarchy, info.Path) ? info : null;

    private static Guid ParseId(string value, string field) =>
        Guid.TryParse(value, out var id) ? id : throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field}: not a grid id"));

    private static RpcException NotFound(string detail) => new(new Status(StatusCode.NotFound, detail));

    private static string? NullIfEmpty(string s) => string.IsNullOrEmpty(s) ? null : s;

    public static V1.GridInfo? Map(GridArea? g)
    {
        if (g is null)
        {
            return null;
        }

        var info = new V1.GridInfo
        {
            Id = g.Id.ToString(),
            Code = g.Code,
            Name = g.Name,
            LevelName = g.LevelName,
            Depth = g.Depth,
            ParentId = g.ParentId?.ToString() ?? "",
            Hierarchy = g.Hierarchy,
            KeyGrid = g.KeyGrid,
            Households = g.Households,
            Population = g.Population,
        };
        info.Path.AddRange(g.PathStrings);
        return info;
    }

    private static V1.StaffMember Map(ResponsibleRow r)
    {
        var m = new V1.StaffMember
        {
            Id = r.StaffId.ToString(),
            Name = r.Name,
            Role = r.Role,
            Domain = r.Domain,
            Phone = r.Phone,
            DepartmentId = r.DepartmentId?.ToString() ?? "",
            ValidFrom = Timestamp.FromDateTime(DateTime.SpecifyKind(r.ValidFrom, DateTimeKind.Utc)),
        };
        if (r.ValidTo is { } to)
        {
            m.ValidTo = Timestamp.FromDateTime(DateTime.SpecifyKind(to, DateTimeKind.Utc));
        }

        return m;
    }

    private static V1.Subject? Map(RegulatedSubject? s) => s is null ? null : new V1.Subject
    {
        Id = s.Id.ToString(),
        CreditCode = s.CreditCode ?? "",
        Name = s.Name,
        Kind = s.Kind,
        GridId = s.GridId?.ToString() ?? "",
        Address = s.Address,
        Longitude = s.Longitude ?? 0,
        Latitude = s.Latitude ?? 0,
        Category = s.Category,
    };
}
