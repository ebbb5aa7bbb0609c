using System.Collections.Concurrent;
using System.Net;
using Grid.Contracts.Organization.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Grid.Gateway.Tests.Support;

/// <summary>What a back end saw of one request.</summary>
public sealed record SeenRequest(string Service, string Method, string PathAndQuery, string? Host, string? CorrelationId, string? Authorization, long BodyBytes);

/// <summary>
/// Real HTTP back ends in the test process, one loopback port per service name: each answers any path with
/// what it received (service, path, correlation id, body size) and records it, so tests can say which service
/// got a request and that a refused one never arrived. <c>…/slow</c> stays silent for 3 s. A second, HTTP/2-only
/// port serves organization's gRPC API (GetGrid echoes the request).
/// </summary>
public sealed class EchoBackends : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<int, string> _serviceByPort;

    private EchoBackends(WebApplication app, Dictionary<int, string> serviceByPort, int grpcPort)
    {
        _app = app;
        _serviceByPort = serviceByPort;
        GrpcPort = grpcPort;
    }

    public ConcurrentQueue<SeenRequest> Seen { get; } = new();

    public int GrpcPort { get; }

    public string UrlOf(string service) => $"http://127.0.0.1:{_serviceByPort.Single(p => p.Value == service).Key}";

    public IReadOnlyList<SeenRequest> SeenWith(string marker) => Seen.Where(s => s.PathAndQuery.Contains(marker, StringComparison.Ordinal)).ToList();

    public static async Task<EchoBackends> StartAsync(params string[] services)
    {
        var ports = services.ToDictionary(_ => Grid.LocalServers.FreePort.Next(), s => s);
        var grpcPort = Grid.LocalServers.FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddGrpcReflection();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            foreach (var port in ports.Keys)
            {
                k.Listen(IPAddress.Loopback, port);
            }

            k.Listen(IPAddress.Loopback, grpcPort, o => o.Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        var echo = new EchoBackends(app, ports, grpcPort);
        app.MapGrpcService<EchoOrganizationGrpc>();
        app.MapGrpcReflectionService();
        app.MapGet("/health", () => Results.Ok("Healthy"));
        app.Map("/{**path}", echo.HandleAsync);
        await app.StartAsync();
        return echo;
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var service = _serviceByPort.GetValueOrDefault(ctx.Connection.LocalPort, "?");
        long bytes = 0;
        var buffer = new byte[16384];
        int n;
        while ((n = await ctx.Request.Body.ReadAsync(buffer)) > 0)
        {
            bytes += n;
        }

        var seen = new SeenRequest(
            service, ctx.Request.Method, ctx.Request.Path + ctx.Request.QueryString, ctx.Request.Headers.Host,
            ctx.Request.Headers["X-Correlation-Id"].ToString() is { Length: > 0 } c ? c : null,
            ctx.Request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null, bytes);
        Seen.Enqueue(seen);
        if (ctx.Request.Path.Value!.EndsWith("/slow", StringComparison.Ordinal))
        {
            await Task.Delay(TimeSpan.FromSeconds(3), ctx.RequestAborted);
        }

        // Like every Grid service, echo the correlation id: the gateway must not pass on a second copy.
        ctx.Response.Headers["X-Correlation-Id"] = seen.CorrelationId ?? "backend-made-its-own";
        await Results.Json(seen).ExecuteAsync(ctx);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Organization's gRPC API as far as these tests need it: GetGrid answers with what it was sent.</summary>
    private sealed class EchoOrganizationGrpc : Organization.OrganizationBase
    {
        public override Task<GridInfo> GetGrid(GetGridRequest request, ServerCallContext context) => Task.FromResult(new GridInfo
        {
            Id = request.Id,
            Name = context.RequestHeaders.GetValue("x-correlation-id") ?? "",
            LevelName = context.RequestHeaders.GetValue("authorization") is { Length: > 0 } ? "with-token" : "no-token",
            Hierarchy = context.GetHttpContext().Request.Protocol,
        });
    }
}
