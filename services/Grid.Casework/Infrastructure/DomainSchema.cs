using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Grid.Casework.Infrastructure;

/// <summary>
/// Creates a domain's own tables (EF Core) on first start. Casework's tables share the database, so EnsureCreated
/// (which does nothing once any table exists) cannot be used; the create script runs once, under an advisory lock
/// so that two replicas starting together do not race. The domain's schema name is its lock. A database made by an
/// earlier version gains the tables the model has added since (their CREATE TABLE and CREATE INDEX statements from the
/// same script); a column added to an existing table is not (that needs a migration of its own).
/// </summary>
public sealed class DomainSchema<TContext>(IServiceProvider services, string schema, string sentinelTable) : IHostedService
    where TContext : DbContext
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        await EnsureAsync(scope.ServiceProvider.GetRequiredService<TContext>(), schema, sentinelTable, ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    public static async Task EnsureAsync(TContext db, string schema, string sentinelTable, CancellationToken ct)
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
                var missing = db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>().Distinct().Except(existing).ToList();
                foreach (var statement in Statements(db.Database.GenerateCreateScript(), schema, missing))
                {
                    await db.Database.ExecuteSqlRawAsync(statement, ct);
                }
            }

            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock(hashtext({0}))", [schema], ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The statements of the create script that create one of <paramref name="tables"/> or an index on it, in order.</summary>
    internal static IEnumerable<string> Statements(string script, string schema, IReadOnlyCollection<string> tables)
    {
        var onTable = new Regex($"""^CREATE (?:UNIQUE )?(?:TABLE|INDEX [^\n]*? ON) "?{Regex.Escape(schema)}"?\."?(?<table>[a-z_]+)"?""");
        return script.Split(";", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(s => onTable.Match(s) is { Success: true } m && tables.Contains(m.Groups["table"].Value));
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
