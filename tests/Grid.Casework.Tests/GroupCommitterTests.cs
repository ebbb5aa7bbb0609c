using Grid.Casework.Infrastructure;
using Grid.Testing;

namespace Grid.Casework.Tests;

/// <summary>合并提交 as a plain class: what queues behind a busy writer goes together, and each caller learns its own fate.</summary>
public class GroupCommitterTests
{
    private sealed class Item(int n) : GroupItem
    {
        public int N { get; } = n;
    }

    /// <summary>A write that records each group and waits at a gate, so tests decide when a writer is busy.</summary>
    private sealed class Recorder
    {
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public System.Collections.Concurrent.ConcurrentQueue<int[]> Groups { get; } = new();

        public Func<IReadOnlyList<Item>, Task>? Then { get; set; }

        public async Task WriteAsync(IReadOnlyList<Item> group)
        {
            Groups.Enqueue(group.Select(i => i.N).ToArray());
            Entered.TrySetResult();
            await Gate.Task;
            if (Then is not null)
            {
                await Then(group);
            }
        }
    }

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Items_that_queue_behind_a_busy_writer_go_together_at_most_max_group_at_a_time()
    {
        var write = new Recorder();
        await using var groups = new GroupCommitter<Item>(write.WriteAsync, writers: 1, maxGroup: 5);
        var first = groups.SubmitAsync(new Item(0));
        await write.Entered.Task.WaitAsync(Timeout);
        var queued = Enumerable.Range(1, 7).Select(n => groups.SubmitAsync(new Item(n))).ToList();
        Assert.False(first.IsCompleted);
        Assert.All(queued, q => Assert.False(q.IsCompleted));

        write.Gate.SetResult();
        await Task.WhenAll(queued.Append(first)).WaitAsync(Timeout);
        var written = write.Groups.ToArray();
        Assert.Equal([[0], [1, 2, 3, 4, 5], [6, 7]], written);
    }

    [Fact]
    public async Task An_items_own_error_goes_to_its_caller_alone_and_a_groups_failure_to_every_caller_of_that_group()
    {
        var write = new Recorder
        {
            Then = group =>
            {
                if (group.Any(i => i.N == 99))
                {
                    throw new InvalidOperationException("the whole group failed");
                }

                foreach (var i in group.Where(i => i.N == 3))
                {
                    i.Error = new ArgumentException("item 3 alone");
                }

                return Task.CompletedTask;
            },
        };
        await using var groups = new GroupCommitter<Item>(write.WriteAsync, writers: 1, maxGroup: 10);
        var first = groups.SubmitAsync(new Item(0));
        await write.Entered.Task.WaitAsync(Timeout);
        var calls = Enumerable.Range(1, 4).Select(n => groups.SubmitAsync(new Item(n))).ToList();
        write.Gate.SetResult();
        await first.WaitAsync(Timeout);
        await Task.WhenAll(calls.Where((_, i) => i != 2)).WaitAsync(Timeout);
        var own = await Assert.ThrowsAsync<ArgumentException>(() => calls[2]);
        Assert.Equal("item 3 alone", own.Message);

        // A later group that fails as a whole: both of its callers see the failure.
        var hold = new TaskCompletionSource();
        write.Then = async group =>
        {
            if (group.Any(i => i.N == 50))
            {
                await hold.Task;
                return;
            }

            if (group.Any(i => i.N == 99))
            {
                throw new InvalidOperationException("the whole group failed");
            }
        };
        var busy = groups.SubmitAsync(new Item(50));
        await Wait.UntilAsync(() => Task.FromResult(write.Groups.Any(g => g.Contains(50))), Timeout, "the writer busy");
        var doomed = new[] { groups.SubmitAsync(new Item(98)), groups.SubmitAsync(new Item(99)) };
        hold.SetResult();
        await busy.WaitAsync(Timeout);
        foreach (var d in doomed)
        {
            var e = await Assert.ThrowsAsync<InvalidOperationException>(() => d.WaitAsync(Timeout));
            Assert.Equal("the whole group failed", e.Message);
        }

        Assert.Contains(write.Groups, g => g.SequenceEqual([98, 99]));
    }

    [Fact]
    public async Task Disposing_writes_what_is_queued_and_then_refuses_new_items()
    {
        var write = new Recorder();
        var groups = new GroupCommitter<Item>(write.WriteAsync, writers: 2, maxGroup: 3);
        var calls = Enumerable.Range(0, 8).Select(n => groups.SubmitAsync(new Item(n))).ToList();
        await write.Entered.Task.WaitAsync(Timeout);
        var disposing = groups.DisposeAsync().AsTask();
        Assert.False(disposing.IsCompleted);

        write.Gate.SetResult();
        await disposing.WaitAsync(Timeout);
        Assert.All(calls, c => Assert.True(c.IsCompletedSuccessfully));
        Assert.Equal(Enumerable.Range(0, 8), write.Groups.SelectMany(g => g).Order());
        Assert.All(write.Groups, g => Assert.InRange(g.Length, 1, 3));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => groups.SubmitAsync(new Item(9)));
    }
}
