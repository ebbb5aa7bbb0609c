using System.Net;
using Google.Protobuf.WellKnownTypes;
using Grid.Contracts.Organization.V1;
using Grid.LocalServers;
using Grid.Testing.Hosting;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Grid.Testing;

/// <summary>
/// A real grid.organization.v1 gRPC server (Kestrel, h2c on a free loopback port) over a fixed tree:
/// county → town-a → village-a1 → compound-a1x, town-a → village-a2, and county → town-b → village-b1, of the
/// hierarchy given at start. Each grid has a chief and a worker. Points with longitude in [116, 117) resolve
/// to compound-a1x, [117, 118) to village-b1.
/// </summary>
public sealed class GridTree : Organization.OrganizationBase, IAsyncDisposable
{
    public const string County = "county";
    public const string TownA = "town-a";
    public const string VillageA1 = "village-a1";
    public const string VillageA2 = "village-a2";
    public const string CompoundA1X = "compound-a1x";
    public const string TownB = "town-b";
    public const string VillageB1 = "village-b1";

    private static readonly Dictionary<string, string?> Parents = new()
    {
        [County] = null,
        [TownA] = County,
        [VillageA1] = TownA,
        [VillageA2] = TownA,
        [CompoundA1X] = VillageA1,
        [TownB] = County,
        [VillageB1] = TownB,
    };

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, List<StaffMember>> _posted = new();

    private WebApplication? _app;

    public string Address { get; private set; } = "";

    public string Hierarchy { get; private init; } = "comprehensive";

    /// <summary>The level names the tree gives its grids by depth (county first); none unless a test sets them (before the first call).</summary>
    public IReadOnlyList<string> LevelNames { get; set; } = [];

    /// <summary>How many escalation chains were asked for (tests of the callers' caching count them).</summary>
    public int AncestorCalls;

    /// <summary>How many single grids were asked for.</summary>
    public int GridCalls;

    public static IReadOnlyList<string> PathOf(string grid)
    {
        var path = new List<string>();
        for (string? g = grid; g is not null; g = Parents[g])
        {
            path.Insert(0, g);
        }

        return path;
    }

    public static async Task<GridTree> StartAsync(string hierarchy = "comprehensive")
    {
        var tree = new GridTree { Hierarchy = hierarchy };
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(tree);
        tree._app = builder.Build();
        tree._app.MapGrpcService<GridTree>();
        await tree._app.StartAsync();
        tree.Address = $"http://127.0.0.1:{port}";
        return tree;
    }

    // Calls arrive on an instance the gRPC host makes; the started tree is the singleton it was given.
    private static GridTree Started(ServerCallContext context) => context.GetHttpContext().RequestServices.GetRequiredService<GridTree>();

    private GridInfo Info(string id) => new()
    {
        Id = id,
        Code = id.ToUpperInvariant(),
        Name = id,
        Depth = PathOf(id).Count,
        LevelName = PathOf(id).Count <= LevelNames.Count ? LevelNames[PathOf(id).Count - 1] : "",
        ParentId = Parents[id] ?? "",
        Hierarchy = Hierarchy,
        Path = { PathOf(id) },
    };

    public static IEnumerable<StaffMember> StaffOf(string id) =>
    [
        new() { Id = $"chief-{id}", Name = $"Chief of {id}", Role = "grid-chief", Domain = "*", ValidFrom = Timestamp.FromDateTime(DateTime.UnixEpoch) },
        new() { Id = $"worker-{id}", Name = $"Worker of {id}", Role = "grid-worker", Domain = "*", ValidFrom = Timestamp.FromDateTime(DateTime.UnixEpoch) },
    ];

    /// <summary>
    /// The departments this organization knows (id, code): the police station of town-b, the county environment bureau, the
    /// market regulator, the county public security bureau, the health commission and the price authority.
    /// </summary>
    public static readonly IReadOnlyList<(string Id, string Code, string Name, string Domain)> Departments =
    [
        ("police-station-3", "DEPT-POLICE-03", "派出所", "comprehensive"),
        ("environment-bureau", "DEPT-ENV", "生态环境分局", "environment"),
        ("market-regulator", "DEPT-MARKET", "市场监督管理局", "drugs"),
        ("police-bureau", "DEPT-POLICE", "县公安局", "comprehensive"),
        ("health-bureau", "DEPT-HEALTH", "卫生健康局", "comprehensive"),
        ("price-authority", "DEPT-PRICE", "价格监督检查局", "comprehensive"),
    ];

