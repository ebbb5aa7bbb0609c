using Grid.CadreSupervision.Domain;
using Grid.CadreSupervision.Infrastructure;
using Grid.Casework.Infrastructure;
using Grid.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Grid.CadreSupervision.Tests;

/// <summary>A cadre database made by the version before the kinds of lapse is brought up to the model at start.</summary>
public sealed class SchemaUpgradeTests
{
    [Fact]
    public async Task An_accountability_table_from_before_the_kinds_of_lapse_gains_them_and_keeps_its_records()
    {
        var infra = await GridInfrastructure.GetAsync();
        var cs = await infra.CreateDatabaseAsync("cadre-upgrade");
        await using (var db = Context(cs))
        {
            await DomainSchema<CadreDbContext>.EnsureAsync(db, CadreDbContext.Schema, "cadres", CancellationToken.None);
        }

        // That version's shape: every record a missed deadline (no kind, no reopen count, the deadline required), none
        // of the two unique indexes on kinds, no unit assessments; and one breach on file.
        var legacy = Guid.NewGuid();
        await ExecuteAsync(cs, $"""
            DROP TABLE cadre.unit_assessments;
            DROP INDEX cadre."IX_accountability_records_CaseId";
            DROP INDEX cadre."IX_accountability_records_CaseId_Responsible_Deadline";
            ALTER TABLE cadre.accountability_records DROP COLUMN "Kind", DROP COLUMN "ReopenCount", ALTER COLUMN "Deadline" SET NOT NULL;
            INSERT INTO cadre.accountability_records ("Id", "EventId", "Domain", "CaseId", "CaseNumber", "Step", "Deadline",
                "Responsible", "ResponsibleGridId", "GridPath", "Period", "OccurredAt")
            VALUES ('{legacy}', gen_random_uuid(), 'fire', gen_random_uuid(), 'FS-1', 'accept', now(), 'staff:1', 'village-a1',
                ARRAY['county','town-a','village-a1'], '2026-11', now());
            """);

        await using (var db = Context(cs))
        {
            await DomainSchema<CadreDbContext>.EnsureAsync(db, CadreDbContext.Schema, "cadres", CancellationToken.None);
        }

        // Started again on the upgraded database, nothing is left to do.
        await using (var db = Context(cs))
        {
            await DomainSchema<CadreDbContext>.EnsureAsync(db, CadreDbContext.Schema, "cadres", CancellationToken.None);
        }

        await using var after = Context(cs);
        var old = await after.Accountability.SingleAsync(r => r.Id == legacy);
        Assert.Equal(AccountabilityRules.Breach, old.Kind);
        Assert.NotNull(old.Deadline);
        Assert.Null(old.ReopenCount);

        // A record of the new kinds: no deadline, a reopen count; one per case, as the new index says.
        var reopenedCase = Guid.NewGuid();
        after.Accountability.Add(Reopened(reopenedCase));
        await after.SaveChangesAsync();
        after.Accountability.Add(Reopened(reopenedCase));
        var duplicate = await Assert.ThrowsAsync<DbUpdateException>(() => after.SaveChangesAsync());
        Assert.True(DomainSchema.IsUniqueViolation(duplicate), duplicate.InnerException?.Message);

        var tables = await after.Database.SqlQueryRaw<string>(
            "SELECT table_name AS \"Value\" FROM information_schema.tables WHERE table_schema = 'cadre'").ToListAsync();
        Assert.Equal(after.Model.GetEntityTypes().Select(e => e.GetTableName()).Order(), tables.Order());
    }

    private static AccountabilityRecord Reopened(Guid caseId) => new()
    {
        Id = Guid.NewGuid(),
        Kind = AccountabilityRules.Reopened,
        EventId = Guid.NewGuid(),
        Domain = "fire",
        CaseId = caseId,
        CaseNumber = "FS-2",
        Step = "verify",
        ReopenCount = 3,
        Responsible = "staff:2",
        ResponsibleGridId = "village-a1",
        GridPath = ["county", "town-a", "village-a1"],
        Period = "2026-12",
        OccurredAt = DateTimeOffset.UtcNow,
    };

    private static CadreDbContext Context(string cs) =>
        new(new DbContextOptionsBuilder<CadreDbContext>().UseNpgsql(cs).Options);

    private static async Task ExecuteAsync(string cs, string sql)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
