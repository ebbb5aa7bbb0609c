using System.Net.Http.Json;
using System.Text.Json;
using Grid.CommandCenter.Infrastructure;
using Grid.Contracts.Events;
using Grid.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.CommandCenter.Tests;

/// <summary>The command centre on its own fresh database and virtual host of the real test servers.</summary>
public sealed class CommandCenterHost : IAsyncLifetime
{
    public GridServiceFactory<Program> Factory { get; private set; } = null!;

    public string Database { get; private set; } = "";

    public string Messaging { get; private set; } = "";

    /// <summary>The organization's gRPC address (a <see cref="GridTree"/>); none: the command centre stands alone.</summary>
    public string? Organization { get; init; }

    /// <summary>The service's clock; the system's unless a test steps time itself.</summary>
    public TimeProvider? Clock { get; init; }

    public static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    public async Task InitializeAsync()
    {
        var infra = await GridInfrastructure.GetAsync();
        Database = await infra.CreateDatabaseAsync("command");
        Messaging = await infra.CreateVirtualHostAsync("command");
        Factory = new GridServiceFactory<Program>()
            .WithConnectionString("commanddb", Database)
            .WithConnectionString("messaging", Messaging);
        if (Organization is not null)
        {
            Factory.WithSetting("services:organization:grpc:0", Organization);
        }

        if (Clock is { } clock)
        {
            Factory.WithServices(s => s.AddSingleton(clock));
        }

        _ = Factory.Server; // start: schema, bus
    }

    // Null when InitializeAsync failed before the host was made: the start's own error is the one to report.
    public Task DisposeAsync() => Factory is null ? Task.CompletedTask : Factory.DisposeAsync().AsTask();

    public ReadModelProjector Projector => Factory.Services.GetRequiredService<ReadModelProjector>();

    public async Task ApplyAsync(IEnumerable<IntegrationEvent> events)
    {
        foreach (var e in events)
        {
            await Projector.ApplyAsync(e);
        }
    }

    public HttpClient Client(string token) => Factory.CreateClient(token);

    public async Task<JsonElement> GetJsonAsync(string token, string url)
    {
        using var client = Client(token);
        using var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static string Commander(params string[] grids) =>
        TestTokens.Create("commander-" + string.Join("-", grids), ["commander"], grids: grids.Length == 0 ? null : grids);

    public static string Viewer(string[] grids, string[]? domains = null) =>
        TestTokens.Create("viewer-" + string.Join("-", grids), ["grid-chief"], domains, grids);

    public static async Task<T> ReadAsync<T>(HttpResponseMessage r) => (await r.Content.ReadFromJsonAsync<T>(Json))!;
}
