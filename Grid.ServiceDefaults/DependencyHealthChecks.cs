using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>Readiness checks on the servers a service uses, found by their Aspire connection names.</summary>
public static class DependencyHealthChecks
{
    public const string Cache = "cache";
    public const string Messaging = "messaging";

    /// <summary>Adds a check for the service's database and, when configured, for Redis.</summary>
    public static TBuilder AddGridDependencyHealthChecks<TBuilder>(this TBuilder builder, string databaseConnectionName)
        where TBuilder : IHostApplicationBuilder
    {
        var checks = builder.Services.AddHealthChecks();
        if (builder.Configuration.GetConnectionString(databaseConnectionName) is { Length: > 0 } db)
        {
            checks.AddNpgSql(db, name: "postgres", timeout: TimeSpan.FromSeconds(3));
        }

        if (builder.Configuration.GetConnectionString(Cache) is { Length: > 0 } redis)
        {
            checks.AddRedis(redis, name: "redis", timeout: TimeSpan.FromSeconds(3));
        }

        return builder;
    }
}
