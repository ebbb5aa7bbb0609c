using System.Net;
using System.Net.Sockets;
using Grid.Messaging;
using Grid.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;

namespace Grid.Casework.Tests;

/// <summary>
/// A broker that accepts the connection and then never answers (what a broker killed in the middle of a
/// declaration can look like to RabbitMQ.Client) must not hold the topology — and with it the outbox relay —
/// for ever: the attempt is abandoned after its deadline and the next one, against a broker that answers, succeeds.
/// </summary>
[Collection(CaseworkCollection.Name)]
public class TopologyDeclarerTests(CaseworkFixture fx)
{
    [Fact]
    public async Task A_declaration_the_broker_never_answers_is_abandoned_and_the_next_attempt_declares()
    {
        var mq = new Uri(await fx.Infra.CreateVirtualHostAsync("cw_blackhole"));
        await using var proxy = await SilentProxy.StartAsync(mq.Port);
        var viaProxy = new UriBuilder(mq) { Port = proxy.Port }.Uri.ToString();
        var queue = new Subscription("blackhole-test", [typeof(Grid.Contracts.Events.CaseReported)]);
        var declarer = new TopologyDeclarer(
            new MessagingSettings { AmqpUri = viaProxy, BrokerCallTimeout = TimeSpan.FromSeconds(2) }, [queue], NullLogger<TopologyDeclarer>.Instance);
        await declarer.StartAsync(CancellationToken.None);
        try
        {
            // Connections are accepted and swallowed: nothing gets declared, the relay would keep waiting.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.False(declarer.Ready.IsCompleted);
            Assert.True(proxy.Swallowed >= 1);

            // The broker answers again: an abandoned attempt does not block the next one.
            proxy.Silent = false;
            await declarer.Ready.WaitAsync(TimeSpan.FromSeconds(10));
            var factory = new ConnectionFactory { Uri = mq };
            await using var conn = await factory.CreateConnectionAsync();
            await using var ch = await conn.CreateChannelAsync();
            await ch.QueueDeclarePassiveAsync(queue.Queue);
        }
        finally
        {
            await declarer.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>A TCP proxy to the broker that, while <see cref="Silent"/>, accepts connections and never answers.</summary>
    private sealed class SilentProxy : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<TcpClient> _held = [];
        private int _target;
        private int _swallowed;

        public volatile bool Silent = true;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Swallowed => Volatile.Read(ref _swallowed);

        public static Task<SilentProxy> StartAsync(int target)
        {
            var proxy = new SilentProxy { _target = target };
            proxy._listener.Start();
            _ = proxy.AcceptAsync();
            return Task.FromResult(proxy);
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception)
                {
                    return;
                }

                if (Silent)
                {
                    Interlocked.Increment(ref _swallowed);
                    lock (_held)
                    {
                        _held.Add(client);
                    }

                    continue;
                }

                _ = PipeAsync(client);
            }
        }

        private async Task PipeAsync(TcpClient client)
        {
            using (client)
            using (var broker = new TcpClient())
            {
                await broker.ConnectAsync(IPAddress.Loopback, _target);
                var a = client.GetStream();
                var b = broker.GetStream();
                await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token)).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        public ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            lock (_held)
            {
                _held.ForEach(c => c.Dispose());
            }

            return ValueTask.CompletedTask;
        }
    }
}
