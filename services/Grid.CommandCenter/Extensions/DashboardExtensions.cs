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
        var root = Path.Combine(app.Environment.ContentRootPath, "wwwroot");
        if (!Directory.Exists(root))
        {
            root = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        }

        if (!Directory.Exists(root))
        {
            app.Logger.LogWarning("No wwwroot found: the dashboard page is not served");
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
