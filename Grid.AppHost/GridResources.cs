using Grid.AppHost.Hosting;

namespace Grid.AppHost;

/// <summary>The resource graph of the whole suite (docs/architecture.md), as Aspire's Program.cs would write it.</summary>
public static class GridResources
{
    /// <summary>Fixed local ports of a suite a person runs; the README lists them.</summary>
    public static class Ports
    {
        public const int Gateway = 8080;

        /// <summary>HTTP/2 without TLS for department systems' gRPC calls through the gateway.</summary>
        public const int GatewayGrpc = 8081;
        public const int Postgres = 25432;
        public const int RabbitMq = 25672;
        public const int RabbitMqManagement = 25673;
        public const int Redis = 26379;
    }

    /// <summary>Every service: name, project folder, HTTP port, optional gRPC port, database name.</summary>
    public static readonly IReadOnlyList<(string Name, string Project, int Http, int? Grpc, string Database)> Services =
    [
        ("organization", "services/Grid.Organization", 5101, 5102, "organizationdb"),
        ("fire", "services/Grid.FireSafety", 5111, null, "firedb"),
        ("environment", "services/Grid.EnvironmentMonitoring", 5121, null, "environmentdb"),
        ("labor", "services/Grid.LaborInspection", 5131, null, "labordb"),
        ("drugs", "services/Grid.DrugSupply", 5141, null, "drugsdb"),
        ("cadre", "services/Grid.CadreSupervision", 5151, null, "cadredb"),
        ("command", "services/Grid.CommandCenter", 5161, null, "commanddb"),
    ];

    /// <summary>
    /// What each service's own client-credentials token may do, as posts (role@domain:grid): each reads the
    /// grids of its own domain and, for reports by comprehensive-grid workers, of the comprehensive grid; the
    /// command centre reads every domain. Nothing more: a client with no posts configured holds none.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ClientPosts = new Dictionary<string, string>
    {
        ["fire"] = "service@fire:*,service@comprehensive:*",
        ["environment"] = "service@environment:*,service@comprehensive:*",
        ["labor"] = "service@labor:*,service@comprehensive:*",
        ["drugs"] = "service@drugs:*,service@comprehensive:*",
        ["cadre"] = "service@cadre:*,service@comprehensive:*",
        ["command"] = "reader@*:*",
    };

    /// <summary>The services that seal reporters' identities (举报人保密) and so hold the reporter key; no other does.</summary>
    public static readonly IReadOnlySet<string> ReporterKeyHolders = new HashSet<string> { "fire", "environment", "labor" };

    /// <summary>The services that keep a case audit chain (Grid.Casework's AddCasework): each gets the chain's key.</summary>
    public static readonly IReadOnlySet<string> AuditChains = new HashSet<string> { "fire", "environment", "labor" };

    /// <summary>The organization service's key-encryption key for its signing keys (AES-GCM); no other service gets it.</summary>
    public const string KeyEncryptionKey = "Identity__KeyEncryptionKey";

