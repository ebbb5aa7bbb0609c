using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Grid.CommandCenter.Infrastructure;

/// <summary>
/// 组织机构目录: what the command centre reads from the organization service over HTTP — a hierarchy's grids as
/// GeoJSON (<c>/api/org/v1/grids/geojson?hierarchy=</c>) and department names (<c>/api/org/v1/departments</c>).
/// Calls carry the caller's token when there is one, else the service's own (client credentials).
/// </summary>
public sealed class OrganizationDirectory(IHttpClientFactory http, IConfiguration configuration, ILogger<OrganizationDirectory> logger)
{
    public const string Client = "organization";

    /// <summary>How long one call may take; a whole hierarchy's boundaries are a few hundred kilobytes.</summary>
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    readonly ConcurrentDictionary<string, string> departmentNames = new(StringComparer.Ordinal);

    public bool Configured => !string.IsNullOrEmpty(configuration["services:organization:http:0"]);

    /// <summary>Every grid of a hierarchy as the organization's FeatureCollection (feature id, properties name, parentId, depth); null when it does not answer.</summary>
    public async Task<JsonObject?> HierarchyAsync(string hierarchy, string? bearer, CancellationToken ct) =>
        await GetAsync($"/api/org/v1/grids/geojson?hierarchy={Uri.EscapeDataString(hierarchy)}", bearer, ct) as JsonObject;

    /// <summary>
    /// Names of departments by id and by code (cases name their department either way), learned from every answer
    /// so far; asks the organization again when <paramref name="refresh"/>.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> DepartmentNamesAsync(string? bearer, bool refresh, CancellationToken ct)
    {
        if ((refresh || departmentNames.IsEmpty) && Configured && await GetAsync("/api/org/v1/departments", bearer, ct) is JsonArray list)
        {
            foreach (var d in list)
            {
                if (d?["name"]?.GetValue<string>() is not { Length: > 0 } name)
                {
                    continue;
                }

                foreach (var key in new[] { d["id"]?.ToString(), d["code"]?.GetValue<string>() })
                {
                    if (!string.IsNullOrEmpty(key))
                    {
                        departmentNames[key] = name;
                    }
                }
            }
        }

        return departmentNames;
    }

    async Task<JsonNode?> GetAsync(string path, string? bearer, CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (bearer is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            }

            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(Timeout);
            using var response = await http.CreateClient(Client).SendAsync(request, cts.Token);
            if (!response.IsSuccessStatusCode)
            {
                logger.LogInformation("Organization answered {Status} for {Path}", (int)response.StatusCode, path);
                return null;
            }

            return await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync(cts.Token), cancellationToken: cts.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException && !ct.IsCancellationRequested)
        {
            logger.LogInformation(ex, "Organization unavailable for {Path}", path);
            return null;
        }
    }
}
