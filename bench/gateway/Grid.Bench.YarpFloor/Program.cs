using Yarp.ReverseProxy.Configuration;

// The floor of any YARP gateway on this machine: YARP with one route and nothing else (no token check, no
// rate limit, no correlation id, no logging, no telemetry), for bench/gateway to set beside Grid.Gateway and nginx.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var labor = builder.Configuration["services:labor:http:0"] ?? throw new InvalidOperationException("services:labor:http:0 is not set");
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "labor", ClusterId = "labor", Match = new RouteMatch { Path = "/api/labor/{**rest}" } }],
    [new ClusterConfig { ClusterId = "labor", Destinations = new Dictionary<string, DestinationConfig> { ["labor"] = new() { Address = labor } } }]);
var app = builder.Build();
app.MapGet("/health", () => "ok");
app.MapReverseProxy();
app.Run();
