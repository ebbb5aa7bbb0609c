using Npgsql;

namespace Grid.Organization.Infrastructure;

public static class DemoCounty
{
    public static Task SeedAsync(NpgsqlDataSource db, IConfiguration configuration, ILogger logger, CancellationToken ct) => Task.CompletedTask;
}
