using System.Text.Json.Serialization;
using Grid.Contracts.Organization.V1;
using Grid.FireSafety.Domain;
using Grid.FireSafety.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Grid.FireSafety.Extensions;

internal static class Extensions
{
    public const string DatabaseName = "firedb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddGridDependencyHealthChecks(DatabaseName);
        builder.Services.AddOpenApi();
        // Unreadable bodies must reach the shared handler, which names the field (it only sees thrown exceptions).
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

        var options = builder.Configuration.GetSection(FireOptions.Section).Get<FireOptions>() ?? new FireOptions();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new SupervisionRouting(options.Supervision));

        builder.Services.AddDbContext<FireDbContext>(o => o.UseNpgsql(
            builder.Configuration.GetConnectionString(DatabaseName),
            npgsql => npgsql.MigrationsHistoryTable("__ef_migrations", FireDbContext.Schema)));

        // Grids: the organization service when it is configured, else the configured (or generated demo) tree.
        if (builder.Configuration["services:organization:grpc:0"] is { Length: > 0 } org)
        {
            builder.Services.AddGrpcClient<Organization.OrganizationClient>(o => o.Address = new Uri(org));
            builder.Services.AddSingleton<IGridDirectory, OrganizationGridDirectory>();
        }
        else
        {
            var grids = builder.Configuration.GetSection("Fire:Grids").Get<List<GridEntry>>() ?? [];
            builder.Services.AddSingleton<IGridDirectory>(new ConfiguredGridDirectory(grids));
        }

        builder.Services.AddHostedService<FireStartup>();
    }
}