    public override Task<Department> GetDepartment(GetDepartmentRequest request, ServerCallContext context)
    {
        // Its ids are not GUIDs, so a caller sends them as codes: either matches either.
        var key = request.Id.Length > 0 ? request.Id : request.Code;
        var d = Departments.FirstOrDefault(d => d.Id == key || d.Code == key);
        return d.Id is null
            ? throw new RpcException(new Status(StatusCode.NotFound, "department not found"))
            : Task.FromResult(new Department { Id = d.Id, Code = d.Code, Name = d.Name, Domain = d.Domain });
    }

    public override Task<GridInfo> GetGrid(GetGridRequest request, ServerCallContext context)
    {
        var self = Started(context);
        Interlocked.Increment(ref self.GridCalls);
        return Parents.ContainsKey(request.Id) ? Task.FromResult(self.Info(request.Id)) : throw new RpcException(new Status(StatusCode.NotFound, "no such grid"));
    }

    public override Task<GridInfo> ResolveGridByPoint(ResolveGridByPointRequest request, ServerCallContext context) =>
        request.Longitude switch
        {
            >= 116 and < 117 => Task.FromResult(Started(context).Info(CompoundA1X)),
            >= 117 and < 118 => Task.FromResult(Started(context).Info(VillageB1)),
            _ => throw new RpcException(new Status(StatusCode.NotFound, "no grid contains the point")),
        };

    /// <summary>Posts a person with <paramref name="role"/> on <paramref name="grid"/>, beside its chief and worker (before the first call that reads it).</summary>
    public void Post(string grid, string role, string? name = null)
    {
        // A second person of the same role on a grid gets an id of their own.
        var posted = _posted.GetOrAdd(grid, _ => []);
        var same = posted.Count(s => s.Role == role);
        posted.Add(new StaffMember
        {
            Id = same == 0 ? $"{role}-{grid}" : $"{role}-{grid}-{same + 1}",
            Name = name ?? $"{role} of {grid}",
            Role = role,
            Domain = Hierarchy,
            ValidFrom = Timestamp.FromDateTime(DateTime.UnixEpoch),
        });
    }

    public override Task<GridChain> GetAncestors(GetAncestorsRequest request, ServerCallContext context)
    {
        var self = Started(context);
        Interlocked.Increment(ref self.AncestorCalls);
        if (!Parents.ContainsKey(request.GridId))
        {
            throw new RpcException(new Status(StatusCode.NotFound, "no such grid"));
        }

        var chain = new GridChain();
        foreach (var g in PathOf(request.GridId).Reverse())
        {
            var level = new ChainLevel { Grid = self.Info(g) };
            if (request.IncludeStaff)
            {
                level.Responsible.AddRange(StaffOf(g));
                level.Responsible.AddRange(self._posted.TryGetValue(g, out var posted) ? posted : []);
            }

            chain.Levels.Add(level);
        }

        return Task.FromResult(chain);
    }

    /// <summary>The roots of the tree's hierarchy (the county), or a grid's children.</summary>
    public override Task<GridList> ListChildren(ListChildrenRequest request, ServerCallContext context)
    {
        var self = Started(context);
        var list = new GridList();
        if (request.GridId.Length == 0)
        {
            if (request.Hierarchy.Length == 0 || request.Hierarchy == self.Hierarchy)
            {
                list.Grids.Add(self.Info(County));
            }
        }
        else if (!Parents.ContainsKey(request.GridId))
        {
            throw new RpcException(new Status(StatusCode.NotFound, "no such grid"));
        }
        else
        {
            list.Grids.AddRange(Parents.Where(p => p.Value == request.GridId).Select(p => self.Info(p.Key)));
        }

        return Task.FromResult(list);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
