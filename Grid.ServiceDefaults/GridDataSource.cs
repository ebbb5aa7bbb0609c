using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A service's PostgreSQL pool through Aspire's client integration (Aspire.Npgsql): the one <see cref="NpgsqlDataSource"/>
/// of the service, from <c>ConnectionStrings:&lt;name&gt;</c>, with Npgsql's metrics always and its spans where spans are
/// collected (<see cref="Extensions.TracingEnabled"/>, as for every other span). The readiness check stays the one named
/// <c>postgres</c> that every service has (<see cref="DependencyHealthChecks"/>), not a second check of the same database.
/// </summary>
public static class GridDataSource
{
    public static TBuilder AddGridDataSource<TBuilder>(this TBuilder builder, string connectionName, Func<string, string>? tune = null)
        where TBuilder : IHostApplicationBuilder
    {
        var cs = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not configured.");
        // The integration hands Npgsql the host's loggers: its warnings and errors are wanted, a line per statement is not.
        builder.Logging.AddFilter("Npgsql", LogLevel.Warning);
        builder.AddNpgsqlDataSource(connectionName, s =>
        {
            s.ConnectionString = tune is null ? cs : tune(cs);
            s.DisableHealthChecks = true;
            s.DisableTracing = !Extensions.TracingEnabled(builder.Configuration);
        });
        return builder;
    }
}
