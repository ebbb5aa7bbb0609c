using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Grid.Casework.Infrastructure;

/// <summary>
/// Creates a domain's own tables (EF Core) on first start. Casework's tables share the database, so EnsureCreated
/// (which does nothing once any table exists) cannot be used; the create script runs once, under an advisory lock
/// so that two replicas starting together do not race. The domain's schema name is its lock. A database made by an
/// earlier version is brought up to the model: the tables it has added since (their CREATE TABLE and CREATE INDEX
/// statements from the same script), the columns it has added to a table (filled with their default on existing rows),
/// the NOT NULL it has dropped, and the indexes it has added. Nothing is ever dropped or narrowed: that needs a
/// migration of its own.
/// </summary>
public sealed class DomainSchema<TContext>(IServiceProvider services, string schema, string sentinelTable) : IHostedService
    where TContext : DbContext
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        await EnsureAsync(scope.ServiceProvider.GetRequiredService<TContext>(), schema, sentinelTable, ct,
            services.GetRequiredService<ILogger<DomainSchema<TContext>>>());
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    public static async Task EnsureAsync(TContext db, string schema, string sentinelTable, CancellationToken ct, ILogger? log = null)
    {
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync(ct))
        {
            await creator.CreateAsync(ct);
        }

        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_lock(hashtext({0}))", [schema], ct);
            var existing = await db.Database.SqlQueryRaw<string>(
                "SELECT table_name AS \"Value\" FROM information_schema.tables WHERE table_schema = {0}", schema).ToListAsync(ct);
            if (!existing.Contains(sentinelTable))
            {
                await db.Database.ExecuteSqlRawAsync(db.Database.GenerateCreateScript(), ct);
            }
            else
            {
                await UpgradeAsync(db, schema, existing, ct, log);
            }

            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock(hashtext({0}))", [schema], ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task UpgradeAsync(TContext db, string schema, List<string> existingTables, CancellationToken ct, ILogger? log)
    {
        var script = db.Database.GenerateCreateScript();
        var columns = await db.Database.SqlQueryRaw<string>(
            "SELECT table_name || '|' || column_name || '|' || is_nullable AS \"Value\" FROM information_schema.columns WHERE table_schema = {0}",
            schema).ToListAsync(ct);
        var indexes = await db.Database.SqlQueryRaw<string>(
            "SELECT indexname AS \"Value\" FROM pg_indexes WHERE schemaname = {0}", schema).ToListAsync(ct);
        var statements = SchemaUpgrade.MissingTables(script, schema, existingTables)
            .Concat(SchemaUpgrade.ColumnChanges(db.GetService<IDesignTimeModel>().Model, schema, existingTables, columns.Select(SchemaUpgrade.Column).ToList()))
            .Concat(SchemaUpgrade.MissingIndexes(script, schema, indexes));
        foreach (var statement in statements)
        {
            log?.LogInformation("Bringing the {Schema} schema up to the model: {Statement}", schema, statement);
            await db.Database.ExecuteSqlRawAsync(statement, ct);
        }
    }
}

public static class DomainSchema
{
    /// <summary>Registers the creation of a domain's tables; register it before AddCasework, whose services use the database.</summary>
    public static IServiceCollection AddDomainSchema<TContext>(this IServiceCollection services, string schema, string sentinelTable)
        where TContext : DbContext =>
        services.AddHostedService(sp => new DomainSchema<TContext>(sp, schema, sentinelTable));

    /// <summary>True for the unique-violation a concurrent duplicate insert raises.</summary>
    public static bool IsUniqueViolation(DbUpdateException e) =>
        e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
