using System.Text.Json;
using System.Text.Json.Nodes;
using Grid.Contracts.Events;

namespace Grid.Messaging;

/// <summary>
/// 订阅清单: every subscriber's queue and the events bound to it, declared before anyone publishes. Events
/// published before a subscriber's queue exists are dropped by RabbitMQ (docs/architecture.md), so publishers
/// declare all of these at start and the broker can load the same set from deploy/rabbitmq/definitions.json
/// (generated from this list; a test keeps them equal). The layout is MassTransit's own: a fanout exchange
/// per message type, bound to an exchange named like the queue, bound to the queue.
/// </summary>
public static class CaseworkTopology
{
    /// <summary>The joint command centre's queue: every case, summons and grid event.</summary>
    public const string CommandCentreQueue = "command-centre";

    /// <summary>干部监督问责: the cadre supervision service's queue of every domain's missed deadlines, closures, reopens and reports for duty.</summary>
    public const string CadreAccountabilityQueue = "cadre-accountability";

    /// <summary>Each domain's casework queue: transfers in and out.</summary>
    public static string CaseworkQueue(string domain) => $"{domain}-casework";

    public static readonly IReadOnlyList<Type> TransferEvents =
        [typeof(CaseTransferRequested), typeof(CaseTransferAccepted), typeof(CaseTransferResult)];

    /// <summary>
    /// The case domains whose service runs the case life cycle (calls AddCasework) and so consumes transfers: the only
    /// valid targets of a transfer, and the only casework queues declared. A domain joins when its service does: a
    /// queue without a consumer would only grow, and a transfer to it would stay 'transferred' for ever.
    /// </summary>
    public static readonly IReadOnlyList<string> CaseDomains = [Domains.Fire, Domains.Environment, Domains.Labor, Domains.Drugs, Domains.Cadre];

    public static IReadOnlyList<Subscription> Subscriptions { get; } = Build();

    private static List<Subscription> Build()
    {
        var list = CaseDomains.Select(d => new Subscription(CaseworkQueue(d), TransferEvents)).ToList();
        list.Add(new Subscription(CadreAccountabilityQueue, [typeof(CaseDeadlineBreached), typeof(CaseClosed), typeof(CaseReopened), typeof(DepartmentReported)]));
        list.Add(new Subscription(CommandCentreQueue, EventTypes.ByName.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToList()));
        return list;
    }

    /// <summary>The RabbitMQ definitions document (management "import definitions" format) for a vhost.</summary>
    public static string Definitions(string vhost = "/")
    {
        var exchanges = new JsonArray();
        var queues = new JsonArray();
        var bindings = new JsonArray();
        var seen = new HashSet<string>();
        void Exchange(string name)
        {
            if (seen.Add(name))
            {
                exchanges.Add(new JsonObject
                {
                    ["name"] = name,
                    ["vhost"] = vhost,
                    ["type"] = "fanout",
                    ["durable"] = true,
                    ["auto_delete"] = false,
                    ["internal"] = false,
                    ["arguments"] = new JsonObject(),
                });
            }
        }

        foreach (var s in Subscriptions)
        {
            queues.Add(new JsonObject { ["name"] = s.Queue, ["vhost"] = vhost, ["durable"] = true, ["auto_delete"] = false, ["arguments"] = new JsonObject() });
            Exchange(s.Queue);
            bindings.Add(Binding(s.Queue, s.Queue, "queue"));
            foreach (var t in s.Events)
            {
                Exchange(EventTypes.ExchangeName(t));
                bindings.Add(Binding(EventTypes.ExchangeName(t), s.Queue, "exchange"));
            }
        }

        JsonObject Binding(string source, string destination, string type) => new()
        {
            ["source"] = source,
            ["vhost"] = vhost,
            ["destination"] = destination,
            ["destination_type"] = type,
            ["routing_key"] = "",
            ["arguments"] = new JsonObject(),
        };

        var doc = new JsonObject { ["queues"] = queues, ["exchanges"] = exchanges, ["bindings"] = bindings };
        return doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}

/// <summary>One subscriber queue and the event types bound to it.</summary>
public sealed record Subscription(string Queue, IReadOnlyList<Type> Events);
