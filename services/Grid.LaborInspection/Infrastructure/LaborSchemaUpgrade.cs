using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;

namespace Grid.LaborInspection.Infrastructure;

/// <summary>
/// Brings a labor database made by an earlier version up to the model: Casework's <c>DomainSchema</c> creates labor's
/// tables only on a database without them, so a table the model gained since (inspections, campaigns …) is created
/// here from the same generated script — its CREATE TABLE and CREATE INDEX statements — under the schema's advisory lock.
/// </summary>
internal sealed partial class LaborSchemaUpgrade(IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LaborDbContext>();
        var tables = db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>().Distinct().ToList();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_lock(hashtext({0}))", [LaborDbContext.Schema], ct);
            var existing = await db.Database.SqlQueryRaw<string>(
                "SELECT table_name AS \"Value\" FROM information_schema.tables WHERE table_schema = {0}", LaborDbContext.Schema).ToListAsync(ct);
            var missing = tables.Except(existing).ToList();
            if (missing.Count > 0 && existing.Count > 0)
            {
                foreach (var statement in Statements(db.Database.GenerateCreateScript(), missing))
                {
                    await db.Database.ExecuteSqlRawAsync(statement, ct);
                }
            }

            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock(hashtext({0}))", [LaborDbContext.Schema], ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>The statements of the script that create one of <paramref name="tables"/> or an index on it, in order.</summary>
    internal static IEnumerable<string> Statements(string script, IReadOnlyCollection<string> tables) =>
        script.Split(";", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(s => OnTable().Match(s) is { Success: true } m && tables.Contains(m.Groups["table"].Value));

    [GeneratedRegex("""^CREATE (?:UNIQUE )?(?:TABLE|INDEX [^\n]*? ON) "?labor"?\."?(?<table>[a-z_]+)"?""")]
    private static partial Regex OnTable();
}
