using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Grid.DrugSupply.Infrastructure;

/// <summary>
/// Creates drug supply's schema on first start. Casework's tables share the database, so EnsureCreated (which does
/// nothing once any table exists) cannot be used; the create script runs once, under an advisory lock so that two
/// replicas starting together do not race.
/// </summary>
internal sealed class DrugsSchema(IServiceProvider services) : IHostedService
{
    private const long LockKey = 727004;

    public async Task StartAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrugsDbContext>();
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync(ct))
        {
            await creator.CreateAsync(ct);
        }

        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({LockKey})", ct);
            var exists = await db.Database.SqlQueryRaw<bool>(
                "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = 'drugs' AND table_name = 'supply_points') AS \"Value\"")
                .SingleAsync(ct);
            if (!exists)
            {
                await db.Database.ExecuteSqlRawAsync(db.Database.GenerateCreateScript(), ct);
            }

            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({LockKey})", ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>True for the unique-violation a concurrent duplicate insert raises.</summary>
    public static bool IsUniqueViolation(DbUpdateException e) =>
        e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
