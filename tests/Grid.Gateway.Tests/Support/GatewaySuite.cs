using System.Net.Http.Headers;
using Grid.LocalServers;
using Grid.Testing;
using Grid.Testing.Hosting;

namespace Grid.Gateway.Tests.Support;

/// <summary>
/// The gateway as a real process in front of real back ends: the labor and drug-supply services run from
/// their build output against a real PostgreSQL, RabbitMQ and Redis; organization, fire, environment,
/// cadre and command are echo back ends that record what reaches them.
/// </summary>
public sealed class GatewaySuite : IAsyncLifetime
{
    public const int BodyLimit = 64 * 1024;
    public const int CadreBodyLimit = 1024 * 1024;

    public static readonly string[] EchoServices = ["organization", "fire", "environment", "cadre", "command"];

    private readonly List<ProjectProcess> _gateways = [];

    public GridInfrastructure Infra { get; private set; } = null!;

    public EchoBackends Echo { get; private set; } = null!;

    public ProjectProcess Labor { get; private set; } = null!;

    public ProjectProcess Drugs { get; private set; } = null!;

    public ProjectProcess Gateway { get; private set; } = null!;

    public int GatewayGrpcPort { get; private set; }

    public async Task InitializeAsync()
    {
        Infra = await GridInfrastructure.GetAsync();
        Echo = await EchoBackends.StartAsync(EchoServices);
        var labor = StartServiceAsync("labor", "services/Grid.LaborInspection", "labordb");
        var drugs = StartServiceAsync("drugs", "services/Grid.DrugSupply", "drugsdb");
        Labor = await labor;
        Drugs = await drugs;
        GatewayGrpcPort = FreePort.Next();
        Gateway = await StartGatewayAsync(new Dictionary<string, string>
        {
            ["Grid__GrpcPort"] = GatewayGrpcPort.ToString(),
            ["Grid__MaxRequestBodyBytes"] = BodyLimit.ToString(),
            ["Gateway__Services__cadre__MaxRequestBodyBytes"] = CadreBodyLimit.ToString(),
            ["Gateway__Services__fire__Timeout"] = "00:00:01",
        });
    }

    private async Task<ProjectProcess> StartServiceAsync(string name, string project, string database) =>
        await ProjectProcess.StartAsync(name, project, new Dictionary<string, string>
        {
            [$"ConnectionStrings__{database}"] = await Infra.CreateDatabaseAsync(name),
            ["ConnectionStrings__messaging"] = await Infra.CreateVirtualHostAsync(name),
            ["ConnectionStrings__cache"] = Infra.RedisConnectionString,
            // Request lines (quiet in appsettings.json) are where the correlation id must show.
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Information",
        });

    /// <summary>
    /// Starts a gateway process routed to this suite's back ends, on the run's Redis with a key prefix of
    /// its own (or <paramref name="settings"/>' one); settings are environment variables (Gateway__…).
    /// </summary>
    public async Task<ProjectProcess> StartGatewayAsync(IReadOnlyDictionary<string, string> settings)
    {
        var env = new Dictionary<string, string>
        {
            ["ConnectionStrings__cache"] = Infra.RedisConnectionString,
            ["Gateway__RateLimit__KeyPrefix"] = GridInfrastructure.UniqueName("gwrl") + ":",
            ["services__labor__http__0"] = Labor.Url.ToString().TrimEnd('/'),
            ["services__drugs__http__0"] = Drugs.Url.ToString().TrimEnd('/'),
            ["services__organization__grpc__0"] = $"http://127.0.0.1:{Echo.GrpcPort}",
        };
        foreach (var s in EchoServices)
        {
            env[$"services__{s}__http__0"] = Echo.UrlOf(s);
        }

        foreach (var (k, v) in settings)
        {
            env[k] = v;
        }

        var gateway = await ProjectProcess.StartAsync("gateway", "gateway/Grid.Gateway", env);
        lock (_gateways)
        {
            _gateways.Add(gateway);
        }

        return gateway;
    }

    public static HttpClient Client(ProjectProcess gateway, string? token = null)
    {
        var client = new HttpClient { BaseAddress = gateway.Url, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public HttpClient Client(string? token = null) => Client(Gateway, token);

    /// <summary>A token for a fresh subject, so rate-limit counters of one test do not touch another's.</summary>
    public static string FreshToken() => TestTokens.Create(GridInfrastructure.UniqueName("user"), ["admin"]);

    public async Task DisposeAsync()
    {
        foreach (var g in _gateways)
        {
            await g.DisposeAsync();
        }

        if (Labor is not null)
        {
            await Labor.DisposeAsync();
        }

        if (Drugs is not null)
        {
            await Drugs.DisposeAsync();
        }

        if (Echo is not null)
        {
            await Echo.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewaySuite>
{
    public const string Name = "gateway";
}
