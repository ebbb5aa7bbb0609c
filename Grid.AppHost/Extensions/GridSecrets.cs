using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Grid.AppHost.Extensions;

/// <summary>
/// Secrets of a local suite (the reporter-identity key, the audit chain keys, each service's client secret) as Aspire
/// parameters: random on first start and kept in <c>secrets.json</c> under the state directory, so that data sealed
/// with them stays readable across restarts; never in the repository, never printed (the dashboard masks them).
/// </summary>
public static class GridSecrets
{
    public static IResourceBuilder<ParameterResource> AddGridSecret(this IDistributedApplicationBuilder builder, GridRun run, string name)
    {
        var value = LoadOrCreate(run.StateDir, name);
        builder.Configuration.AddInMemoryCollection([new($"Parameters:{name}", value)]);
        return builder.AddParameter(name, secret: true);
    }

    private static readonly Lock Gate = new();

    // Names the secrets had before they were parameters, so that an existing state directory keeps its keys.
    private static string LegacyName(string name) => name switch
    {
        "reporter-key" => "Casework__ReporterKey",
        _ when name.StartsWith("audit-key-", StringComparison.Ordinal) => $"Casework__AuditKey__{name["audit-key-".Length..]}",
        _ when name.StartsWith("client-secret-", StringComparison.Ordinal) => $"Identity__Clients__{name["client-secret-".Length..]}__Secret",
        _ => name,
    };

    private static string LoadOrCreate(string stateDir, string name)
    {
        lock (Gate)
        {
            var path = Path.Combine(stateDir, "secrets.json");
            var secrets = File.Exists(path)
                ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)) ?? []
                : [];
            if (secrets.TryGetValue(name, out var value) || secrets.TryGetValue(LegacyName(name), out value))
            {
                return value;
            }

            secrets[name] = value = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            Directory.CreateDirectory(stateDir);
            File.WriteAllText(path, JsonSerializer.Serialize(secrets));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            return value;
        }
    }
}
