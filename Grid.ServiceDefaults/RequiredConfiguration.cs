using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Settings a service cannot run without. In Development (and the test host's Testing environment) a
/// missing one falls back to a local default; anywhere else the service refuses to start, naming the key,
/// rather than quietly talking to a built-in address or inventing data.
/// </summary>
public static class RequiredConfiguration
{
    public static bool IsDevelopmentLike(this IHostEnvironment environment) =>
        environment.IsDevelopment() || environment.IsEnvironment("Testing");

    /// <summary>The value of <paramref name="key"/>; outside Development, throws when it is missing.</summary>
    public static string? Required(this IHostApplicationBuilder builder, string key, string? developmentDefault = null)
    {
        if (builder.Configuration[key] is { Length: > 0 } value)
        {
            return value;
        }

        return builder.Environment.IsDevelopmentLike()
            ? developmentDefault
            : throw new InvalidOperationException($"Missing required configuration '{key}' (environment {builder.Environment.EnvironmentName}).");
    }
}
