using Grid.Contracts.Events;

namespace Grid.Messaging;

/// <summary>Every concrete integration event in Grid.Contracts, by the short name the outbox stores.</summary>
public static class EventTypes
{
    public static readonly IReadOnlyDictionary<string, Type> ByName = typeof(IntegrationEvent).Assembly.GetTypes()
        .Where(t => t is { IsAbstract: false, IsClass: true } && typeof(IntegrationEvent).IsAssignableFrom(t))
        .ToDictionary(t => t.Name);

    /// <summary>The exchange MassTransit publishes a type to ("Grid.Contracts.Events:CaseReported").</summary>
    public static string ExchangeName(Type t) => $"{t.Namespace}:{t.Name}";
}
