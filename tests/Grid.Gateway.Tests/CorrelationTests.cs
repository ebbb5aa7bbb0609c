using Grid.Gateway.Tests.Support;
using Grid.Testing;

namespace Grid.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public class CorrelationTests(GatewaySuite suite)
{
    private const string Header = "X-Correlation-Id";

    [Fact]
    public async Task The_callers_correlation_id_reaches_the_service_its_log_and_comes_back_once()
    {
        var id = "corr-" + Guid.NewGuid().ToString("N");
        using var client = suite.Client(TestTokens.Admin());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/labor/v1/about");
        request.Headers.Add(Header, id);

        using var response = await client.SendAsync(request);

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(id, Assert.Single(response.Headers.GetValues(Header)));
        // The labor service logged its handling of the request under the same id.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!suite.Labor.Log.Contains(id, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var lines = suite.Labor.Log.Split('\n').Where(l => l.Contains(id, StringComparison.Ordinal)).ToList();
        Assert.Contains(lines, l => l.Contains("/api/labor/v1/about", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_one_the_gateway_makes_an_id_the_back_end_receives_and_the_caller_gets_once()
    {
        var marker = Http.Marker();
        using var client = suite.Client(TestTokens.Admin());

        using var response = await client.GetAsync($"/api/environment/v1/readings/{marker}");

        var id = Assert.Single(response.Headers.GetValues(Header));
        Assert.Equal(id, Assert.Single(suite.Echo.SeenWith(marker)).CorrelationId);
    }

    [Fact]
    public async Task A_hostile_correlation_id_is_replaced_not_forwarded()
    {
        var marker = Http.Marker();
        using var client = suite.Client(TestTokens.Admin());
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/environment/v1/readings/{marker}");
        request.Headers.TryAddWithoutValidation(Header, "x\" injected=1 " + new string('a', 300));

        using var response = await client.SendAsync(request);

        var id = Assert.Single(response.Headers.GetValues(Header));
        Assert.DoesNotContain("injected", id);
        Assert.Equal(id, Assert.Single(suite.Echo.SeenWith(marker)).CorrelationId);
    }
}
