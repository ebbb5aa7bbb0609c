namespace Grid.Gateway.Routing;

/// <summary>Settings of the gateway under <c>Gateway:</c> (README lists every key).</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>How long a back end may stay silent (no bytes either way) before the request fails with 504.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Per-service overrides, keyed by service name (labor, fire ...).</summary>
    public Dictionary<string, BackendSettings> Services { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>Per-service overrides of timeout and request body limit.</summary>
public sealed class BackendSettings
{
    public TimeSpan? Timeout { get; set; }

    /// <summary>Largest request body accepted for this service; the Kestrel-wide <c>Grid:MaxRequestBodyBytes</c> otherwise.</summary>
    public long? MaxRequestBodyBytes { get; set; }
}
