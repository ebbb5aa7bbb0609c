using System.Diagnostics;
using System.Net;
using Grid.Gateway.Tests.Support;
using Grid.LocalServers;
using Grid.Testing.Hosting;

namespace Grid.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public class RateLimitTests(GatewaySuite suite)
{
    [Fact]
    public async Task Two_gateway_replicas_share_one_limit_per_client_in_redis()
    {
        var shared = new Dictionary<string, string>
        {
            ["Gateway__RateLimit__KeyPrefix"] = Grid.Testing.GridInfrastructure.UniqueName("shared") + ":",
            ["Gateway__RateLimit__Routes__fire__PermitLimit"] = "4",
            ["Gateway__RateLimit__Routes__fire__Window"] = "00:01:00",
        };
        var startA = suite.StartGatewayAsync(shared);
        var startB = suite.StartGatewayAsync(shared);
        var (a, b) = (await startA, await startB);
        var token = GatewaySuite.FreshToken();
        var marker = Http.Marker();
        using var clientA = GatewaySuite.Client(a, token);
        using var clientB = GatewaySuite.Client(b, token);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var r = await (i % 2 == 0 ? clientA : clientB).GetAsync($"/api/fire/v1/places/{marker}");
            statuses.Add(r.StatusCode);
        }

        using var overA = await clientA.GetAsync($"/api/fire/v1/places/{marker}");
        using var overB = await clientB.GetAsync($"/api/fire/v1/places/{marker}");

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        foreach (var over in new[] { overA, overB })
        {
            var problem = await over.ProblemAsync(429);
            Assert.Equal("fire", problem.Str("route"));
            var retryAfter = int.Parse(over.Headers.GetValues("Retry-After").Single());
            Assert.InRange(retryAfter, 1, 60);
        }

        // Refused requests never reached the service: 4 of 6 arrived.
        Assert.Equal(4, suite.Echo.SeenWith(marker).Count);

        // The limit is per client and per route: another token, and another route, still pass.
        using var other = GatewaySuite.Client(b, GatewaySuite.FreshToken());
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync($"/api/fire/v1/places/{marker}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await clientA.GetAsync($"/api/environment/v1/places/{marker}")).StatusCode);
    }

    [Fact]
    public async Task Replicas_lease_permits_in_blocks_and_together_never_exceed_the_limit()
    {
        // A limit of 500 leases 10 permits per Redis call; 600 requests, half at each replica, 8 at a time.
        var prefix = Grid.Testing.GridInfrastructure.UniqueName("lease") + ":";
        var shared = new Dictionary<string, string>
        {
            ["Gateway__RateLimit__KeyPrefix"] = prefix,
            ["Gateway__RateLimit__Routes__fire__PermitLimit"] = "500",
            ["Gateway__RateLimit__Routes__fire__Window"] = "00:05:00",
        };
        var startA = suite.StartGatewayAsync(shared);
        var startB = suite.StartGatewayAsync(shared);
        var (a, b) = (await startA, await startB);
        var subject = Grid.Testing.GridInfrastructure.UniqueName("busy");
        var token = Grid.Testing.TestTokens.Create(subject, ["admin"]);
        var marker = Http.Marker();
        using var clientA = GatewaySuite.Client(a, token);
        using var clientB = GatewaySuite.Client(b, token);

        var codes = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        await Parallel.ForAsync(0, 600, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            using var r = await (i % 2 == 0 ? clientA : clientB).GetAsync($"/api/fire/v1/places/{marker}", ct);
            codes.Add(r.StatusCode);
        });

        var allowed = codes.Count(c => c == HttpStatusCode.OK);
        Assert.Equal(600, allowed + codes.Count(c => c == HttpStatusCode.TooManyRequests));
        // Never over; under by at most the lease each replica may still hold when the other finds the window used up.
        Assert.InRange(allowed, 500 - (2 * 10), 500);
        Assert.Equal(allowed, suite.Echo.SeenWith(marker).Count);

