using System.Net;
using Grid.Gateway.Tests.Support;
using Grid.Testing;

namespace Grid.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public class BackendFailureTests(GatewaySuite suite)
{
    [Fact]
    public async Task A_stopped_service_gives_a_503_problem_naming_it_and_traffic_resumes_when_it_returns()
    {
        using var client = suite.Client(TestTokens.Admin());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/drugs/v1/about")).StatusCode);

        await suite.Drugs.StopAsync();
        try
        {
            using var down = await client.GetAsync("/api/drugs/v1/about");
            var problem = await down.ProblemAsync(503);
            Assert.Equal("drugs", problem.Str("service"));
            Assert.Contains("drugs", problem.Str("title"));
            Assert.True(down.Headers.Contains("Retry-After"));

            using var health = await client.GetAsync("/health");
            var entries = (await health.JsonAsync()).GetProperty("entries");
            Assert.Equal("Degraded", entries.GetProperty("drugs").Str("status"));
            Assert.Contains("drugs", entries.GetProperty("drugs").Str("description"));
            Assert.Equal("Healthy", entries.GetProperty("labor").Str("status"));

            // The other services are untouched.
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/labor/v1/about")).StatusCode);
        }
        finally
        {
            await suite.Drugs.RestartAsync();
        }

        // No restart of the gateway, no sticky failure: the very next requests go through.
        for (var i = 0; i < 5; i++)
        {
            using var back = await client.GetAsync("/api/drugs/v1/about");
            Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        }
    }

    [Fact]
    public async Task A_silent_service_gives_a_504_problem_naming_it_after_its_route_timeout()
    {
        var marker = Http.Marker();
        using var client = suite.Client(TestTokens.Admin());
        var started = DateTime.UtcNow;

        using var response = await client.GetAsync($"/api/fire/v1/{marker}/slow");

        var problem = await response.ProblemAsync(504);
        Assert.Equal("fire", problem.Str("service"));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2.8), "the 1 s timeout of fire applied, not the 3 s of the back end");
    }

    [Fact]
    public async Task An_oversized_body_gives_a_413_problem_and_never_reaches_the_service()
    {
        var marker = Http.Marker();
        using var client = suite.Client(TestTokens.Admin());

        using var declared = await client.PostAsync($"/api/fire/v1/upload/{marker}", new ByteArrayContent(new byte[GatewaySuite.BodyLimit + 1]));
        var problem = await declared.ProblemAsync(413);
        Assert.Equal("fire", problem.Str("service"));
        Assert.Empty(suite.Echo.SeenWith(marker));

        // A chunked body declares no length: Kestrel cuts it at the same limit while it streams. (The client
        // asks before sending, as curl does, so that it reads the answer instead of writing into a closed socket.)
        using var chunked = new HttpRequestMessage(HttpMethod.Post, $"/api/fire/v1/upload/{marker}-chunked")
        {
            Content = new ByteArrayContent(new byte[GatewaySuite.BodyLimit + 1024]),
        };
        chunked.Headers.TransferEncodingChunked = true;
        chunked.Headers.ExpectContinue = true;
        using var streamed = await client.SendAsync(chunked);
        await streamed.ProblemAsync(413);

        // Within the limit it passes whole.
        using var fits = await client.PostAsync($"/api/fire/v1/upload/{marker}-fits", new ByteArrayContent(new byte[GatewaySuite.BodyLimit]));
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
        Assert.Equal(GatewaySuite.BodyLimit, Assert.Single(suite.Echo.SeenWith(marker + "-fits")).BodyBytes);
    }

    [Fact]
    public async Task A_service_can_have_a_larger_body_limit_of_its_own()
    {
        var marker = Http.Marker();
        using var client = suite.Client(TestTokens.Admin());

        using var response = await client.PostAsync($"/api/cadre/v1/attachments/{marker}", new ByteArrayContent(new byte[GatewaySuite.BodyLimit * 4]));
        using var big = new HttpRequestMessage(HttpMethod.Post, $"/api/cadre/v1/attachments/{marker}-2")
        {
            Content = new ByteArrayContent(new byte[GatewaySuite.CadreBodyLimit + 1]),
        };
        big.Headers.ExpectContinue = true; // refused before the megabyte is sent
        using var tooBig = await client.SendAsync(big);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(GatewaySuite.BodyLimit * 4, Assert.Single(suite.Echo.SeenWith(marker)).BodyBytes);
        await tooBig.ProblemAsync(413);
    }
}
