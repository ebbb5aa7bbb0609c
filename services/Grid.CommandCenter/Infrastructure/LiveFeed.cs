using System.Collections.Concurrent;
using System.Threading.Channels;
using Grid.Contracts.Events;

namespace Grid.CommandCenter.Infrastructure;

/// <summary>实时动态: one line of the live feed, what the page shows when an event is applied.</summary>
public sealed record FeedItem(
    Guid EventId,
    string Type,
    DateTime OccurredAt,
    string Domain,
    Guid? CaseId,
    string CaseNumber,
    string GridId,
    IReadOnlyList<string> GridPath,
    string? State,
    string Summary)
{
    public static FeedItem From(IntegrationEvent e, string? state)
    {
        var c = e as CaseEvent;
        var path = c?.GridPath ?? (e as GridChanged)?.GridPath ?? [];
        var summary = e switch
        {
            CaseReported r => $"上报 {r.Title}",
            CaseAccepted => "立案",
            CaseRejected r => $"不予立案 {r.Reason}",
            CaseDispatched d => $"派遣 {d.Department ?? d.Assignee}",
            CaseHandled => "处置反馈",
            CaseVerified => "核查通过",
            CaseReopened => "返工",
            CaseClosed x => x.OnTime ? "按期结案" : "结案(超期)",
            CaseEscalated s => s.Reason == EscalationReasons.Major ? "挂牌督办" : $"上报至 {s.ToGridId}",
            CaseDeadlineBreached b => $"超期 {b.Step}",
            CaseTransferRequested t => $"移交 {t.TargetDomain}",
            CaseTransferAccepted => "移交已接收",
            CaseTransferResult t => $"移交结果 {t.Outcome}",
            DepartmentSummoned s => $"吹哨 {s.DepartmentId}",
            DepartmentReported r => r.Late ? $"报到(迟到) {r.DepartmentId}" : $"报到 {r.DepartmentId}",
            GridChanged g => $"网格变更 {g.GridCode}",
            _ => e.GetType().Name,
        };
        return new FeedItem(e.EventId, e.GetType().Name, e.OccurredAt.UtcDateTime, e.Domain,
            c?.CaseId, c?.CaseNumber ?? "", c?.GridId ?? (e as GridChanged)?.GridId ?? "", path, state, summary);
    }
}

/// <summary>
/// Fans applied events out to the open live-feed streams of this instance. Bounded per subscriber: a slow
/// browser loses its oldest lines rather than holding memory.
/// </summary>
public sealed class LiveFeed
{
    readonly ConcurrentDictionary<Guid, Channel<FeedItem>> _subscribers = new();

    public int SubscriberCount => _subscribers.Count;

    public void Publish(FeedItem item)
    {
        foreach (var channel in _subscribers.Values)
        {
            channel.Writer.TryWrite(item);
        }
    }

    public (Guid Id, ChannelReader<FeedItem> Reader) Subscribe()
    {
        var id = Guid.NewGuid();
        var channel = Channel.CreateBounded<FeedItem>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
        _subscribers[id] = channel;
        return (id, channel.Reader);
    }

    public void Unsubscribe(Guid id)
    {
        if (_subscribers.TryRemove(id, out var channel))
        {
            channel.Writer.TryComplete();
        }
    }
}
