using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Grid.Gateway.Health;

/// <summary>
/// Asks one back end's /health. A back end that is down or unhealthy makes the gateway Degraded, not
/// Unhealthy: the gateway still serves every other service, so it must stay in rotation.
/// </summary>
public sealed class BackendHealthCheck(string service, Uri health, HttpClient http) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["service"] = service, ["url"] = health.ToString() };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            using var response = await http.GetAsync(health, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy($"{service} is healthy", data)
                : new HealthCheckResult(context.Registration.FailureStatus, $"{service}: /health answered {(int)response.StatusCode}", data: data);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"{service} is unreachable: {ex.Message}", data: data);
        }
    }
}

/// <summary>Redis holds the rate-limit counters; without it limits are not enforced (fail open), which ops must see.</summary>
public sealed class RateLimitStoreHealthCheck(RateLimiting.RedisRateLimiter limiter) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!limiter.IsActive)
        {
            return HealthCheckResult.Degraded("rate limits are off (no Redis configured)");
        }

        try
        {
            var rtt = await limiter.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy($"Redis answers in {rtt.TotalMilliseconds:0.0} ms");
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Redis unreachable, rate limits NOT enforced: {ex.Message}");
        }
    }
}
