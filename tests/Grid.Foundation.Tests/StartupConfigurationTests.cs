using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Grid.Foundation.Tests;

/// <summary>
/// Outside Development a service refuses to start without the settings it needs, naming the key, and refuses a
/// shared HS256 signing key; in Development (and the test host) both are allowed.
/// </summary>
public class StartupConfigurationTests
{
    private static WebApplicationBuilder Builder(string environment, params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        foreach (var (k, v) in settings)
        {
            builder.Configuration[k] = v;
        }

        return builder;
    }

    [Fact]
    public void A_missing_organization_address_stops_a_production_start_naming_the_key_and_falls_back_in_development()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => Builder("Production").Required("services:organization:grpc:0", "http://127.0.0.1:5102"));
        Assert.Contains("services:organization:grpc:0", refused.Message);
        Assert.Equal("http://127.0.0.1:5102", Builder("Development").Required("services:organization:grpc:0", "http://127.0.0.1:5102"));
        Assert.Equal("http://org:5102", Builder("Production", ("services:organization:grpc:0", "http://org:5102")).Required("services:organization:grpc:0", "http://127.0.0.1:5102"));
    }

    [Fact]
    public void A_shared_hs256_key_is_refused_outside_development()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => Builder("Production", ("Identity:SigningKey", "not-for-production-0123456789abcdef")).AddGridAuthentication());
        Assert.Contains("Identity:SigningKey", refused.Message);
        Builder("Development", ("Identity:SigningKey", "fine-on-a-developer-machine-0123456789")).AddGridAuthentication();
    }
}
