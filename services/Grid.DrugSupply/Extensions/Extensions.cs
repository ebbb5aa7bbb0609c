using System.Text.Json.Serialization;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;
using Grid.DrugSupply.Domain;
using Grid.DrugSupply.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Grid.DrugSupply.Extensions;

internal static class Extensions
{
    public const string DatabaseName = "drugsdb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddGridDependencyHealthChecks(DatabaseName);
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

        var options = builder.Configuration.GetSection(DrugOptions.Section).Get<DrugOptions>() ?? new DrugOptions();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<GridPaths>();
        builder.Services.AddSingleton(new CoverageCalculator(options.Targets, options.Network));
        builder.Services.AddSingleton<SupervisionNetwork>();
        builder.Services.AddSingleton(new StorageBands(options.Storage));

        // The service's one pool (AddGridDataSource, registered with Grid.Casework), not a second one of EF Core's.
        builder.Services.AddDbContext<DrugsDbContext>((sp, o) => o.UseNpgsql(sp.GetRequiredService<Npgsql.NpgsqlDataSource>()));

        // Drug supply's schema before Casework's hosted services start using the database.
        builder.Services.AddDomainSchema<DrugsDbContext>("drugs", "supply_points");

        // Rectifications, storage episodes, screening and hotline reports are Casework cases of domain drugs.
        builder.AddCasework(Domains.Drugs, o =>
        {
            foreach (var (step, roles) in DrugCaseRoles.Defaults)
            {
                o.Roles.TryAdd(step, roles);
            }
        });
        builder.Services.AddCaseworkHooks<DrugsCaseHooks>();
        builder.Services.AddSingleton<Rectifications>();
        builder.Services.AddScoped<Screening>();
        builder.Services.AddScoped<DrugFigures>();

        // 监测中断: the scan of silent sensors, on the service's clock (tests call it on theirs).
        builder.Services.AddSingleton<SilentSensors>();
        if (options.Storage.Silence > TimeSpan.Zero && options.Storage.SilenceScanEvery > TimeSpan.Zero)
        {
            builder.Services.AddHostedService<SilenceScanner>();
        }

        // Demo data goes through the case service, so it starts after Casework's schema.
        builder.Services.AddDemoData<DemoData>();
    }
}
