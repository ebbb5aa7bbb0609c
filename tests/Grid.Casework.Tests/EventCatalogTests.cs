using Grid.Messaging;

namespace Grid.Casework.Tests;

/// <summary>docs/events.md lists every integration event type in Grid.Contracts.</summary>
public class EventCatalogTests
{
    [Fact]
    public void The_catalog_lists_every_event_type()
    {
        var catalog = File.ReadAllText(Path.Combine(TransferTests.RepoRoot(), "docs", "events.md"));
        Assert.True(EventTypes.ByName.Count >= 15);
        var missing = EventTypes.ByName.Keys.Where(name => !catalog.Contains($"### `{name}`")).ToList();
        Assert.Empty(missing);
    }
}
