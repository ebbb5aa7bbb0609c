using Grid.LaborInspection.Domain;
using Microsoft.EntityFrameworkCore;

namespace Grid.LaborInspection.Infrastructure;

/// <summary>Labor's own tables, in schema <c>labor</c> of labordb (the case tables belong to Casework).</summary>
public sealed class LaborDbContext(DbContextOptions<LaborDbContext> options) : DbContext(options)
{
    public const string Schema = "labor";

    public DbSet<Employer> Employers => Set<Employer>();

    public DbSet<ComplianceRecord> ComplianceRecords => Set<ComplianceRecord>();

    public DbSet<Complaint> Complaints => Set<Complaint>();

    public DbSet<ComplaintBreach> ComplaintBreaches => Set<ComplaintBreach>();

    public DbSet<Mediation> Mediations => Set<Mediation>();

    public DbSet<Inspection> Inspections => Set<Inspection>();

    public DbSet<Campaign> Campaigns => Set<Campaign>();

    public DbSet<CampaignTask> CampaignTasks => Set<CampaignTask>();

    public DbSet<RolloutBaseline> RolloutBaselines => Set<RolloutBaseline>();

    /// <summary>A context on a Casework transaction's connection: labor's rows commit with the case change and its events.</summary>
    public static LaborDbContext Within(Grid.Casework.Infrastructure.CaseworkTransaction tx)
    {
        var db = new LaborDbContext(new DbContextOptionsBuilder<LaborDbContext>().UseNpgsql(tx.Connection).Options);
        db.Database.UseTransaction(tx.Transaction);
        db.Database.AutoSavepointsEnabled = false;
        return db;
    }

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

        b.Entity<Complaint>(e =>
        {
            e.ToTable("complaints");
            e.HasKey(c => c.CaseId);
            e.Property(c => c.Channel).HasMaxLength(16);
            e.Property(c => c.AmountClaimed).HasPrecision(14, 2);
            e.HasIndex(c => c.GridPath).HasMethod("gin");
            e.HasIndex(c => c.EmployerId);
            e.HasIndex(c => c.AcceptBy).HasFilter("\"AcceptedOn\" IS NULL AND \"RefusedReason\" IS NULL");
            e.HasIndex(c => c.FinishBy).HasFilter("\"FinishedOn\" IS NULL");
        });

        b.Entity<Mediation>(e =>
        {
            e.ToTable("mediations");
            e.Property(m => m.AmountClaimed).HasPrecision(14, 2);
            e.Property(m => m.AmountAgreed).HasPrecision(14, 2);
            e.Property(m => m.MediatedBy).HasMaxLength(64);
            e.HasIndex(m => m.CaseId).IsUnique();
            e.HasIndex(m => m.EmployerId);
        });

        b.Entity<Inspection>(e =>
        {
            e.ToTable("inspections");
            e.Property(p => p.GridId).HasMaxLength(64);
            e.Property(p => p.InspectorId).HasMaxLength(64);
            e.Property(p => p.InspectorName).HasMaxLength(100);
            e.Property(p => p.Summary).HasMaxLength(2000);
            e.OwnsMany(p => p.Checklist, c => c.ToJson());
            e.OwnsMany(p => p.Findings, c => c.ToJson());
            e.HasIndex(p => p.GridPath).HasMethod("gin");
            e.HasIndex(p => new { p.EmployerId, p.InspectedOn });
            e.HasIndex(p => p.InspectedOn);
            e.HasOne<Employer>().WithMany().HasForeignKey(p => p.EmployerId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<RolloutBaseline>(e =>
        {
            e.ToTable("rollout_baselines");
            e.HasKey(p => p.GridId);
            e.Property(p => p.GridId).HasMaxLength(64);
            e.Property(p => p.UpdatedBy).HasMaxLength(64);
            e.HasIndex(p => p.GridPath).HasMethod("gin");
        });

        b.Entity<Campaign>(e =>
        {
            e.ToTable("campaigns");
            e.Property(p => p.Name).HasMaxLength(200);
            e.Property(p => p.GridId).HasMaxLength(64);
            e.Property(p => p.CreatedBy).HasMaxLength(64);
            e.Property(p => p.MinRisk).HasConversion<string>().HasMaxLength(8);
            e.Property(p => p.Kinds).HasConversion(
                k => k.Select(x => x.ToString()).ToArray(),
                a => a.Select(Enum.Parse<EmployerKind>).ToList(),
                new Microsoft.EntityFrameworkCore.ChangeTracking.ValueComparer<List<EmployerKind>>(
                    (x, y) => x!.SequenceEqual(y!), x => x.Aggregate(0, (h, k) => HashCode.Combine(h, k)), x => x.ToList()));
            e.HasIndex(p => p.GridPath).HasMethod("gin");
        });

        b.Entity<CampaignTask>(e =>
        {
            e.ToTable("campaign_tasks");
            e.Property(p => p.GridId).HasMaxLength(64);
            e.HasIndex(p => new { p.CampaignId, p.EmployerId }).IsUnique();
            e.HasIndex(p => p.GridPath).HasMethod("gin");
            e.HasOne<Campaign>().WithMany().HasForeignKey(p => p.CampaignId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Employer>().WithMany().HasForeignKey(p => p.EmployerId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<ComplaintBreach>(e =>
        {
            e.ToTable("complaint_breaches");
            e.HasIndex(x => new { x.CaseId, x.Step }).IsUnique();
            e.HasIndex(x => x.GridPath).HasMethod("gin");
        });
    }
}
