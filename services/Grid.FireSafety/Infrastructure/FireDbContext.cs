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

        b.Entity<TownshipAssessment>(e =>
        {
            e.ToTable("township_assessments");
            e.HasIndex(a => new { a.GridId, a.Year }).IsUnique();
        });
    }
}