    public static DistributedApplication Suite(AppHostOptions o)
    {
        // The fixed ports a person expects, or free ones for a suite that must not collide with another (tests).
        int Port(int fixedPort) => o.FreePorts ? FreePort.Next() : fixedPort;
        var builder = DistributedApplication.CreateBuilder(o.StateDir, o.RepoRoot, o.Configuration);
        var postgres = builder.AddPostgres("postgres", Port(Ports.Postgres));
        var messaging = builder.AddRabbitMQ("messaging", Port(Ports.RabbitMq), Port(Ports.RabbitMqManagement));
        var cache = builder.AddRedis("cache", Port(Ports.Redis));
        // Each service calls organization with its own client credentials; the secrets live under .grid/, never in the repository.
        static string ClientSecret(string service) => $"Identity__Clients__{service}__Secret";
        // One audit key per service: whoever reads one service's configuration cannot re-chain another's trail.
        static string AuditKey(string service) => $"Casework__AuditKey__{service}";
        var secrets = LocalSecrets.LoadOrCreate(o.StateDir,
            ["Casework__ReporterKey", KeyEncryptionKey, .. AuditChains.Select(AuditKey), .. Services.Skip(1).Select(s => ClientSecret(s.Name))]);

        var http = Services.ToDictionary(s => s.Name, s => Port(s.Http));
        var jwks = $"http://127.0.0.1:{http["organization"]}/.well-known/jwks.json";
        var services = new List<ExecutableResource>();
        foreach (var s in Services)
        {
            var project = builder.AddProject(s.Name, s.Project)
                .WithHttpEndpoint(http[s.Name])
                .WithReference(postgres.AddDatabase(s.Database))
                .WithReference(messaging)
                .WithReference(cache)
                .WithEnvironment("Grid__SeedDemoData", "true")
                .WithEnvironment("Identity__JwksUrl", jwks);
            if (ReporterKeyHolders.Contains(s.Name))
            {
                project.WithEnvironment("Casework__ReporterKey", secrets["Casework__ReporterKey"]);
            }

            if (AuditChains.Contains(s.Name))
            {
                // The audit chain's MAC key lives outside the database, so that whoever can write to it cannot re-chain it.
                project.WithEnvironment("Casework__AuditKey", secrets[AuditKey(s.Name)]);
            }

            if (s.Grpc is int grpc)
            {
                // The service itself must know which of its ports speaks HTTP/2 only (cleartext gRPC needs prior knowledge).
                var grpcPort = Port(grpc);
                project.WithEndpoint("grpc", grpcPort)
                    .WithEnvironment("Grid__GrpcPort", grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            if (s.Name == "organization")
            {
                // Generated passwords go to a file of the user's alone, not into the log; the signing keys in its
                // database are sealed with a key that only its configuration holds.
                project.WithEnvironment("Identity__CredentialsFile", Path.Combine(o.StateDir, "demo-logins.txt"))
                    .WithEnvironment(KeyEncryptionKey, secrets[KeyEncryptionKey]);
                foreach (var client in Services.Skip(1))
                {
                    project.WithEnvironment(ClientSecret(client.Name), secrets[ClientSecret(client.Name)])
                        .WithEnvironment($"Identity__Clients__{client.Name}__Posts", ClientPosts[client.Name]);
                }
            }
            else
            {
                project.WithEnvironment("Identity__ClientId", s.Name).WithEnvironment("Identity__ClientSecret", secrets[ClientSecret(s.Name)]);
            }

            services.Add(project);
        }

        // Every service finds organization (tokens, grids) through service discovery.
        var organization = services[0];
        foreach (var s in services.Skip(1))
        {
            s.WithReference(organization);
        }

        // The gateway binds its HTTP/2-only gRPC port itself (Grid:GrpcPort); the "grpc" endpoint only publishes it.
        var gatewayHttp = Port(Ports.Gateway);
        var gatewayGrpc = Port(Ports.GatewayGrpc);
        var gateway = builder.AddProject("gateway", "gateway/Grid.Gateway")
            .WithHttpEndpoint(gatewayHttp)
            .WithEndpoint("grpc", gatewayGrpc)
            .WithEnvironment("ASPNETCORE_URLS", $"http://127.0.0.1:{gatewayHttp}")
            .WithEnvironment("Grid__GrpcPort", gatewayGrpc.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithReference(cache)
            .WithEnvironment("Identity__JwksUrl", jwks);
        foreach (var s in services)
        {
            gateway.WithReference(s);
        }

        if (o.StartTimeout is { } timeout)
        {
            foreach (var r in builder.Resources.OfType<ExecutableResource>())
            {
                r.StartTimeout = timeout;
            }
        }

        return builder.Build();
    }

    /// <summary>Only the servers, on free ports, tuned for tests: the run's shared infrastructure.</summary>
    public static DistributedApplication Infrastructure(AppHostOptions o)
    {
        var builder = DistributedApplication.CreateBuilder(o.StateDir, o.RepoRoot, o.Configuration);
        builder.AddPostgres("postgres", FreePort.Next(), durable: false);
        builder.AddRabbitMQ("messaging", FreePort.Next(), FreePort.Next());
        builder.AddRedis("cache", FreePort.Next(), durable: false);
        return builder.Build();
    }
}
