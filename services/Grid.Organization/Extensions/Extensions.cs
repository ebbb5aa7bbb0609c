using System.Net;
using Dapper;
using Grid.Organization.Apis;
using Grid.Organization.Grpc;
using Grid.Organization.Identity;
using Grid.Organization.Infrastructure;
using MassTransit;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Grid.Organization.Extensions;

internal static class Extensions
{
    public const string DatabaseName = "organizationdb";

    /// <summary>The suite's convention (Grid.AppHost): REST on 5101, gRPC (h2c) on 5102.</summary>
    public const int DefaultGrpcPort = 5102;

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddGridDependencyHealthChecks(DatabaseName);
        DefaultTypeMap.MatchNamesWithUnderscores = true;

        builder.AddGridDataSource(DatabaseName);
        builder.Services.AddSingleton<OrganizationCache>();
        builder.Services.AddSingleton<GridStore>();
        builder.Services.AddSingleton<StaffStore>();
        builder.Services.AddSingleton<SubjectStore>();
        builder.Services.AddSingleton<NoticeCounts>();
        builder.Services.AddSingleton(KeyEncryption.From(builder));
        builder.Services.AddSingleton(TokenLifetimes.From(builder.Configuration));
        builder.Services.AddSingleton(sp => SigningKeyRotation.Ring(builder.Configuration, sp.GetRequiredService<TokenLifetimes>()));
        builder.Services.AddSingleton<SigningKeyStore>();
        builder.Services.AddSingleton<RefreshTokens>();
        builder.Services.AddSingleton<TokenIssuer>();
        builder.Services.AddSingleton<LoginThrottle>();
        builder.Services.AddSingleton<Imports.ImportService>();
        builder.Services.AddHostedService<OrganizationInitializer>();
        builder.Services.AddHostedService<SigningKeyRotation>();
        // After the initializer, which creates the schema the index reads.
        builder.Services.AddSingleton<GridIndex>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GridIndex>());
        builder.Services.AddSingleton<RepeatedPoints>();

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Access.OrgAdminPolicy, p => p.RequireAssertion(ctx => ctx.User.Allows(Access.AdminRoles, null)))
            .AddPolicy(Access.AdministratorPolicy, p => p.RequireAssertion(ctx => ctx.User.IsAdministratorEverywhere()));
        // Our own RS256 tokens (every published key) are valid here too, beside the HMAC key of development and tests.
        builder.Services.AddSingleton<IPostConfigureOptions<JwtBearerOptions>, OwnSigningKey>();

        builder.Services.AddGrpc(o => o.EnableDetailedErrors = builder.Environment.IsDevelopment());
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks().AddCheck("organization", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy());
        builder.Services.AddOpenApi();

        if (builder is WebApplicationBuilder web)
        {
            var grpcPort = GrpcPort(builder.Configuration);
            web.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(listen =>
            {
                // Cleartext HTTP/2 needs prior knowledge: the gRPC port speaks only HTTP/2, the REST port HTTP/1.1.
                listen.Protocols = (listen.EndPoint as IPEndPoint)?.Port == grpcPort ? HttpProtocols.Http2 : HttpProtocols.Http1;
            }));
        }

        if (builder.Configuration.GetConnectionString(DependencyHealthChecks.Messaging) is { Length: > 0 })
        {
            // The suite's one outbox relay (and bus), over this service's database: grid changes go out as GridChanged.
            builder.AddMessaging(DatabaseName);
        }
    }

    /// <summary><c>Grid:GrpcPort</c>, else the port of <c>services:organization:grpc:0</c>, else 5102.</summary>
    public static int GrpcPort(IConfiguration c) =>
        c.GetValue<int?>("Grid:GrpcPort")
        ?? (Uri.TryCreate(c["services:organization:grpc:0"], UriKind.Absolute, out var u) ? u.Port : DefaultGrpcPort);

    public static WebApplication MapOrganization(this WebApplication app)
    {
        var api = app.MapGroup("/api/org/v1");
        api.MapGet("/about", () => TypedResults.Ok(new { service = "organization", name = "组织与网格" }));
        api.MapGridsApi();
        api.MapStaffApi();
        api.MapRolesApi();
        api.MapSubjectsApi();
        api.MapPublicNoticeApi();
        api.MapImportsApi();
        app.MapIdentityApi(api);
        app.MapOpenApi().AllowAnonymous();

        app.MapGrpcService<OrganizationService>();
        app.MapGrpcReflectionService();
        app.MapGrpcHealthChecksService().AllowAnonymous();
        return app;
    }

    private sealed class OwnSigningKey(SigningKeyStore keys) : IPostConfigureOptions<JwtBearerOptions>
    {
        public void PostConfigure(string? name, JwtBearerOptions options)
        {
            var p = options.TokenValidationParameters;
            IReadOnlyList<SecurityKey> fixedKeys = [.. p.IssuerSigningKeys ?? [], .. p.IssuerSigningKey is null ? [] : new[] { p.IssuerSigningKey }];
            p.IssuerSigningKeyResolver = (_, _, _, _) => fixedKeys.Concat(keys.Published);
        }
    }
}
