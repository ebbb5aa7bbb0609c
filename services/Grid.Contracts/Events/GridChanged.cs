namespace Grid.Contracts.Events;

/// <summary>A grid's boundary, parent, people or notice changed: caches of it must go.</summary>
public sealed record GridChanged : IntegrationEvent
{
    public string GridId { get; init; } = "";

    public string GridCode { get; init; } = "";

    /// <summary>created, updated, deleted, staff.</summary>
    public string Change { get; init; } = "";

    public IReadOnlyList<string> GridPath { get; init; } = [];
}
