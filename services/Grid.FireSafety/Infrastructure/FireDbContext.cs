using Grid.FireSafety.Domain;
using Microsoft.EntityFrameworkCore;

namespace Grid.FireSafety.Infrastructure;

/// <summary>Fire's own tables, in schema <c>fire</c> of firedb (the case tables belong to Casework).</summary>
public sealed class FireDbContext(DbContextOptions<FireDbContext> options) : DbContext(options)
{
    public const string Schema = "fire";

    public DbSet<Place> Places => Set<Place>();

    public DbSet<DutyAssignment> Duties => Set<DutyAssignment>();

    public DbSet<InspectionRecord> Inspections => Set<InspectionRecord>();

    public DbSet<EquipmentPoint> EquipmentPoints => Set<EquipmentPoint>();

    public DbSet<TownshipAssessment> TownshipAssessments => Set<TownshipAssessment>();

    public DbSet<Hazard> Hazards => Set<Hazard>();

    public DbSet<RectificationNotice> Notices => Set<RectificationNotice>();

    public DbSet<ListedSupervision> ListedSupervisions => Set<ListedSupervision>();

    public DbSet<RewardClaim> RewardClaims => Set<RewardClaim>();

    /// <summary>A context on a Casework transaction's connection: fire's rows commit with the case change and its events.</summary>
    public static FireDbContext Within(Grid.Casework.Infrastructure.CaseworkTransaction tx)
    {
        var db = new FireDbContext(new DbContextOptionsBuilder<FireDbContext>().UseNpgsql(tx.Connection).Options);
        db.Database.UseTransaction(tx.Transaction);
        // No savepoint around each SaveChanges (two more round trips a report): a failure aborts the casework
        // transaction as a whole, so there is nothing for a savepoint to keep.
        db.Database.AutoSavepointsEnabled = false;
        return db;
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.HasDefaultSchema(Schema);

        b.Entity<Place>(e =>
        {
            e.ToTable("places");
            e.Property(p => p.Category).HasConversion<string>().HasMaxLength(32);
            e.Property(p => p.NineSmallKind).HasConversion<string>().HasMaxLength(32);
            e.Property(p => p.FileKind).HasConversion<string>().HasMaxLength(16);
            e.Property(p => p.Authority).HasConversion<string>().HasMaxLength(16);
            e.Property(p => p.Name).HasMaxLength(200);
            e.Property(p => p.GridId).HasMaxLength(64);
            e.Property(p => p.SubjectId).HasMaxLength(64);
            e.OwnsOne(p => p.Signage, s => s.ToJson());
            e.HasIndex(p => p.GridPath).HasMethod("gin");
            e.HasIndex(p => p.SubjectId);
        });

        b.Entity<DutyAssignment>(e =>
        {
            e.ToTable("duty_assignments");
            e.HasIndex(d => new { d.StaffId, d.Role, d.GridId, d.From }).IsUnique();
            e.HasIndex(d => d.GridPath).HasMethod("gin");
        });

        b.Entity<InspectionRecord>(e =>
        {
            e.ToTable("inspections");
            e.Property(i => i.Activity).HasConversion<string>().HasMaxLength(16);
            e.OwnsMany(i => i.Checklist, c => c.ToJson());
            e.OwnsMany(i => i.Findings, c => c.ToJson());
            e.HasIndex(i => i.GridPath).HasMethod("gin");
            e.HasIndex(i => new { i.InspectorId, i.StartedAt });
            e.HasIndex(i => i.StartedAt);
        });

        b.Entity<EquipmentPoint>(e =>
        {
            e.ToTable("equipment_points");
            e.Property(p => p.Kind).HasConversion<string>().HasMaxLength(16);
            e.OwnsMany(p => p.Items, c => c.ToJson());
            e.HasIndex(p => p.GridPath).HasMethod("gin");
        });

        b.Entity<Hazard>(e =>
        {
            e.ToTable("hazards");
            e.HasKey(h => h.CaseId);
            e.HasIndex(h => h.GridPath).HasMethod("gin");
            e.HasIndex(h => h.PlaceId);
        });

        b.Entity<RectificationNotice>(e =>
        {
            e.ToTable("rectification_notices");
            e.HasIndex(n => n.Number).IsUnique();
            e.HasIndex(n => n.CaseId);
            e.OwnsMany(n => n.ReInspections, r => r.ToJson());
        });

        b.Entity<ListedSupervision>(e =>
        {
            e.ToTable("listed_supervisions");
            e.HasIndex(l => l.CaseId).IsUnique();
            e.HasIndex(l => l.GridPath).HasMethod("gin");
        });

        b.Entity<RewardClaim>(e =>
        {
            e.ToTable("reward_claims");
            e.HasKey(r => r.CaseId);
            e.Property(r => r.Amount).HasPrecision(12, 2);
            e.HasIndex(r => r.GridPath).HasMethod("gin");
        });

        b.Entity<TownshipAssessment>(e =>
        {
            e.ToTable("township_assessments");
            e.HasIndex(a => new { a.GridId, a.Year }).IsUnique();
        });
    }
}
