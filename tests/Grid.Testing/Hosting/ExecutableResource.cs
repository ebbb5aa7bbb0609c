using System.Diagnostics;

namespace Grid.Testing.Hosting;

/// <summary>
/// A process the AppHost runs: a service from the build, or any command. It is healthy when its health
/// URL answers 200 (or, without one, as soon as it runs); if it exits first, the start fails with its log.
/// </summary>
public class ExecutableResource(string name, string command, IReadOnlyList<string> args) : Resource(name)
{
    private readonly Dictionary<string, string> _env = new();
    private readonly Dictionary<string, int> _endpoints = new();
    private readonly List<Func<IEnumerable<KeyValuePair<string, string>>>> _references = [];
    private Process? _process;

    public string Command { get; } = command;

    public IReadOnlyList<string> Args { get; } = args;

    public IReadOnlyDictionary<string, int> Endpoints => _endpoints;

    public string? HealthPath { get; private set; }

    public string? WorkingDirectory { get; set; }

    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(90);

    public int? ProcessId => _process?.Id;

    public override string? Url => _endpoints.TryGetValue("http", out var port) ? $"http://127.0.0.1:{port}" : null;

    public ExecutableResource WithEnvironment(string key, string value)
    {
        _env[key] = value;
        return this;
    }

    /// <summary>An endpoint named like Aspire's (http, grpc); an "http" endpoint is where health is asked.</summary>
    public ExecutableResource WithEndpoint(string endpointName, int port)
    {
        _endpoints[endpointName] = port;
        return this;
    }

    public ExecutableResource WithHttpEndpoint(int port) => WithEndpoint("http", port);

    public ExecutableResource WithHealthCheck(string path)
    {
        HealthPath = path;
        return this;
    }

    /// <summary>Passes a connection string as <c>ConnectionStrings__name</c>.</summary>
    public ExecutableResource WithReference(IResourceWithConnectionString resource)
    {
        _references.Add(() => [new($"ConnectionStrings__{resource.ConnectionName}", resource.ConnectionString)]);
        return this;
    }

    /// <summary>Passes another resource's endpoints as <c>services__name__endpoint__0</c> for service discovery.</summary>
    public ExecutableResource WithReference(ExecutableResource service)
    {
        _references.Add(() => service.Endpoints.Select(e =>
            new KeyValuePair<string, string>($"services__{service.Name}__{e.Key}__0", $"http://127.0.0.1:{e.Value}")));
        return this;
    }

    /// <summary>The environment the process gets, in Aspire's conventions.</summary>
    public IReadOnlyDictionary<string, string> BuildEnvironment()
    {
        var env = new Dictionary<string, string>(_env);
        foreach (var r in _references)
        {
            foreach (var (k, v) in r())
            {
                env[k] = v;
            }
        }

        if (_endpoints.Count > 0 && !env.ContainsKey("ASPNETCORE_URLS"))
        {
            env["ASPNETCORE_URLS"] = string.Join(';', _endpoints.Values.Select(p => $"http://127.0.0.1:{p}"));
        }

        return env;
    }

    protected override async Task OnStartAsync(CancellationToken ct)
    {
        var psi = new ProcessStartInfo(Command)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = WorkingDirectory ?? DataRoot,
        };
        foreach (var a in Args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in BuildEnvironment())
        {
            psi.Environment[k] = v;
        }

        OwnerWatchdog.Mark(psi, StateDir);
        Directory.CreateDirectory(DataRoot);
        _process = Process.Start(psi) ?? throw new InvalidOperationException($"{Command} did not start");
        LogPipe.Attach(_process, LogPath);

        if (HealthPath is null || Url is null)
        {
            await Task.Delay(300, ct);
            if (_process.HasExited)
            {
                await Task.Delay(300, CancellationToken.None);
                throw new InvalidOperationException($"exited with code {_process.ExitCode} during start");
            }

            return;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartTimeout;
        string last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            ct.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                await Task.Delay(500, CancellationToken.None); // let the log drain
                throw new InvalidOperationException($"exited with code {_process.ExitCode} during start");
            }

            try
            {
                using var resp = await http.GetAsync(Url + HealthPath, ct);
                if (resp.IsSuccessStatusCode)
                {
                    return;
                }

                last = $"{HealthPath} answered {(int)resp.StatusCode}";
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                last = "health check timed out";
            }

            await Task.Delay(300, ct);
        }

        throw new TimeoutException($"not healthy within {StartTimeout.TotalSeconds:0} s ({last})");
    }

    protected override async Task OnStopAsync()
    {
        if (_process is { HasExited: false })
        {
            // Services stop in order on SIGTERM; the tree goes if one does not within the grace period.
            Signals.Send(_process.Id, Signals.SigTerm);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
    }

    public override bool IsAlive => base.IsAlive && _process is { HasExited: false };

    /// <summary>The exit code if the process has ended.</summary>
    public int? ExitCode => _process is { HasExited: true } ? _process.ExitCode : null;
}

/// <summary>A .NET project of this repository, run from the one build (bin/&lt;Configuration&gt;).</summary>
public sealed class ProjectResource : ExecutableResource
{
    public ProjectResource(string name, string assemblyPath)
        : base(name, "dotnet", [assemblyPath])
    {
        AssemblyPath = assemblyPath;
        WorkingDirectory = Path.GetDirectoryName(assemblyPath);
        WithHealthCheck("/health");
        WithEnvironment("DOTNET_ENVIRONMENT", "Development");
        WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development");
        WithEnvironment("OTEL_SERVICE_NAME", name);
    }

    public string AssemblyPath { get; }

    public static string AssemblyPathFor(string repoRoot, string projectDir, string configuration)
    {
        var projectName = Path.GetFileName(projectDir.TrimEnd('/'));
        return Path.Combine(repoRoot, projectDir, "bin", configuration, "net10.0", projectName + ".dll");
    }
}
