using Dapper;
using Grid.Messaging;
using Grid.Organization.Domain;
using Grid.Organization.Identity;
using Npgsql;

namespace Grid.Organization.Infrastructure;

/// <summary>
/// Start-up: the schema, the signing key, the first administrator (a generated password goes to the credentials file),
/// and the demo county when <c>Grid:SeedDemoData=true</c> and the database has no grids.
/// </summary>
public sealed class OrganizationInitializer(
    NpgsqlDataSource db, SigningKeyStore keys, IConfiguration configuration, ILogger<OrganizationInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The outbox first: the organization's schema moves events of an older database into it.
        await MessagingSchema.EnsureAsync(db, cancellationToken);
        await OrganizationSchema.EnsureAsync(db, cancellationToken);
        await keys.EnsureAsync(cancellationToken);
        await EnsureAdministratorAsync(cancellationToken);
        if (configuration.GetValue<bool>("Grid:SeedDemoData"))
        {
            await DemoCounty.SeedAsync(db, configuration, logger, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task EnsureAdministratorAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync("SELECT pg_advisory_xact_lock(7013)", transaction: tx);
        if (await conn.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM staff WHERE 'admin' = ANY(system_roles))", transaction: tx))
        {
            return;
        }

        var configured = configuration["Identity:AdminPassword"];
        var password = string.IsNullOrEmpty(configured) ? PasswordHasher.NewPassword() : configured;
        await conn.ExecuteAsync(
            "INSERT INTO staff (id, name, phone, username, password_hash, system_roles) VALUES (@id, '系统管理员', '0000000', 'admin', @hash, ARRAY['admin'])",
            new { id = Guid.CreateVersion7(), hash = PasswordHasher.Hash(password) }, tx);
        await tx.CommitAsync(ct);
        if (string.IsNullOrEmpty(configured))
        {
            var file = await InitialCredentials.WriteAsync(configuration, $"administrator: user name 'admin', password '{password}' (change it)", ct);
            logger.LogWarning("Created the administrator account 'admin'; its generated password is in {CredentialsFile} (readable by this user only)", file);
        }
        else
        {
            logger.LogInformation("Created the administrator account 'admin' with the configured Identity:AdminPassword");
        }
    }
}
