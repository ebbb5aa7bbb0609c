using System.Text.Json.Serialization;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;
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

        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

        var options = builder.Configuration.GetSection(FireOptions.Section).Get<FireOptions>() ?? new FireOptions();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new SupervisionRouting(options.Supervision));

        // The service's one pool (AddGridDataSource, registered with Grid.Casework), not a second one of EF Core's.
        builder.Services.AddDbContext<FireDbContext>((sp, o) => o.UseNpgsql(sp.GetRequiredService<Npgsql.NpgsqlDataSource>()));

        // Grids: Casework's directory over the organization service when it is configured, else the configured (or
        // generated demo) tree in its place.
        if (builder.Configuration["services:organization:grpc:0"] is not { Length: > 0 })
        {
            // A configured tree is a choice; the generated demo county only a development convenience.
            if (!builder.Configuration.GetSection("Fire:Grids").GetChildren().Any())
            {
                builder.Required("services:organization:grpc:0");
            }

            builder.Services.AddSingleton<IGridDirectory>(new ConfiguredGridDirectory(builder.Configuration.GetSection("Fire:Grids").Get<List<GridEntry>>() ?? []));
            builder.Services.AddSingleton<IDepartmentDirectory, NoDepartmentDirectory>();
        }

        // Fire's schema before Casework's hosted services start using the database.
        builder.Services.AddHostedService<FireStartup>();

        // Hazards are Casework cases of domain fire; fire adds its roles, deadlines and hooks.
        builder.AddCasework(Domains.Fire, o =>
        {
            foreach (var (step, roles) in FireCaseRoles.Defaults)
            {
                o.Roles.TryAdd(step, roles);
            }

            // A major hazard is rectified under listed supervision, within its deadline, not Casework's 24 h default.
            o.Deadlines.Insert(0, new Grid.Casework.Domain.DeadlineRule
            {
                Severity = Grid.Casework.Domain.DeadlinePolicy.Major,
                HandleWithin = TimeSpan.FromDays(options.Rectification.ListedSupervisionDays),
            });
        });
        builder.Services.AddCaseworkHooks<FireCaseHooks>();

        // Demo data goes through the case service, so it starts after Casework's schema.
        builder.Services.AddDemoData<FireDemoData>();
    }
}
