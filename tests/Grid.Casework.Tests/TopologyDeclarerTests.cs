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
}
