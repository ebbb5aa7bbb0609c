using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace Grid.AppHost.Hosting;

/// <summary>
/// A RabbitMQ node of its own: private node name, ports, Erlang port mapper and data directory, so that a
/// running suite and any number of test runs never share a broker by accident. The management plugin is
/// on for health checks and for creating virtual hosts.
/// </summary>
public sealed class LocalRabbitMq(string name, int port, int managementPort) : Resource(name), IResourceWithConnectionString
{
    private const string Server = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private Process? _process;
    private int _epmdPort;

    /// <summary>The port of this node's own Erlang port mapper (epmd), chosen at start.</summary>
    public int EpmdPort => _epmdPort;

    public int Port { get; } = port;

    public int ManagementPort { get; } = managementPort;

    public string ConnectionName => Name;

    public string ConnectionString => $"amqp://guest:guest@127.0.0.1:{Port}/";

    public string ManagementUrl => $"http://127.0.0.1:{ManagementPort}";

    public override string Url => $"amqp://127.0.0.1:{Port} (management {ManagementUrl})";

    /// <summary>A RabbitMQ node is an Erlang VM plus helpers; its pid is what the broker itself reports.</summary>
    public int? ProcessId => _process?.Id;

    private string NodeName => $"{Name}-{Port}@localhost";

    private Dictionary<string, string> Environment()
    {
        var dir = DataRoot;
        return new()
        {
            ["RABBITMQ_NODENAME"] = NodeName,
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = Port.ToString(),
            ["RABBITMQ_DIST_PORT"] = FreePort.Next().ToString(),
            ["ERL_EPMD_PORT"] = _epmdPort.ToString(),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(dir, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(dir, "log"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(dir, "rabbitmq.conf"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(dir, "advanced.config"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(dir, "enabled_plugins"),
            ["RABBITMQ_FEATURE_FLAGS_FILE"] = Path.Combine(dir, "feature_flags"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(dir, "rabbitmq.pid"),
            ["RABBITMQ_PLUGINS_EXPAND_DIR"] = Path.Combine(dir, "plugins-expand"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(dir, "rabbitmq-env.conf"),
            ["HOME"] = dir,
        };
    }

    protected override async Task OnStartAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(DataRoot);

        // Kept across restarts: after a crash the node's epmd is still running, and the restarted node reuses it.
        if (_epmdPort == 0)
        {
            _epmdPort = FreePort.Next();
        }

        await File.WriteAllTextAsync(Path.Combine(DataRoot, "enabled_plugins"), "[rabbitmq_management].\n", ct);
        await File.WriteAllTextAsync(Path.Combine(DataRoot, "rabbitmq-env.conf"), "", ct);
        await File.WriteAllTextAsync(Path.Combine(DataRoot, "rabbitmq.conf"), $"""
            listeners.tcp.1 = 127.0.0.1:{Port}
            management.tcp.ip = 127.0.0.1
            management.tcp.port = {ManagementPort}
            loopback_users = none
            vm_memory_high_watermark.relative = 0.2
            disk_free_limit.absolute = 50MB
            """, ct);

        var psi = new ProcessStartInfo(Server)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = DataRoot,
        };
        foreach (var (k, v) in Environment())
        {
            psi.Environment[k] = v;
        }

        _process = Process.Start(psi) ?? throw new InvalidOperationException("rabbitmq-server did not start");
        LogPipe.Attach(_process, LogPath);

        var deadline = DateTime.UtcNow.AddSeconds(90);
        using var http = ManagementClient();
        while (DateTime.UtcNow < deadline)
        {
            ct.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"rabbitmq-server exited with {_process.ExitCode}");
            }

            try
            {
                using var resp = await http.GetAsync("/api/overview", ct);
                if (resp.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(250, ct);
        }

        throw new TimeoutException("RabbitMQ did not answer within 90 s");
    }

    public HttpClient ManagementClient()
    {
        var http = new HttpClient { BaseAddress = new Uri(ManagementUrl), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("guest:guest")));
        return http;
    }

    /// <summary>Creates a virtual host (tests isolate themselves by vhost) and returns its AMQP URI.</summary>
    public async Task<string> CreateVirtualHostAsync(string vhost, CancellationToken ct = default)
    {
        using var http = ManagementClient();
        var escaped = Uri.EscapeDataString(vhost);
        using var resp = await http.PutAsync($"/api/vhosts/{escaped}", null, ct);
        resp.EnsureSuccessStatusCode();
        using var perm = await http.PutAsync($"/api/permissions/{escaped}/guest",
            new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json"), ct);
        perm.EnsureSuccessStatusCode();
        return $"amqp://guest:guest@127.0.0.1:{Port}/{escaped}";
    }

    protected override async Task OnStopAsync()
    {
        if (_process is { HasExited: false })
        {
            // The broker treats SIGTERM as an orderly shutdown.
            var beam = ReadPid();
            Signals.Terminate(beam ?? _process.Id);
            if (!await WaitExitAsync(_process, TimeSpan.FromSeconds(30)))
            {
                Signals.KillTree(_process.Id);
            }
        }

        // The node's own Erlang port mapper goes with it; nobody else uses its port. epmd refuses -kill while a
        // name is still registered, so whatever survives the polite request is found by its port and killed.
        await ProcessRunner.RunAsync("epmd", ["-kill"], new Dictionary<string, string> { ["ERL_EPMD_PORT"] = _epmdPort.ToString() });
        Signals.KillByEnvironment("epmd", $"ERL_EPMD_PORT={_epmdPort}");
    }

    /// <summary>Stops the broker abruptly, as a crash would (used by failure tests).</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            Signals.KillTree(_process.Id);
            await WaitExitAsync(_process, TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>Starts the broker again on the same ports and data after <see cref="KillAsync"/>.</summary>
    public Task RestartAsync(CancellationToken ct = default) => StartAsync(ct);

    private int? ReadPid()
    {
        var file = Path.Combine(DataRoot, "rabbitmq.pid");
        return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), out var pid) ? pid : null;
    }

    internal static async Task<bool> WaitExitAsync(Process p, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public override bool IsAlive => base.IsAlive && _process is { HasExited: false };
}
