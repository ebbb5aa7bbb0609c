using System.Diagnostics;

namespace Grid.Messaging;

/// <summary>
/// 链路追踪 across the outbox: the trace context an outbox row keeps (the W3C <c>traceparent</c> and <c>tracestate</c> of
/// the request that wrote it) and the spans that continue it — the relay's publish of a row, and a write made for several
/// callers at once. ServiceDefaults' tracing listens to this source ("Grid.*"); unheard, no span is started.
/// </summary>
public static class MessagingTrace
{
    public const string SourceName = "Grid.Messaging";

    /// <summary>The name of the relay's span for one row (its event type and ids are tags).</summary>
    public const string RelaySpan = "outbox relay";

    /// <summary>Tags the spans carry, so that an operator finds a case's or an event's trace.</summary>
    public const string CaseIdTag = "grid.case.id";
    public const string EventIdTag = "messaging.message.id";
    public const string EventTypeTag = "grid.event.type";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The current span's W3C <c>traceparent</c> and <c>tracestate</c>; nulls outside a span.</summary>
    public static (string? Parent, string? State) Current() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } a ? (a.Id, a.TraceStateString) : (null, null);

    /// <summary>
    /// The relay's span for publishing one outbox row (the producer's span): a child of the request that wrote the row,
    /// and the parent the consumer's span continues through the message's <c>traceparent</c> header. A row written outside
    /// any span starts a trace of its own. Null when nobody listens.
    /// </summary>
    internal static Activity? StartRelay(Guid eventId, string eventType, Guid? caseId, string? traceParent, string? traceState)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        _ = ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parent);
        var activity = Source.StartActivity(RelaySpan, ActivityKind.Producer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "rabbitmq");
            activity.SetTag("messaging.operation.type", "publish");
            activity.SetTag(EventIdTag, eventId.ToString());
            activity.SetTag(EventTypeTag, eventType);
            if (caseId is { } id)
            {
                activity.SetTag(CaseIdTag, id.ToString());
            }
        }

        return activity;
    }

    /// <summary>
    /// A span for one write made for several callers together (a group commit): the caller's child when it is alone, else
    /// a span of its own linked to each caller's, so that no caller's trace absorbs the others'. Null when nobody listens.
    /// </summary>
    public static Activity? StartGroup<T>(string name, IReadOnlyList<T> group, Func<T, ActivityContext> caller)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        if (group.Count == 1)
        {
            return Source.StartActivity(name, ActivityKind.Internal, caller(group[0]));
        }

        var links = new List<ActivityLink>(group.Count);
        for (var i = 0; i < group.Count; i++)
        {
            if (caller(group[i]) is { TraceId: var id } context && id != default)
            {
                links.Add(new ActivityLink(context));
            }
        }

        var activity = Source.StartActivity(name, ActivityKind.Internal, default(ActivityContext), links: links);
        activity?.SetTag("grid.group.size", group.Count);
        return activity;
    }
}
