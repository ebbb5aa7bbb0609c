using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Grid.Messaging;

namespace Grid.Casework.Infrastructure;

/// <summary>
/// 合并提交 (group commit): work items that arrive while every writer is busy are handed to the next free writer
/// together, so that concurrent requests share one transaction and one commit instead of each paying for its own
/// statements and commit. An item that finds a writer idle goes at once, alone: grouping never waits for company.
/// </summary>
/// <remarks>
/// The write delegate gets a group and records each item's own result on the item (a failure of that item alone in
/// <see cref="GroupItem.Error"/>); it throws only for what befell the whole group, and then every item of it sees
/// that exception. Each write is a span (<paramref name="name"/>) in the trace of the item's caller when the group is
/// one item, else linked to every caller's.
/// </remarks>
public sealed class GroupCommitter<TItem> : IGroupCommit<TItem>, IAsyncDisposable
    where TItem : GroupItem
{
    private readonly Channel<(TItem Item, TaskCompletionSource Done)> _queue =
        Channel.CreateUnbounded<(TItem, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });

    private readonly Func<IReadOnlyList<TItem>, Task> _write;
    private readonly int _maxGroup;
    private readonly string _name;
    private readonly Task[] _writers;

    public GroupCommitter(Func<IReadOnlyList<TItem>, Task> write, int writers, int maxGroup, string name = "group commit")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(writers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxGroup, 1);
        _write = write;
        _maxGroup = maxGroup;
        _name = name;
        // Not in the context of whichever request made this (its correlation id, its HttpContext): each item
        // brings its own context where it needs one.
        using (ExecutionContext.SuppressFlow())
        {
            _writers = Enumerable.Range(0, writers).Select(_ => Task.Run(WriteLoopAsync)).ToArray();
        }
    }

    /// <summary>Items waiting for a writer.</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>
    /// Queues <paramref name="item"/> and returns when the group it joined was written; throws what failed the whole
    /// group, or the item's own <see cref="GroupItem.Error"/>.
    /// </summary>
    public async Task SubmitAsync(TItem item, CancellationToken ct = default)
    {
        // Continuations run on the pool, not inline on the writer, which has the next group to write.
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((item, done)))
        {
            throw new ObjectDisposedException(nameof(GroupCommitter<TItem>), "The service is stopping.");
        }

        await done.Task.WaitAsync(ct);
        if (item.Error is not null)
        {
            ExceptionDispatchInfo.Throw(item.Error);
        }
    }

    private async Task WriteLoopAsync()
    {
        var group = new List<(TItem Item, TaskCompletionSource Done)>(_maxGroup);
        while (await _queue.Reader.WaitToReadAsync())
        {
            group.Clear();
            while (group.Count < _maxGroup && _queue.Reader.TryRead(out var next))
            {
                group.Add(next);
            }

            if (group.Count == 0)
            {
                continue; // another writer took them
            }

            var items = group.ConvertAll(g => g.Item);
            using var span = MessagingTrace.StartGroup(_name, items, static i => i.Caller);
            try
            {
                await _write(items);
                foreach (var (_, done) in group)
                {
                    done.TrySetResult();
                }
            }
            catch (Exception e)
            {
                span?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
                foreach (var (_, done) in group)
                {
                    done.TrySetException(e);
                }
            }
        }
    }

    /// <summary>Takes no more items, writes those already queued, and returns when the writers are done.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers);
    }
}

/// <summary>Where a caller hands one item to be written with whatever else arrives at the same time.</summary>
public interface IGroupCommit<in TItem>
{
    /// <summary>Returns when the item's group was written; throws what failed the group, or the item alone.</summary>
    Task SubmitAsync(TItem item, CancellationToken ct = default);
}

/// <summary>A work item of a <see cref="GroupCommitter{TItem}"/>.</summary>
public abstract class GroupItem
{
    /// <summary>Set by the write when this item alone failed and the rest of its group did not.</summary>
    public Exception? Error { get; set; }

    /// <summary>The span of whoever made the item (a request, a consume), whose trace the write continues.</summary>
    public ActivityContext Caller { get; } = Activity.Current?.Context ?? default;
}
