namespace Grid.AppHost.Extensions;

/// <summary>What every Grid service gets from the AppHost besides its references.</summary>
public static class GridServiceExtensions
{
    /// <summary>Its HTTP port (the README's or a free one), /health as its health check, the demo county and the
    /// organization service's signing keys.</summary>
    public static IResourceBuilder<ProjectResource> WithGridDefaults(this IResourceBuilder<ProjectResource> service, int port,
        EndpointReference? organizationHttp)
    {
        service.WithHttpEndpoint(port: port, targetPort: port, name: "http", isProxied: false)
            .WithPromptHttpHealthCheck("/health")
            .WithEnvironment("DOTNET_ENVIRONMENT", "Development")
            .WithEnvironment("Grid__SeedDemoData", "true");
        return organizationHttp is null
            ? service.WithEnvironment("Identity__JwksUrl", "http://127.0.0.1:" + port.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/.well-known/jwks.json")
            : service.WithEnvironment("Identity__JwksUrl", ReferenceExpression.Create($"{organizationHttp}/.well-known/jwks.json"));
    }

    /// <summary>
    /// The service calls organization with client credentials of its own; organization learns the secret and the
    /// posts that client holds (<see cref="Grid.LocalServers.SuiteSettings.ClientPosts"/>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithGridClient(this IResourceBuilder<ProjectResource> service,
        IResourceBuilder<ProjectResource> organization, IResourceBuilder<ParameterResource> secret)
    {
        var name = service.Resource.Name;
        organization.WithEnvironment($"Identity__Clients__{name}__Secret", secret)
            .WithEnvironment($"Identity__Clients__{name}__Posts", Grid.LocalServers.SuiteSettings.ClientPosts[name]);
        return service.WithReference(organization)
            .WithEnvironment("Identity__ClientId", service.Resource.Name)
            .WithEnvironment("Identity__ClientSecret", secret);
    }

    /// <summary>
    /// A database of its own on the server, which the service reaches as a login role of its own (its name, a generated
    /// password), waited for until it is provisioned and accepts that role; <paramref name="auditTrail"/> for a service
    /// built on Grid.Casework, whose audit tables that role may only read and append to.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDatabase(this IResourceBuilder<ProjectResource> service,
        IResourceBuilder<LocalPostgresResource> server, string database, GridRun run, bool auditTrail = false)
    {
        var name = service.Resource.Name;
        var db = server.AddDatabase(database, role: name, service.ApplicationBuilder.AddGridSecret(run, $"database-password-{name}"), auditTrail);
        return service.WithReference(db).WaitFor(db);
    }

    /// <summary>An HTTP/2-only port (cleartext gRPC needs prior knowledge) that the service must know as Grid:GrpcPort.</summary>
    public static IResourceBuilder<ProjectResource> WithGrpcEndpoint(this IResourceBuilder<ProjectResource> service, int port) =>
        service.WithEndpoint(port: port, targetPort: port, scheme: "http", name: "grpc", isProxied: false)
            .WithEnvironment("Grid__GrpcPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
