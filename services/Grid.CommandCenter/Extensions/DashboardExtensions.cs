using Microsoft.Extensions.FileProviders;

namespace Grid.CommandCenter.Extensions;

internal static class DashboardExtensions
{
    /// <summary>
    /// Serves the dashboard page at /dashboard/ before authentication: the page itself holds no data, and
    /// every API call it makes carries the user's token.
    /// </summary>
    public static WebApplication UseDashboard(this WebApplication app)
    {
        app.Use(async (ctx, next) =>
        {
            if (ctx.Request.Path.Equals("/dashboard", StringComparison.OrdinalIgnoreCase) && !ctx.Request.Path.Value!.EndsWith('/'))
            {
                ctx.Response.Redirect("dashboard/");
                return;
            }

            await next();
        });
        // The build and publish copy wwwroot (and the vendored ECharts) next to the assembly, so the page is found
        // whatever the working directory: `dotnet bin/.../Grid.CommandCenter.dll`, `dotnet run`, a container, a test host.
        var root = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (!File.Exists(Path.Combine(root, "dashboard", "index.html")))
        {
            app.Logger.LogWarning("No dashboard in {Root}: the dashboard page is not served (build the project to copy it there)", root);
            return app;
        }

        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache",
        });
        return app;
    }
}
