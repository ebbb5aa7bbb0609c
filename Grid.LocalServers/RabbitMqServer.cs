using System.Net.Http.Headers;
using System.Text;

namespace Grid.LocalServers;

/// <summary>
/// A RabbitMQ node of its own: private node name, ports, Erlang port mapper (epmd) and data directory, so that a running
/// suite and any number of test runs never share a broker by accident. The management plugin is on for readiness and
/// for creating virtual hosts. The node's epmd is its own foreground process, so that it stops with whoever started it.
/// </summary>
public static class RabbitMqServer
{
    private const string Server = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    public const string User = "guest";
    public const string Password = "guest";

    /// <summary>First start, and every start: the node's configuration files in its data directory.</summary>
    public static async Task InitializeAsync(string dataRoot, int port, int managementPort, CancellationToken ct = default)
    {
        Directory.CreateDirectory(dataRoot);
        await File.WriteAllTextAsync(Path.Combine(dataRoot, "enabled_plugins"), "[rabbitmq_management].\n", ct);
        await File.WriteAllTextAsync(Path.Combine(dataRoot, "rabbitmq-env.conf"), "", ct);
        await File.WriteAllTextAsync(Path.Combine(dataRoot, "rabbitmq.conf"), $"""
            listeners.tcp.1 = 127.0.0.1:{port}
            management.tcp.ip = 127.0.0.1
            management.tcp.port = {managementPort}
            loopback_users = none
            vm_memory_high_watermark.relative = 0.2
            disk_free_limit.absolute = 50MB
            """, ct);
    }

    /// <summary>The node's own Erlang port mapper, in the foreground; start it before the node.</summary>
    public static ServerCommand EpmdCommand(string dataRoot, int epmdPort) =>
        new("epmd", ["-port", $"{epmdPort}", "-address", "127.0.0.1"], new Dictionary<string, string> { ["HOME"] = dataRoot }, dataRoot);

    public static ServerCommand Command(string dataRoot, string nodeName, int port, int epmdPort, int distributionPort) =>
        new(Server, [], new Dictionary<string, string>
        {
            ["RABBITMQ_NODENAME"] = $"{nodeName}-{port}@localhost",
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = $"{port}",
            ["RABBITMQ_DIST_PORT"] = $"{distributionPort}",
            ["ERL_EPMD_PORT"] = $"{epmdPort}",
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(dataRoot, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(dataRoot, "log"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(dataRoot, "rabbitmq.conf"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(dataRoot, "advanced.config"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(dataRoot, "enabled_plugins"),
            ["RABBITMQ_FEATURE_FLAGS_FILE"] = Path.Combine(dataRoot, "feature_flags"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(dataRoot, "rabbitmq.pid"),
            ["RABBITMQ_PLUGINS_EXPAND_DIR"] = Path.Combine(dataRoot, "plugins-expand"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(dataRoot, "rabbitmq-env.conf"),
            ["HOME"] = dataRoot,
        }, dataRoot);

    public static string ConnectionString(int port, string vhost = "") => $"amqp://{User}:{Password}@127.0.0.1:{port}/{vhost}";

    public static HttpClient ManagementClient(int managementPort)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{managementPort}"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes($"{User}:{Password}")));
        return http;
    }

    public static async Task<bool> IsReadyAsync(int managementPort, CancellationToken ct = default)
    {
        using var http = ManagementClient(managementPort);
        try
        {
            using var resp = await http.GetAsync("/api/overview", ct);
            return resp.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Creates a virtual host (tests isolate themselves by vhost) and returns its AMQP URI.</summary>
    public static async Task<string> CreateVirtualHostAsync(int port, int managementPort, string vhost, CancellationToken ct = default)
    {
        using var http = ManagementClient(managementPort);
        var escaped = Uri.EscapeDataString(vhost);
        using var resp = await http.PutAsync($"/api/vhosts/{escaped}", null, ct);
        resp.EnsureSuccessStatusCode();
        using var perm = await http.PutAsync($"/api/permissions/{escaped}/{User}",
            new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json"), ct);
        perm.EnsureSuccessStatusCode();
        return ConnectionString(port, escaped);
    }
}
