using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Grid.FireSafety.Infrastructure;

/// <summary>
/// Creates fire's schema on first start. Casework's tables share the database, so EnsureCreated (which
/// does nothing once any table exists) cannot be used; the create script runs once, under an advisory
/// lock so that two replicas starting together do not race.
/// </summary>
public static class SchemaInitializer
{
    public static async Task EnsureSchemaAsync(FireDbContext db, CancellationToken ct)
    {
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync(ct))
        {
            await creator.CreateAsync(ct);
        }

        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_lock(727001)", ct);
            var exists = await db.Database.SqlQueryRaw<bool>(
                "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = 'fire' AND table_name = 'places') AS \"Value\"")
                .SingleAsync(ct);
            if (!exists)
            {
                await db.Database.ExecuteSqlRawAsync(db.Database.GenerateCreateScript(), ct);
            }

            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock(727001)", ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>True for the unique-violation a concurrent duplicate insert raises.</summary>
    public static bool IsUniqueViolation(DbUpdateException e) =>
        e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
