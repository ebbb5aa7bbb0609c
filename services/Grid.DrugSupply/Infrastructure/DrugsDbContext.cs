using Grid.DrugSupply.Domain;
using Microsoft.EntityFrameworkCore;

namespace Grid.DrugSupply.Infrastructure;

/// <summary>Drug supply's own tables, in schema <c>drugs</c> of drugsdb (the case tables belong to Casework).</summary>
public sealed class DrugsDbContext(DbContextOptions<DrugsDbContext> options) : DbContext(options)
{
    public const string Schema = "drugs";

    public DbSet<SupplyPoint> SupplyPoints => Set<SupplyPoint>();

    public DbSet<Inspection> Inspections => Set<Inspection>();

    public DbSet<StorageReading> Readings => Set<StorageReading>();

    public DbSet<StorageEpisode> Episodes => Set<StorageEpisode>();

    public DbSet<Sample> Samples => Set<Sample>();

    public DbSet<Purchase> Purchases => Set<Purchase>();

    public DbSet<Recall> Recalls => Set<Recall>();

    public DbSet<Referral> Referrals => Set<Referral>();

    public DbSet<NetworkStaff> Staff => Set<NetworkStaff>();

    public DbSet<StaffEntry> StaffEntries => Set<StaffEntry>();

    public DbSet<InspectionPlan> Plans => Set<InspectionPlan>();

    public DbSet<StorageSilence> Silences => Set<StorageSilence>();

