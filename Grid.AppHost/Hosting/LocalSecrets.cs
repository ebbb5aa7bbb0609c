using System.Security.Cryptography;
using System.Text.Json;

namespace Grid.AppHost.Hosting;

/// <summary>
/// Secrets of a local suite (the reporter-identity key, the audit chain key, ...): random on first start, kept under the state
/// directory so that data encrypted with them stays readable across restarts; never in the repository.
/// </summary>
public static class LocalSecrets
{
    public static IReadOnlyDictionary<string, string> LoadOrCreate(string stateDir, params string[] names)
    {
        var path = Path.Combine(stateDir, "secrets.json");
        var secrets = File.Exists(path)
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)) ?? []
            : [];
        var changed = false;
        foreach (var name in names.Where(n => !secrets.ContainsKey(n)))
        {
            secrets[name] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            changed = true;
        }

        if (changed)
        {
            Directory.CreateDirectory(stateDir);
            File.WriteAllText(path, JsonSerializer.Serialize(secrets));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        return secrets;
    }
}