        // Redis counted in blocks of 10, one fetch at a time per replica, and refusals were answered locally once
        // the window was used up: 50 to 52 calls for 600 requests, where counting each request would have reached 600.
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(suite.Infra.RedisConnectionString);
        var counted = (long)await redis.GetDatabase().StringGetAsync($"{prefix}fire:sub:{subject}");
        Assert.Equal(0, counted % 10);
        Assert.InRange(counted, 500, 500 + (2 * 10));
    }

    [Fact]
    public async Task A_leased_window_refuses_locally_with_retry_after_and_admits_again_when_it_ends()
    {
        // A limit of 100 leases 2 permits per Redis call.
        var gateway = await suite.StartGatewayAsync(new Dictionary<string, string>
        {
            ["Gateway__RateLimit__KeyPrefix"] = Grid.Testing.GridInfrastructure.UniqueName("window") + ":",
            ["Gateway__RateLimit__Routes__fire__PermitLimit"] = "100",
            ["Gateway__RateLimit__Routes__fire__Window"] = "00:00:03",
        });
        var marker = Http.Marker();
        using var client = GatewaySuite.Client(gateway, GatewaySuite.FreshToken());
        var started = Stopwatch.StartNew();
        var codes = new List<HttpStatusCode>();
        var firstAnswered = TimeSpan.Zero;
        for (var i = 0; i < 102; i++)
        {
            using var r = await client.GetAsync($"/api/fire/v1/places/{marker}");
            codes.Add(r.StatusCode);
            if (i == 0)
            {
                // The window opened in Redis while the first request was on its way, no later than its answer.
                firstAnswered = started.Elapsed;
            }

            if (r.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var retry = int.Parse(r.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(retry, 1, 3);
            }
        }

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(3), $"the 102 requests took {started.Elapsed}; the window must not end in between");
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 100).Concat([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests]), codes);
        Assert.Equal(100, suite.Echo.SeenWith(marker).Count);

        // The window ends: the replica's used-up mark lapses with it and the client is admitted again.
        await Task.Delay(firstAnswered + TimeSpan.FromSeconds(3.5) - started.Elapsed);
        using var after = await client.GetAsync($"/api/fire/v1/places/{marker}");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(101, suite.Echo.SeenWith(marker).Count);
    }

    [Fact]
    public async Task Anonymous_callers_are_limited_by_address_on_the_token_route()
    {
        var gateway = await suite.StartGatewayAsync(new Dictionary<string, string>
        {
            ["Gateway__RateLimit__Routes__organization-token__PermitLimit"] = "2",
        });
        var marker = Http.Marker();
        using var client = GatewaySuite.Client(gateway);

        var codes = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            using var r = await client.PostAsync($"/api/org/v1/token?{marker}", new StringContent("{}"));
            codes.Add((int)r.StatusCode);
        }

        Assert.Equal([200, 200, 429], codes);
        Assert.Equal(2, suite.Echo.SeenWith(marker).Count);
    }

    [Fact]
    public async Task With_redis_down_requests_pass_unlimited_with_a_warning_never_a_500()
    {
        var deadRedis = FreePort.Next(); // nothing listens there
        var gateway = await suite.StartGatewayAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__cache"] = $"127.0.0.1:{deadRedis}",
            ["Gateway__RateLimit__Routes__fire__PermitLimit"] = "1",
        });
        var marker = Http.Marker();
        using var client = GatewaySuite.Client(gateway, GatewaySuite.FreshToken());

        var watch = Stopwatch.StartNew();
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var r = await client.GetAsync($"/api/fire/v1/places/{marker}");
            codes.Add(r.StatusCode);
        }

        watch.Stop();
        Assert.All(codes, c => Assert.Equal(HttpStatusCode.OK, c)); // a limit of 1 not enforced: fail open
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Contains("Rate limits are NOT enforced", gateway.Log);
        using var health = await client.GetAsync("/health");
        var report = await health.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Degraded", report.GetProperty("entries").GetProperty("ratelimit-redis").Str("status"));
    }
}