    /// <summary>A context on a Casework transaction's connection: drug supply's rows commit with the case change and its events.</summary>
    public static DrugsDbContext Within(Grid.Casework.Infrastructure.CaseworkTransaction tx)
    {
        var db = new DrugsDbContext(new DbContextOptionsBuilder<DrugsDbContext>().UseNpgsql(tx.Connection).Options);
        db.Database.UseTransaction(tx.Transaction);
        db.Database.AutoSavepointsEnabled = false;
        return db;
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.HasDefaultSchema(Schema);

        b.Entity<SupplyPoint>(e =>
        {
            e.ToTable("supply_points");
            e.Property(p => p.Kind).HasConversion<string>().HasMaxLength(24);
            e.Property(p => p.Name).HasMaxLength(200);
            e.Property(p => p.SubjectId).HasMaxLength(64);
            e.Property(p => p.GridId).HasMaxLength(64);
            e.Property(p => p.Address).HasMaxLength(300);
            e.Property(p => p.LicenceNumber).HasMaxLength(64);
            e.Property(p => p.GspNumber).HasMaxLength(64);
            e.Property(p => p.Version).IsRowVersion();
            e.HasIndex(p => p.GridPath).HasMethod("gin");

            // One file per regulated subject.
            e.HasIndex(p => p.SubjectId).IsUnique();
        });

        b.Entity<Inspection>(e =>
        {
            e.ToTable("inspections");
            e.Property(i => i.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(i => i.Notes).HasMaxLength(1000);
            e.Property(i => i.InspectedBy).HasMaxLength(64);
            e.HasIndex(i => new { i.PointId, i.On });
            e.HasIndex(i => i.CaseId);
            e.HasIndex(i => i.GridPath).HasMethod("gin");
            e.HasOne<SupplyPoint>().WithMany().HasForeignKey(i => i.PointId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<StorageReading>(e =>
        {
            e.ToTable("storage_readings");
            e.Property(r => r.Zone).HasConversion<string>().HasMaxLength(8);
            e.Property(r => r.Temperature).HasPrecision(5, 1);
            e.Property(r => r.Humidity).HasPrecision(5, 1);

            // A sensor resending a batch writes nothing twice.
            e.HasIndex(r => new { r.PointId, r.Zone, r.At }).IsUnique();
            e.HasOne<SupplyPoint>().WithMany().HasForeignKey(r => r.PointId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<StorageEpisode>(e =>
        {
            e.ToTable("storage_episodes");
            e.Property(x => x.Zone).HasConversion<string>().HasMaxLength(8);
            e.Property(x => x.Breach).HasMaxLength(200);

            // One open episode per point and zone is kept by the ingestion's per-point lock.
            e.HasIndex(x => new { x.PointId, x.Zone }).HasFilter("\"EndedAt\" IS NULL");
            e.HasIndex(x => x.GridPath).HasMethod("gin");
            e.HasOne<SupplyPoint>().WithMany().HasForeignKey(x => x.PointId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<Sample>(e =>
        {
            e.ToTable("samples");
            e.Property(s => s.Screening).HasConversion<string>().HasMaxLength(16);
            e.Property(s => s.Verdict).HasConversion<string>().HasMaxLength(16);
            e.Property(s => s.Product).HasMaxLength(200);
            e.Property(s => s.BatchNumber).HasMaxLength(64);
            e.Property(s => s.Manufacturer).HasMaxLength(200);
            e.Property(s => s.LabReport).HasMaxLength(1000);
            e.HasIndex(s => s.GridPath).HasMethod("gin");
            e.HasOne<SupplyPoint>().WithMany().HasForeignKey(s => s.PointId).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<Purchase>(e =>
        {
            e.ToTable("purchases");
            e.Property(p => p.Product).HasMaxLength(200);
            e.Property(p => p.BatchNumber).HasMaxLength(64);
            e.Property(p => p.Manufacturer).HasMaxLength(200);
            e.Property(p => p.Supplier).HasMaxLength(200);
            e.Property(p => p.InvoiceNumber).HasMaxLength(64);
            e.HasIndex(p => new { p.BatchNumber, p.Product });
            e.HasOne<SupplyPoint>().WithMany().HasForeignKey(p => p.PointId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<Recall>(e =>
        {
            e.ToTable("recalls");
            e.Property(r => r.Verdict).HasConversion<string>().HasMaxLength(16);
            e.Property(r => r.Product).HasMaxLength(200);
            e.Property(r => r.BatchNumber).HasMaxLength(64);
            e.Property(r => r.Manufacturer).HasMaxLength(200);
            e.HasIndex(r => new { r.PointId, r.SampleId }).IsUnique();
            e.HasIndex(r => r.GridPath).HasMethod("gin");
        });

        b.Entity<NetworkStaff>(e =>
        {
            e.ToTable("staff");
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.PersonId).HasMaxLength(64);
            e.Property(x => x.Name).HasMaxLength(100);
            e.Property(x => x.GridId).HasMaxLength(64);
            e.Property(x => x.RecommendedBy).HasMaxLength(200);
            e.Property(x => x.AppointedBy).HasMaxLength(64);
            e.Property(x => x.DismissalReason).HasMaxLength(1000);
            e.HasIndex(x => x.GridPath).HasMethod("gin");

            // One appointment in service per person and grid; a dismissed person may be appointed again.
            e.HasIndex(x => new { x.PersonId, x.GridId }).IsUnique().HasFilter("\"DismissedOn\" IS NULL");
        });

        b.Entity<StaffEntry>(e =>
        {
            e.ToTable("staff_entries");
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Text).HasMaxLength(2000);
            e.Property(x => x.Period).HasMaxLength(8);
            e.Property(x => x.Hours).HasPrecision(5, 1);
            e.Property(x => x.Score).HasPrecision(5, 1);
            e.Property(x => x.Amount).HasPrecision(10, 2);
            e.Property(x => x.RecordedBy).HasMaxLength(64);
            e.HasIndex(x => new { x.StaffId, x.Kind, x.On });

            // One assessment per person and period.
            e.HasIndex(x => new { x.StaffId, x.Period }).IsUnique().HasFilter("\"Period\" IS NOT NULL");
            e.HasOne<NetworkStaff>().WithMany().HasForeignKey(x => x.StaffId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<InspectionPlan>(e =>
        {
            e.ToTable("inspection_plans");
            e.HasKey(x => x.PointId);
            e.Property(x => x.SetBy).HasMaxLength(64);
            e.HasOne<SupplyPoint>().WithMany().HasForeignKey(x => x.PointId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<StorageSilence>(e =>
        {
            e.ToTable("storage_silences");
            e.HasIndex(x => x.GridPath).HasMethod("gin");

            // One open silence per point: two scans at once open it once.
            e.HasIndex(x => x.PointId).IsUnique().HasFilter("\"EndedAt\" IS NULL");
            e.HasOne<SupplyPoint>().WithMany().HasForeignKey(x => x.PointId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<Referral>(e =>
        {
            e.ToTable("referrals");
            e.Property(r => r.DepartmentId).HasMaxLength(64);
            e.Property(r => r.DepartmentCode).HasMaxLength(64);
            e.Property(r => r.DepartmentName).HasMaxLength(200);
            e.Property(r => r.Reason).HasMaxLength(1000);
            e.Property(r => r.Result).HasMaxLength(2000);
            e.HasIndex(r => r.CaseId);
            e.HasIndex(r => r.GridPath).HasMethod("gin");
        });
    }
}
