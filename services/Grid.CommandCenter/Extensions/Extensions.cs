using System.Text.Json.Nodes;
using Dapper;
using Grid.Casework.Infrastructure;
using Grid.CommandCenter.Infrastructure;
using Grid.CommandCenter.IntegrationEvents;
using Grid.Messaging;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Npgsql;

namespace Grid.CommandCenter.Extensions;

internal static class Extensions
{
    public const string DatabaseName = "commanddb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddGridDependencyHealthChecks(DatabaseName);
        DefaultTypeMap.MatchNamesWithUnderscores = true;

        builder.Services.AddSingleton<LiveFeed>();
        builder.Services.AddSingleton<ReadModelProjector>();
        // Registered before the bus, so that it stops after the bus has stopped consuming.
        builder.Services.AddSingleton<ProjectionBatcher>();
        builder.Services.AddSingleton<CommandQueries>();
        builder.Services.AddSingleton<GridMap>();
        builder.Services.AddSingleton<OrganizationDirectory>();
        builder.Services.AddHostedService<SchemaInitializer>();
        builder.Services.AddHostedService<GridDirectorySync>();
        builder.Services.AddHttpClient(OrganizationDirectory.Client, c => c.BaseAddress = new Uri("http://organization")).AddServiceToken();
        if (builder.Configuration["services:organization:grpc:0"] is { Length: > 0 } organization)
        {
            // Summons name departments the organization knows: the same client and lookup as Grid.Casework's.
            builder.Services.AddOrganizationDirectory(organization);
        }

        builder.Services.AddOpenApi();

        // Grid.Casework's messaging: inbox, outbox and relay in this database, the subscriber topology declared
        // before anything is published, MassTransit on RabbitMQ. Every event arrives on the command centre's queue.
        builder.AddCaseworkMessaging(DatabaseName, m =>
        {
            // Enough events in hand for ProjectionBatcher to write them in groups.
            m.PrefetchCount = 256;
            var add = typeof(CaseworkMessagingBuilder).GetMethod(nameof(CaseworkMessagingBuilder.AddConsumer))!;
            foreach (var e in CommandEvents.All)
            {
                add.MakeGenericMethod(typeof(CommandEventConsumer<>).MakeGenericType(e)).Invoke(m, [CaseworkTopology.CommandCentreQueue]);
            }

            m.AddConsumer<AuditSealConsumer>(CaseworkTopology.CommandCentreQueue);
        });
    }
}

/// <summary>Creates the schema and loads configured grid boundaries before the service takes traffic.</summary>
internal sealed class SchemaInitializer(NpgsqlDataSource db, GridMap map, IConfiguration configuration, ILogger<SchemaInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await CommandSchema.EnsureAsync(db, cancellationToken);
        if (configuration["Command:GridBoundariesFile"] is { Length: > 0 } file && File.Exists(file))
        {
            var n = await map.ImportAsync(JsonNode.Parse(await File.ReadAllTextAsync(file, cancellationToken))!, cancellationToken);
            logger.LogInformation("Loaded {Count} grid boundaries from {File}", n, file);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
