using Grid.AppHost.Extensions;
using static Grid.AppHost.Extensions.GridRun;

var (run, aspireArgs) = GridRun.Parse(args);
var builder = DistributedApplication.CreateBuilder(aspireArgs);

var postgres = builder.AddLocalPostgres("postgres", run.DataDir("postgres"), run.Port(Ports.Postgres));
var messaging = builder.AddLocalRabbitMq("messaging", run.DataDir("messaging"), run.Port(Ports.RabbitMq),
    run.Port(Ports.RabbitMqManagement), run.Port(Ports.RabbitMqEpmd), run.Port(Ports.RabbitMqDistribution));
var cache = builder.AddLocalRedis("cache", run.DataDir("cache"), run.Port(Ports.Redis));
var reporterKey = builder.AddGridSecret(run, "reporter-key");

var organization = builder.AddProject<Projects.Grid_Organization>("organization")
    .WithGridDefaults(run.Port(Ports.Organization), organizationHttp: null)
    // Generated passwords go to a file of the user's alone, not into the log; the signing keys in its database are
    // sealed with a key that only its configuration holds.
    .WithEnvironment("Identity__CredentialsFile", Path.Combine(run.StateDir, "demo-logins.txt"))
    .WithEnvironment("Identity__KeyEncryptionKey", builder.AddGridSecret(run, "key-encryption-key"))
    .WithGrpcEndpoint(run.Port(Ports.OrganizationGrpc))
    .WithDatabase(postgres, "organizationdb", run)
    // It starts while the broker boots and connects once it is up; healthy only then (its /health checks the bus), so
    // the departments, which wait for it, still start with the broker running.
    .WithReference(messaging)
    .WithReference(cache).WaitFor(cache);
var organizationHttp = organization.GetEndpoint("http");

IResourceBuilder<ProjectResource> Department<TProject>(string name, int port, string database)
    where TProject : IProjectMetadata, new() =>
    builder.AddProject<TProject>(name)
        .WithGridDefaults(run.Port(port), organizationHttp)
        .WithGridClient(organization, builder.AddGridSecret(run, $"client-secret-{name}")).WaitFor(organization)
        .WithDatabase(postgres, database, run, auditTrail: true)
        .WithReference(messaging).WaitFor(messaging)
        .WithReference(cache).WaitFor(cache);

// Every service reaches its database as a role of its own; those on Grid.Casework (the command centre too, for its
// outbox and inbox) find their audit tables owned by another role. Only the services that seal reporters' identities
// hold the reporter key. The audit chain's MAC key lives outside the database, one per service, so that whoever can
// write to one cannot re-chain it.
var fire = Department<Projects.Grid_FireSafety>("fire", Ports.Fire, "firedb")
    .WithEnvironment("Casework__ReporterKey", reporterKey)
    .WithEnvironment("Casework__AuditKey", builder.AddGridSecret(run, "audit-key-fire"));
var environment = Department<Projects.Grid_EnvironmentMonitoring>("environment", Ports.Environment, "environmentdb")
    .WithEnvironment("Casework__ReporterKey", reporterKey)
    .WithEnvironment("Casework__AuditKey", builder.AddGridSecret(run, "audit-key-environment"));
var labor = Department<Projects.Grid_LaborInspection>("labor", Ports.Labor, "labordb")
    .WithEnvironment("Casework__ReporterKey", reporterKey)
    .WithEnvironment("Casework__AuditKey", builder.AddGridSecret(run, "audit-key-labor"));
var drugs = Department<Projects.Grid_DrugSupply>("drugs", Ports.Drugs, "drugsdb")
    .WithEnvironment("Casework__ReporterKey", reporterKey)
    .WithEnvironment("Casework__AuditKey", builder.AddGridSecret(run, "audit-key-drugs"));
var cadre = Department<Projects.Grid_CadreSupervision>("cadre", Ports.Cadre, "cadredb")
    .WithEnvironment("Casework__ReporterKey", reporterKey)
    .WithEnvironment("Casework__AuditKey", builder.AddGridSecret(run, "audit-key-cadre"));
var command = Department<Projects.Grid_CommandCenter>("command", Ports.Command, "commanddb");

// The gateway binds its HTTP/2-only gRPC port itself (Grid:GrpcPort); the "grpc" endpoint only publishes it. It starts
// beside the services, not after them: a back end still starting is a 503 naming it (and Degraded on /health), and the
// suite is "up" only once every resource is healthy.
builder.AddProject<Projects.Grid_Gateway>("gateway")
    .WithHttpEndpoint(port: run.Port(Ports.Gateway), targetPort: run.Port(Ports.Gateway), name: "http", isProxied: false)
    .WithGrpcEndpoint(run.Port(Ports.GatewayGrpc))
    .WithEndpointsInEnvironment(e => e.Name == "http")
    .WithPromptHttpHealthCheck("/health")
    .WithEnvironment("DOTNET_ENVIRONMENT", "Development")
    .WithEnvironment("Identity__JwksUrl", ReferenceExpression.Create($"{organizationHttp}/.well-known/jwks.json"))
    .WithReference(cache).WaitFor(cache)
    .WithReference(organization).WithReference(fire).WithReference(environment).WithReference(labor)
    .WithReference(drugs).WithReference(cadre).WithReference(command);

RunFiles.AddTo(builder, run);
RestartOnCrash.AddTo(builder);
builder.Build().Run();
