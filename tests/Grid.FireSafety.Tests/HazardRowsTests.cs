using System.Text.RegularExpressions;
using Grid.FireSafety.Domain;
using Grid.FireSafety.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Grid.FireSafety.Tests;

/// <summary>
/// The hand-written hazard insert (queued into the case transaction's commit) against EF Core's model of the same
/// table: a property added to <see cref="Hazard"/> and not to the insert would otherwise be left at its default.
/// </summary>
public class HazardRowsTests
{
    [Fact]
    public void The_hazard_insert_writes_every_column_of_the_model_once()
    {
        using var db = new FireDbContext(new DbContextOptionsBuilder<FireDbContext>().UseNpgsql("Host=model-only").Options);
        var entity = db.Model.FindEntityType(typeof(Hazard))!;
        var modelColumns = entity.GetProperties().Select(p => p.GetColumnName()).Order().ToList();

        var insert = HazardRows.Insert(new Hazard());
        var match = Regex.Match(insert.CommandText, @"INSERT INTO (\w+)\.(\w+) \(([^)]*)\)");
        Assert.True(match.Success, insert.CommandText);
        Assert.Equal(entity.GetSchema(), match.Groups[1].Value);
        Assert.Equal(entity.GetTableName(), match.Groups[2].Value);
        var written = match.Groups[3].Value.Split(',').Select(c => c.Trim().Trim('"')).ToList();
        Assert.Equal(modelColumns, written.Order().ToList());
        Assert.Equal(written.Count, insert.Parameters.Count);
    }
}
