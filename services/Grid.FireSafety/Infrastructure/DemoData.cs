namespace Grid.FireSafety.Infrastructure;

/// <summary>Deterministic demo data (Grid:SeedDemoData=true, empty database).</summary>
internal sealed class DemoData(FireDbContext db)
{
    public async Task<int> SeedAsync(CancellationToken ct)
    {
        await Task.CompletedTask;
        _ = db;
        return 0;
    }
}
