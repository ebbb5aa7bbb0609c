using System.Text;
using Grid.LocalServers;
using Grid.Testing;
using Grid.Testing.Hosting;
using Npgsql;
using RabbitMQ.Client;
using StackExchange.Redis;

namespace Grid.Foundation.Tests;

public class InfrastructureTests
{
    [Fact]
    public async Task Postgres_answers_with_postgis()
    {
        var infra = await GridInfrastructure.GetAsync();
        await using var conn = new NpgsqlConnection(await infra.CreateDatabaseAsync("found"));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT ST_Contains(ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0))'), ST_Point(5, 5))", conn);
        Assert.True((bool)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task RabbitMq_routes_a_message_within_its_own_virtual_host()
    {
        var infra = await GridInfrastructure.GetAsync();
        var uri = await infra.CreateVirtualHostAsync("found");
        var factory = new ConnectionFactory { Uri = new Uri(uri) };
        await using var conn = await factory.CreateConnectionAsync();
        await using var channel = await conn.CreateChannelAsync();
        var q = await channel.QueueDeclareAsync("probe", durable: false, exclusive: true, autoDelete: true);
        await channel.BasicPublishAsync("", q.QueueName, Encoding.UTF8.GetBytes("巡查"));
        BasicGetResult? got = null;
        for (var i = 0; i < 50 && got is null; i++)
        {
            got = await channel.BasicGetAsync(q.QueueName, autoAck: true);
            if (got is null)
            {
                await Task.Delay(50);
            }
        }

        Assert.NotNull(got);
        Assert.Equal("巡查", Encoding.UTF8.GetString(got!.Body.Span));
    }

    [Fact]
    public async Task Redis_answers()
    {
        var infra = await GridInfrastructure.GetAsync();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(infra.RedisConnectionString);
        var key = GridInfrastructure.UniqueName("found") + ":k";
        await redis.GetDatabase().StringSetAsync(key, "网格");
        Assert.Equal("网格", (string?)await redis.GetDatabase().StringGetAsync(key));
    }

    [Fact]
    public async Task A_second_set_of_servers_side_by_side_does_not_collide_and_leaves_nothing_behind()
    {
        var shared = await GridInfrastructure.GetAsync();
        var dir = Directory.CreateTempSubdirectory("grid-second-").FullName;
        var second = await GridInfrastructure.StartOwnAsync(dir);
        var pg = second.Resources.OfType<LocalPostgres>().Single();
        var mq = second.Resources.OfType<LocalRabbitMq>().Single();
        var redis = second.Resources.OfType<LocalRedis>().Single();
        try
        {
            Assert.NotEqual(shared.PostgresPort, pg.Port);
            Assert.NotEqual(shared.RabbitMqPort, mq.Port);
            Assert.NotEqual(shared.RedisPort, redis.Port);

            // A key written to the second Redis is not in the shared one.
            var key = GridInfrastructure.UniqueName("side") + ":k";
            await using (var r2 = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString))
            {
                await r2.GetDatabase().StringSetAsync(key, "second");
            }

            await using (var r1 = await ConnectionMultiplexer.ConnectAsync(shared.RedisConnectionString))
            {
                Assert.False(await r1.GetDatabase().KeyExistsAsync(key));
            }

            // A database created on the second server does not exist on the shared one.
            await pg.EnsureDatabaseAsync("only_on_second");
            await using var conn = new NpgsqlConnection(shared.PostgresConnectionString("postgres"));
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = 'only_on_second'", conn);
            Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
            Assert.True(FreePort.IsListening(mq.Port));
            Assert.True(FreePort.IsListening(mq.EpmdPort));
        }
        finally
        {
            await second.StopAsync();
        }

        // Stopped means gone: nothing listens on its ports any more.
        Assert.False(FreePort.IsListening(pg.Port));
        Assert.False(FreePort.IsListening(mq.Port));
        Assert.False(FreePort.IsListening(mq.ManagementPort));
        Assert.False(FreePort.IsListening(mq.EpmdPort)); // its epmd daemon too
        Assert.False(FreePort.IsListening(redis.Port));
        Directory.Delete(dir, recursive: true);
    }
}
