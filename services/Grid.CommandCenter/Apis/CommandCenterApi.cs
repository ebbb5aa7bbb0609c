namespace Grid.CommandCenter.Apis;

/// <summary>The 联合指挥 HTTP API under /api/command/v1.</summary>
public static class CommandCenterApi
{
    public static RouteGroupBuilder MapCommandCenterApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/command/v1");
        api.MapGet("/about", () => TypedResults.Ok(new { service = "command", name = "联合指挥" }));
        return api;
    }
}
