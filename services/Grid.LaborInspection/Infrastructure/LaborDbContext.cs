using Grid.LaborInspection.Domain;
using Microsoft.EntityFrameworkCore;

namespace Grid.LaborInspection.Infrastructure;

/// <summary>Labor's own tables, in schema <c>labor</c> of labordb (the case tables belong to Casework).</summary>
public sealed class LaborDbContext(DbContextOptions<LaborDbContext> options) : DbContext(options)
{
    public const string Schema = "labor";

    public DbSet<Employer> Employers => Set<Employer>();

    public DbSet<ComplianceRecord> ComplianceRecords => Set<ComplianceRecord>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.HasDefaultSchema(Schema);

        b.Entity<Employer>(e =>
        {
            e.ToTable("employers");
            e.Property(p => p.Kind).HasConversion<string>().HasMaxLength(24);
            e.Property(p => p.WorkingHours).HasConversion<string>().HasMaxLength(16);
            e.Property(p => p.Risk).HasConversion<string>().HasMaxLength(8);
            e.Property(p => p.Name).HasMaxLength(200);
            e.Property(p => p.SubjectId).HasMaxLength(64);
            e.Property(p => p.GridId).HasMaxLength(64);
            e.Property(p => p.Address).HasMaxLength(300);
            e.Property(p => p.LegalRepresentative).HasMaxLength(50);
            e.Property(p => p.Phone).HasMaxLength(30);
            e.Property(p => p.WeeklyHours).HasPrecision(5, 1);
            e.Property(p => p.Version).IsRowVersion();
            e.HasIndex(p => p.GridPath).HasMethod("gin");

            // One file per employer (一户一档): its legal identity is unique.
            e.HasIndex(p => p.SubjectId).IsUnique();
            e.HasIndex(p => new { p.Risk, p.NextInspectionDue });
        });

        b.Entity<ComplianceRecord>(e =>
        {
            e.ToTable("compliance_records");
            e.Property(p => p.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(p => p.Summary).HasMaxLength(500);
            e.HasIndex(p => new { p.EmployerId, p.On });
            e.HasOne<Employer>().WithMany().HasForeignKey(p => p.EmployerId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
