using System.Text.Json.Nodes;
using Dapper;
using Grid.CommandCenter.Infrastructure;
using Grid.CommandCenter.IntegrationEvents;
using MassTransit;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Npgsql;

namespace Grid.CommandCenter.Extensions;

internal static class Extensions
{
    public const string DatabaseName = "commanddb";

    /// <summary>Name of the queue every event the command centre consumes arrives on.</summary>
    public const string DefaultQueueName = "command-center";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddGridDependencyHealthChecks(DatabaseName);
        DefaultTypeMap.MatchNamesWithUnderscores = true;

        var cs = builder.Configuration.GetConnectionString(DatabaseName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{DatabaseName} is not configured");
        builder.Services.AddSingleton(NpgsqlDataSource.Create(cs));
        builder.Services.AddSingleton<LiveFeed>();
        builder.Services.AddSingleton<ReadModelProjector>();
        builder.Services.AddSingleton<CommandQueries>();
        builder.Services.AddSingleton<GridMap>();
        builder.Services.AddHostedService<SchemaInitializer>();
        builder.Services.AddHttpClient(GridMap.OrganizationClient, c => c.BaseAddress = new Uri("http://organization"));
        builder.Services.AddOpenApi();

        // EventSource and download links cannot send headers: accept the token from the query string or a
        // cookie on those endpoints only.
        builder.Services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o =>
        {
            o.Events ??= new JwtBearerEvents();
            var previous = o.Events.OnMessageReceived;
            o.Events.OnMessageReceived = async ctx =>
            {
                await previous(ctx);
                var path = ctx.Request.Path.Value ?? "";
                if (ctx.Token is null && HttpMethods.IsGet(ctx.Request.Method) && path.StartsWith("/api/command/v1/", StringComparison.Ordinal)
                    && (path.EndsWith("/stream", StringComparison.Ordinal) || path.EndsWith("/export", StringComparison.Ordinal)
                        || path.Contains("/reports/", StringComparison.Ordinal)))
                {
                    ctx.Token = ctx.Request.Query["access_token"].FirstOrDefault() ?? ctx.Request.Cookies["grid_token"];
                }
            };
        });

        if (builder.Configuration.GetConnectionString(DependencyHealthChecks.Messaging) is { Length: > 0 } messaging)
        {
            var queue = builder.Configuration["Command:QueueName"] ?? DefaultQueueName;
            builder.Services.AddMassTransit(x =>
            {
                foreach (var e in CommandEvents.All)
                {
                    x.AddConsumer(typeof(CommandEventConsumer<>).MakeGenericType(e));
                }

                x.UsingRabbitMq((ctx, cfg) =>
                {
                    var uri = new Uri(messaging);
                    var vhost = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
                    var user = uri.UserInfo.Split(':');
                    cfg.Host(uri.Host, (ushort)(uri.IsDefaultPort || uri.Port <= 0 ? 5672 : uri.Port), vhost.Length == 0 ? "/" : vhost, h =>
                    {
                        if (user.Length == 2)
                        {
                            h.Username(Uri.UnescapeDataString(user[0]));
                            h.Password(Uri.UnescapeDataString(user[1]));
                        }
                    });
                    cfg.ReceiveEndpoint(queue, e =>
                    {
                        e.PrefetchCount = 64;
                        e.ConcurrentMessageLimit = 16;
                        e.UseMessageRetry(r => r.Intervals(100, 500, 2000));
                        foreach (var t in CommandEvents.All)
                        {
                            e.ConfigureConsumer(ctx, typeof(CommandEventConsumer<>).MakeGenericType(t));
                        }
                    });
                });
            });
            builder.Services.AddHostedService<OutboxRelay>();
        }
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
