using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grid.Testing;
using RabbitMQ.Client;

namespace Grid.Organization.Tests;

/// <summary>
/// A grid written through the API leaves its GridChanged in the outbox of the same transaction; the relay
/// publishes it to the broker (publisher confirms) and only then marks the row published.
/// </summary>
public sealed class GridChangedPublishingTests
{
    [Fact]
    public async Task A_created_grid_is_announced_on_the_broker_and_its_outbox_row_marked_published()
    {
        var infra = await GridInfrastructure.GetAsync();
        var db = await infra.CreateDatabaseAsync("org_pub");
        var mq = await infra.CreateVirtualHostAsync("org_pub");

        // A subscriber's queue on MassTransit's exchange for the event type, as the command centre declares it.
        var factory = new ConnectionFactory { Uri = new Uri(mq) };
        await using var conn = await factory.CreateConnectionAsync();
        await using var ch = await conn.CreateChannelAsync();
        const string exchange = "Grid.Contracts.Events:GridChanged";
        await ch.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true);
        await ch.QueueDeclareAsync("org-pub-probe", durable: true, exclusive: false, autoDelete: false);
        await ch.QueueBindAsync("org-pub-probe", exchange, "");

        await using var org = new GridServiceFactory<Program>()
            .WithConnectionString("organizationdb", db)
            .WithConnectionString("messaging", mq)
            .WithConnectionString("cache", infra.RedisConnectionString)
            .WithSetting("Grid:CachePrefix", GridInfrastructure.UniqueName("orgpub"));
        using var admin = org.CreateClient(TestTokens.Admin());
        var created = await admin.PostAsJsonAsync("/api/org/v1/grids",
            OrgHost.GridBody("PUB-1", "公告县", "县", null, OrgHost.Rect(110.0, 30.0, 110.5, 30.5)));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();

        JsonElement message = default;
        await Wait.UntilAsync(async () =>
        {
            var got = await ch.BasicGetAsync("org-pub-probe", autoAck: true);
            if (got is null)
            {
                return false;
            }

            message = JsonDocument.Parse(Encoding.UTF8.GetString(got.Body.Span)).RootElement.GetProperty("message");
            return true;
        }, TimeSpan.FromSeconds(20), "GridChanged on the broker");
        Assert.Equal(id.ToString(), message.GetProperty("gridId").GetString());
        Assert.Equal("PUB-1", message.GetProperty("gridCode").GetString());
        await Wait.UntilAsync(async () => await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.outbox WHERE state = 0") == 0,
            TimeSpan.FromSeconds(10), "the outbox row to be marked published");
        Assert.Equal(1L, await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.outbox WHERE state = 1"));
    }
}
