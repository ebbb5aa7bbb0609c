using Grid.Casework.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Grid.Casework.Tests;

/// <summary>
/// A domain's tables at start: a database from before a column was added gains it, one made by this version is left
/// alone — with the shapes the domains use (a concurrency token on PostgreSQL's xmin, a collection stored as JSON).
/// </summary>
[Collection(CaseworkCollection.Name)]
public class DomainSchemaTests(CaseworkFixture fx)
{
    [Fact]
    public async Task A_table_from_before_a_column_gains_it_and_a_current_one_is_left_alone()
    {
        var cs = await fx.Infra.CreateDatabaseAsync("cw_schema");
        var log = new StatementLog();
        await EnsureAsync(cs, log);
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync();
            await using var old = new NpgsqlCommand("""
                ALTER TABLE sample.places DROP COLUMN "Note";
                INSERT INTO sample.places ("Id", "Name", "Checks") VALUES (1, '老仓库', '[]');
                """, conn);
            await old.ExecuteNonQueryAsync();
        }

        await EnsureAsync(cs, log);
        var added = Assert.Single(log.Statements);
        Assert.Contains("ADD COLUMN \"Note\" text", added);

        await using (var db = new SampleContext(cs))
        {
            var place = await db.Places.SingleAsync();
            Assert.Equal("", place.Note);
            place.Note = "消防通道已清理";
            await db.SaveChangesAsync();
        }

        log.Statements.Clear();
        await EnsureAsync(cs, log);
        Assert.Empty(log.Statements);
    }

    private static async Task EnsureAsync(string cs, ILogger log)
    {
        await using var db = new SampleContext(cs);
        await DomainSchema<SampleContext>.EnsureAsync(db, "sample", "places", CancellationToken.None, log);
    }

    public sealed class Place
    {
        public int Id { get; set; }

        public string Name { get; set; } = "";

        public string Note { get; set; } = "";

        public uint Version { get; set; }

        public List<Check> Checks { get; set; } = [];
    }

    public sealed class Check
    {
        public string Item { get; set; } = "";
    }

    private sealed class SampleContext(string cs) : DbContext
    {
        public DbSet<Place> Places => Set<Place>();

        protected override void OnConfiguring(DbContextOptionsBuilder options) => options.UseNpgsql(cs);

        protected override void OnModelCreating(ModelBuilder b)
        {
            b.HasDefaultSchema("sample");
            b.Entity<Place>(e =>
            {
                e.ToTable("places");
                e.Property(p => p.Id).ValueGeneratedNever();
                e.Property(p => p.Version).IsRowVersion();
                e.OwnsMany(p => p.Checks, c => c.ToJson());
            });
        }
    }

    /// <summary>The statements the upgrade logs, one per statement it runs.</summary>
    private sealed class StatementLog : ILogger
    {
        public List<string> Statements { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Statements.Add(formatter(state, exception));
    }
}
