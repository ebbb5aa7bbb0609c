using Grid.Casework.Domain;
using Grid.Contracts.Events;
using Grid.EnvironmentMonitoring.Apis;
using Grid.EnvironmentMonitoring.Infrastructure;
using Npgsql;

namespace Grid.EnvironmentMonitoring.Extensions;

internal static class Extensions
{
    public const string DatabaseName = "environmentdb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddGridDependencyHealthChecks(DatabaseName);
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        builder.Services.Configure<EnvironmentOptions>(builder.Configuration.GetSection("Environment"));

        // Readings, rules and episodes use the service's one pool, registered by Grid.Casework below.
        builder.Services.AddHostedService<SchemaInitializer>();

        // The shared case life cycle: exceedances, silences, complaints, incidents and transfers are its cases.
        // 环保局 staff (bureau) may take every step a grid chief may.
        builder.AddCasework(Domains.Environment, o =>
        {
            // The environment officer (环保专干) may do whatever the grid worker may.
            string[] WithOfficer(string[] roles) => roles.Contains(CaseRoles.GridWorker) ? [.. roles, EnvironmentRoles.EnvironmentOfficer] : roles;
            foreach (var (step, roles) in CaseRoles.Defaults())
            {
                if (roles.Contains(CaseRoles.GridChief) && !o.Roles.ContainsKey(step))
                {
                    o.Roles[step] = [.. WithOfficer(roles), EnvironmentRoles.Bureau, EnvironmentRoles.Admin];
                }
            }

            o.Roles[CaseRoles.Read] = [.. WithOfficer(CaseRoles.Defaults()[CaseRoles.Read]), EnvironmentRoles.Bureau, EnvironmentRoles.Admin, EnvironmentRoles.Command];
        });
        builder.Services.AddSingleton<CaseworkGateway>();
        builder.Services.AddSingleton<ICaseGateway>(sp => sp.GetRequiredService<CaseworkGateway>());
        builder.Services.AddSingleton<ICaseTransfers>(sp => sp.GetRequiredService<CaseworkGateway>());
        builder.Services.AddSingleton<GridPaths>();

        builder.Services.AddSingleton<SeriesTailCache>();
        builder.Services.AddSingleton<LimitRuleCache>();
        builder.Services.AddSingleton<RuleEvaluator>();
        builder.Services.AddSingleton<ReadingWriter>();
        builder.Services.AddScoped<ReadingIngestor>();
        builder.Services.AddScoped<CaseFollowUp>();
        builder.Services.AddSingleton<SilenceWatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SilenceWatcher>());
        builder.Services.AddSingleton<CaseFollowUpWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CaseFollowUpWorker>());
        builder.Services.AddHostedService<DemoEnvironment>();
    }
}

/// <summary>Creates the schema before the host starts serving.</summary>
internal sealed class SchemaInitializer(NpgsqlDataSource db) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => EnvironmentSchema.EnsureAsync(db, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
