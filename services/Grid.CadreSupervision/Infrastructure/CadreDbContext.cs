using Grid.CadreSupervision.Domain;
using Microsoft.EntityFrameworkCore;

namespace Grid.CadreSupervision.Infrastructure;

/// <summary>Cadre supervision's own tables, in schema <c>cadre</c> of cadredb (the case tables belong to Casework).</summary>
public sealed class CadreDbContext(DbContextOptions<CadreDbContext> options) : DbContext(options)
{
    public const string Schema = "cadre";

    public DbSet<Cadre> Cadres => Set<Cadre>();

    public DbSet<RegisterEntry> Entries => Set<RegisterEntry>();

    public DbSet<Warning> Warnings => Set<Warning>();

    public DbSet<UnitTask> UnitTasks => Set<UnitTask>();

    public DbSet<UnitContact> UnitContacts => Set<UnitContact>();

    public DbSet<AccountabilityRecord> Accountability => Set<AccountabilityRecord>();

    public DbSet<MeasureProposal> Proposals => Set<MeasureProposal>();

    public DbSet<MonthlyReport> MonthlyReports => Set<MonthlyReport>();

    public DbSet<MonthlyBreach> MonthlyBreaches => Set<MonthlyBreach>();

    public DbSet<SupervisionGroup> Groups => Set<SupervisionGroup>();

    public DbSet<Commitment> Commitments => Set<Commitment>();

    public DbSet<ResidentEvaluation> Evaluations => Set<ResidentEvaluation>();

    public DbSet<UnitAssessment> UnitAssessments => Set<UnitAssessment>();

    /// <summary>A context on a Casework transaction's connection: the file's rows commit with their audit entries and events.</summary>
    public static CadreDbContext Within(Grid.Casework.Infrastructure.CaseworkTransaction tx)
    {
        var db = new CadreDbContext(new DbContextOptionsBuilder<CadreDbContext>().UseNpgsql(tx.Connection).Options);
        db.Database.UseTransaction(tx.Transaction);
        db.Database.AutoSavepointsEnabled = false;
        return db;
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.HasDefaultSchema(Schema);

        b.Entity<Cadre>(e =>
        {
            e.ToTable("cadres");
            e.Property(p => p.Name).HasMaxLength(50);
            e.Property(p => p.Post).HasMaxLength(100);
            e.Property(p => p.DepartmentId).HasMaxLength(64);
            e.Property(p => p.DepartmentName).HasMaxLength(200);
            e.Property(p => p.GridId).HasMaxLength(64);
            e.HasIndex(p => p.GridPath).HasMethod("gin");
            e.HasIndex(p => p.DepartmentId);
        });

        b.Entity<RegisterEntry>(e =>
        {
            e.ToTable("register_entries");
            // Records from before the kinds were all missed deadlines; a database from then gets the column with this value.
            e.Property(p => p.Kind).HasMaxLength(16).HasDefaultValue(AccountabilityRules.Breach);
            e.Property(p => p.Circle).HasMaxLength(32);
            e.Property(p => p.Summary).HasMaxLength(2000);
            e.HasIndex(p => new { p.CadreId, p.RecordedAt });
            e.HasIndex(p => p.CaseId).IsUnique().HasFilter("\"CaseId\" IS NOT NULL");
            e.HasOne<Cadre>().WithMany().HasForeignKey(p => p.CadreId);
        });

        b.Entity<Warning>(e =>
        {
            e.ToTable("warnings");
            e.Property(p => p.Reason).HasMaxLength(1000);
            e.HasIndex(p => new { p.CadreId, p.IssuedOn });
            e.HasIndex(p => p.DepartmentId);
            e.HasOne<Cadre>().WithMany().HasForeignKey(p => p.CadreId);
        });

        b.Entity<UnitTask>(e =>
        {
            e.ToTable("unit_tasks");
            e.Property(p => p.Kind).HasMaxLength(32);
            e.HasIndex(p => p.DepartmentId);
            e.HasOne<Warning>().WithMany().HasForeignKey(p => p.WarningId);
        });

        b.Entity<UnitContact>(e =>
        {
            e.ToTable("unit_contacts");
            e.HasKey(p => new { p.Subject, p.DepartmentId });
        });

        b.Entity<AccountabilityRecord>(e =>
        {
            e.ToTable("accountability_records");
            // Records from before the kinds were all missed deadlines; a database from then gets the column with this value.
            e.Property(p => p.Kind).HasMaxLength(16).HasDefaultValue(AccountabilityRules.Breach);
            e.HasIndex(p => p.EventId).IsUnique();
            e.HasIndex(p => new { p.Responsible, p.Period });

            // A summons missed (the scheduler's breach) and then answered late is one lapse, whichever arrives first.
            e.HasIndex(p => new { p.CaseId, p.Responsible, p.Deadline }).IsUnique().HasFilter("\"Step\" = 'report-for-duty'");

            // A case reopened too often is one record, however many more times it is reopened.
            e.HasIndex(p => p.CaseId).IsUnique().HasFilter("\"Kind\" = 'reopened'");
            e.HasIndex(p => p.GridPath).HasMethod("gin");
        });

        b.Entity<MeasureProposal>(e =>
        {
            e.ToTable("measure_proposals");
            e.Property(p => p.Measure).HasMaxLength(32);
            e.Property(p => p.State).HasMaxLength(16);
            e.Property(p => p.Reason).HasMaxLength(1000);
            e.HasIndex(p => new { p.Responsible, p.Period, p.Measure }).IsUnique();
            e.HasIndex(p => p.GridPath).HasMethod("gin");
        });

        b.Entity<MonthlyReport>(e =>
        {
            e.ToTable("monthly_reports");
            e.Property(p => p.Month).HasMaxLength(7);
            e.Property(p => p.Summary).HasMaxLength(4000);
            e.HasIndex(p => new { p.GridId, p.Month }).IsUnique();
        });

        b.Entity<MonthlyBreach>(e =>
        {
            e.ToTable("monthly_breaches");
            e.Property(p => p.Month).HasMaxLength(7);
            e.HasIndex(p => new { p.GridId, p.Month }).IsUnique();
        });

        b.Entity<Commitment>(e =>
        {
            e.ToTable("commitments");
            e.Property(p => p.Text).HasMaxLength(1000);
            e.Property(p => p.Progress).HasMaxLength(2000);
            e.HasIndex(p => new { p.CadreId, p.Year });
            e.HasOne<Cadre>().WithMany().HasForeignKey(p => p.CadreId);
        });

        b.Entity<ResidentEvaluation>(e =>
        {
            e.ToTable("resident_evaluations");
            e.Property(p => p.RaterKind).HasMaxLength(32);
            e.Property(p => p.Rating).HasMaxLength(16);
            e.HasIndex(p => new { p.Year, p.CadreId });
            e.HasOne<Cadre>().WithMany().HasForeignKey(p => p.CadreId);
        });

        b.Entity<UnitAssessment>(e =>
        {
            e.ToTable("unit_assessments");
            e.HasKey(p => new { p.CadreId, p.Year });
            e.Property(p => p.Score).HasPrecision(5, 2);
            e.HasOne<Cadre>().WithMany().HasForeignKey(p => p.CadreId);
        });

        b.Entity<SupervisionGroup>(e =>
        {
            e.ToTable("supervision_groups");
            e.HasKey(p => p.GridId);
            e.HasIndex(p => p.GridPath).HasMethod("gin");
        });
    }
}
