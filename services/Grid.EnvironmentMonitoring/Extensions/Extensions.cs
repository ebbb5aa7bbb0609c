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
        builder.Services.Configure<EnvironmentOptions>(builder.Configuration.GetSection("Environment"));

        var cs = builder.Configuration.GetConnectionString(DatabaseName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{DatabaseName} is not configured.");
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(cs));
        builder.Services.AddHostedService<SchemaInitializer>();

        builder.Services.AddScoped<RuleEvaluator>();
        builder.Services.AddScoped<ReadingIngestor>();
        builder.Services.AddScoped<CaseFollowUp>();
        builder.Services.AddSingleton<SilenceWatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SilenceWatcher>());
    }
}

/// <summary>Creates the schema before the host starts serving.</summary>
internal sealed class SchemaInitializer(NpgsqlDataSource db) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => EnvironmentSchema.EnsureAsync(db, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
