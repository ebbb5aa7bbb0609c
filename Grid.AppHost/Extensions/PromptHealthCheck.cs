using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Grid.AppHost.Extensions;

/// <summary>
/// Health checks that wait for their probe to pass (asking every quarter second, for up to ten seconds) instead of
/// answering once. Aspire asks an unhealthy resource again after 1, 2, 3, 4 and then every 5 s, so a resource ready just
/// after a check stayed unseen for up to 5 s, at each step of the start (servers, organization, departments).
/// </summary>
public static class PromptHealthCheck
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public static IHealthChecksBuilder AddPromptCheck(this IHealthChecksBuilder checks, string name, Func<CancellationToken, Task<bool>> probe) =>
        checks.AddAsyncCheck(name, async ct =>
        {
            var started = Stopwatch.GetTimestamp();
            while (!await probe(ct))
            {
                if (Stopwatch.GetElapsedTime(started) >= Patience)
                {
                    return HealthCheckResult.Unhealthy();
                }

                await Task.Delay(Interval, ct);
            }

            return HealthCheckResult.Healthy();
        });

    /// <summary>Healthy once the resource's "http" endpoint answers <paramref name="path"/> with a success status.</summary>
    public static IResourceBuilder<T> WithPromptHttpHealthCheck<T>(this IResourceBuilder<T> resource, string path)
        where T : IResourceWithEndpoints
    {
        var endpoint = resource.GetEndpoint("http");
        var name = $"{resource.Resource.Name}-http-health";
        resource.ApplicationBuilder.Services.AddHealthChecks().AddPromptCheck(name, async ct =>
        {
            try
            {
                using var response = await Http.GetAsync(new Uri(new Uri(endpoint.Url), path), ct);
                return response.IsSuccessStatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !ct.IsCancellationRequested))
            {
                return false;
            }
        });
        return resource.WithHealthCheck(name);
    }
}
