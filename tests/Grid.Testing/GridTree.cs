using System.Net;
using Google.Protobuf.WellKnownTypes;
using Grid.AppHost.Hosting;
using Grid.Contracts.Organization.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Grid.Testing;

/// <summary>
/// A real grid.organization.v1 gRPC server on a loopback port over an environment grid tree:
/// county → town-a → village-a1, village-a2; county → town-b → village-b1.
/// </summary>
public sealed class GridTree : Organization.OrganizationBase, IAsyncDisposable
{
    public const string County = "county";
    public const string TownA = "town-a";
    public const string VillageA1 = "village-a1";
    public const string VillageA2 = "village-a2";
    public const string TownB = "town-b";
    public const string VillageB1 = "village-b1";

    private static readonly Dictionary<string, string?> Parents = new()
    {
        [County] = null,
        [TownA] = County,
        [VillageA1] = TownA,
        [VillageA2] = TownA,
        [TownB] = County,
        [VillageB1] = TownB,
    };

    private WebApplication? _app;

    public string Address { get; private set; } = "";

    public static IReadOnlyList<string> PathOf(string grid)
    {
        var path = new List<string>();
        for (string? g = grid; g is not null; g = Parents[g])
        {
            path.Insert(0, g);
        }

        return path;
    }

    public static async Task<GridTree> StartAsync()
    {
        var tree = new GridTree();
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        tree._app = builder.Build();
        tree._app.MapGrpcService<GridTree>();
        await tree._app.StartAsync();
        tree.Address = $"http://127.0.0.1:{port}";
        return tree;
    }

    private static GridInfo Info(string id) => new()
    {
        Id = id,
        Code = id.ToUpperInvariant(),
        Name = id,
        Depth = PathOf(id).Count,
        ParentId = Parents[id] ?? "",
        Hierarchy = "environment",
        Path = { PathOf(id) },
    };

    public override Task<GridInfo> GetGrid(GetGridRequest request, ServerCallContext context) =>
        Parents.ContainsKey(request.Id) ? Task.FromResult(Info(request.Id)) : throw new RpcException(new Status(StatusCode.NotFound, "no such grid"));

    public override Task<GridChain> GetAncestors(GetAncestorsRequest request, ServerCallContext context)
    {
        if (!Parents.ContainsKey(request.GridId))
        {
            throw new RpcException(new Status(StatusCode.NotFound, "no such grid"));
        }

        var chain = new GridChain();
        foreach (var g in PathOf(request.GridId).Reverse())
        {
            var level = new ChainLevel { Grid = Info(g) };
            if (request.IncludeStaff)
            {
                level.Responsible.Add(new StaffMember { Id = $"chief-{g}", Name = $"Chief of {g}", Role = "grid-chief", Domain = "*", ValidFrom = Timestamp.FromDateTime(DateTime.UnixEpoch) });
            }

            chain.Levels.Add(level);
        }

        return Task.FromResult(chain);
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
