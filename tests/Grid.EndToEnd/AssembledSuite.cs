using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grid.Testing;

namespace Grid.EndToEnd;

/// <summary>
/// The whole suite as <c>./grid up</c> runs it — the Aspire AppHost from the Release build (DCP, the dashboard,
/// the servers as executables), demo data, the real organization service issuing RS256 tokens, every service its
/// own process — but in a temporary state directory and on free ports. Started once per test run; stopped (no
/// process left behind) at the end, and by the AppHost itself if this test process dies first.
/// </summary>
public sealed partial class AssembledSuite : IAsyncLifetime
{
    private Process? _appHost;
    private Task<IReadOnlyList<DemoUser>>? _everyone;

    public string StateDir { get; } = Path.Combine(Path.GetTempPath(), "grid-e2e-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Every resource's endpoints by name, from run/addresses.json.</summary>
    public IReadOnlyDictionary<string, Dictionary<string, string>> Addresses { get; private set; } = new Dictionary<string, Dictionary<string, string>>();

    public Uri Gateway => new(Addresses["gateway"]["http"]);

    /// <summary>The gateway's HTTP/2-only port for gRPC clients.</summary>
    public Uri GatewayGrpc => new(Addresses["gateway"]["grpc"]);

    /// <summary>The demo log-ins and their one password, as the organization service printed them.</summary>
    public IReadOnlyList<string> DemoAccounts { get; private set; } = [];

    public string DemoPassword { get; private set; } = "";

    public string LogsDir => Path.Combine(StateDir, "logs");

    /// <summary>The system administrator's generated password, from the credentials file the organization service wrote.</summary>
    public string AdministratorPassword()
    {
        var m = Regex.Match(ReadShared(Path.Combine(StateDir, "demo-logins.txt")),
            "administrator: user name 'admin', password '(?<p>[^']+)'");
        Assert.True(m.Success, "demo-logins.txt names no administrator");
        TestRunLog.SecretUsed("administrator password", m.Groups["p"].Value);
        return m.Groups["p"].Value;
    }

    /// <summary>How long the suite took from start to healthy.</summary>
    public TimeSpan StartTime { get; private set; }

    public static string AppHostAssembly => Path.Combine(ProjectProcess.RepoRoot, "Grid.AppHost", "bin", "Release", "net10.0", "Grid.AppHost.dll");

    /// <summary>The AppHost's process id (the test that kills it reads it).</summary>
    public int AppHostPid => _appHost?.Id ?? 0;

    /// <summary>The dashboard's address and its login link, from run/ready.</summary>
    public (Uri Url, Uri Login) Dashboard { get; private set; }

    /// <summary>The key to the dashboard's telemetry API, from run/dashboard-api-key.</summary>
    public string DashboardApiKey { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (!File.Exists(AppHostAssembly))
        {
            throw new InvalidOperationException(
                $"{AppHostAssembly} is missing: the end-to-end tests run the Release build, as ./grid up does (dotnet build Grid.Suite.slnf -c Release)");
        }

        // PostgreSQL runs as the postgres user and must reach its data directory below this one.
        Directory.CreateDirectory(StateDir);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(StateDir, (UnixFileMode)0b111_101_101);
        }
        var started = Stopwatch.StartNew();

        // The AppHost's output goes to a file, not a pipe to this process: if this process dies, the AppHost
        // must still be able to write while it stops everything.
        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = ProjectProcess.RepoRoot,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec dotnet \"$0\" --state \"$1\" --free-ports --parent-pid \"$2\" >\"$1/apphost.log\" 2>&1 </dev/null");
        psi.ArgumentList.Add(AppHostAssembly);
        psi.ArgumentList.Add(StateDir);
        psi.ArgumentList.Add(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        psi.Environment["GRID_ROOT"] = ProjectProcess.RepoRoot;
        // Inherited by DCP and everything it starts: how this run's processes are found (and proved gone).
        psi.Environment["GRID_E2E_RUN"] = StateDir;
        _appHost = Process.Start(psi) ?? throw new InvalidOperationException("the AppHost did not start");

        var run = Path.Combine(StateDir, "run");
        try
        {
            await Wait.UntilAsync(() =>
            {
                if (File.Exists(Path.Combine(run, "failed")) || _appHost.HasExited)
                {
                    throw new InvalidOperationException("the suite failed to start:\n" + ReadShared(Path.Combine(StateDir, "apphost.log")));
                }

                return Task.FromResult(File.Exists(Path.Combine(run, "ready")));
            }, TimeSpan.FromMinutes(6), "the suite to be healthy");
        }
        catch (TimeoutException e)
        {
            // The run's directory goes with the run: what it shows goes into the failure.
            throw new TimeoutException($"{e.Message}\n{StartState()}", e);
        }
        StartTime = started.Elapsed;

        Addresses = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(ReadShared(Path.Combine(run, "addresses.json")))!;
        var ready = ReadShared(Path.Combine(run, "ready"));
        Dashboard = (new Uri(DashboardLine().Match(ready).Groups["url"].Value), new Uri(DashboardLine().Match(ready).Groups["login"].Value));
        DashboardApiKey = ReadShared(Path.Combine(run, "dashboard-api-key")).Trim();
        (DemoAccounts, DemoPassword) = ReadDemoAccounts(ReadShared(Path.Combine(StateDir, "demo-logins.txt")));
        NoteSecrets();
        await DemoBacklog.SettledAsync(this);
    }

    /// <summary>Every demo log-in, logged in once per run (the token endpoint allows 30 log-ins a minute per client).</summary>
    public Task<IReadOnlyList<DemoUser>> DemoUsersAsync() => _everyone ??= DemoUser.EveryoneAsync(this);

    /// <summary>The line a person looks for in the credentials file <c>&lt;state&gt;/demo-logins.txt</c>: <c>demo accounts a, b, c: password 'p'</c> (the last one written).</summary>
    public static (IReadOnlyList<string> Accounts, string Password) ReadDemoAccounts(string credentials)
    {
        var m = DemoAccountsLine().Matches(credentials).LastOrDefault();
        if (m is null)
        {
            throw new InvalidOperationException("demo-logins.txt has no demo accounts line");
        }

        return (m.Groups["accounts"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), m.Groups["password"].Value);
    }

    /// <summary>Every log under a state directory: logs/*.log, the AppHost's own, and servers' logs in their data directories.</summary>
    public static IEnumerable<string> LogFiles(string stateDir) =>
        Directory.EnumerateFiles(stateDir, "*.log", SearchOption.AllDirectories);

    /// <summary>Reads a file another process is still writing.</summary>
    public static string ReadShared(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(fs);
        return reader.ReadToEnd();
    }

    /// <summary>Every process of this run (DCP, servers, services), by the marker they inherit from the AppHost.</summary>
    public IReadOnlyList<int> RunProcesses() =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && pid != Environment.ProcessId && Environ(pid).Contains($"GRID_E2E_RUN={StateDir}"))
            .ToList();

    /// <summary>
    /// A service's processes of this run (the <c>dotnet run</c> that started it included), the end of the AppHost's log and
    /// of the service's console log: for a failure message, since the run's files go with its directory.
    /// </summary>
    public string Describe(string service)
    {
        var processes = RunProcesses().Where(pid => Environ(pid).Contains($"OTEL_SERVICE_NAME={service}"))
            .Select(pid => $"  {pid}{(IsAlive(pid) ? "" : " (zombie)")}: {Cmdline(pid)}");
        string[] Lines(string path) => File.Exists(path) ? ReadShared(path).Split('\n') : [];
        var apphost = Lines(Path.Combine(StateDir, "apphost.log")).TakeLast(20);
        var log = Lines(Path.Combine(LogsDir, service + ".log")).TakeLast(15);
        return $"{service}'s processes:\n{string.Join('\n', processes)}\nthe end of the AppHost's log:\n{string.Join('\n', apphost)}\n" +
            $"the end of {service}.log:\n{string.Join('\n', log)}";
    }

    /// <summary>For a start that never became ready: the end of the AppHost's log and of each part's log, and the run's processes.</summary>
    private string StartState()
    {
        string Tail(string path, int lines) => File.Exists(path) ? string.Join('\n', ReadShared(path).Split('\n').TakeLast(lines)) : "(none)";
        var parts = Directory.Exists(LogsDir)
            ? Directory.EnumerateFiles(LogsDir, "*.log").Order().Select(f => $"--- {Path.GetFileName(f)} ---\n{Tail(f, 5)}")
            : [];
        var processes = RunProcesses().Select(pid => $"  {pid}: {Cmdline(pid)[..Math.Min(160, Cmdline(pid).Length)]}");
        return $"the end of the AppHost's log:\n{Tail(Path.Combine(StateDir, "apphost.log"), 40)}\n{string.Join('\n', parts)}\n" +
            $"the run's processes:\n{string.Join('\n', processes)}";
    }

    /// <summary>The pid of a service of this run (the process itself, not the <c>dotnet run</c> that started it).</summary>
    public int ProcessOf(string service) =>
        RunProcesses().Single(pid => Environ(pid).Contains($"OTEL_SERVICE_NAME={service}") && !Cmdline(pid).Contains(" run --project ", StringComparison.Ordinal));

    /// <summary>A variable of a service's environment as the AppHost set it (its connection string, for one).</summary>
    public string EnvironmentOf(string service, string name) =>
        Environ(ProcessOf(service)).FirstOrDefault(v => v.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..]
            ?? throw new InvalidOperationException($"{service} has no {name} in its environment");

    public static bool IsAlive(int pid) => File.Exists($"/proc/{pid}/status") && !File.ReadAllText($"/proc/{pid}/status").Contains("State:\tZ");

    private static string[] Environ(int pid) => ReadProc(pid, "environ").Split('\0');

    private static string Cmdline(int pid) => ReadProc(pid, "cmdline").Replace('\0', ' ');

    private static string ReadProc(int pid, string file)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/{file}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>
    /// The run ends as a crash would end it: SIGKILL to the AppHost. DCP then stops everything it started; a process
    /// of the run still alive after a minute fails the run's clean-up, naming it.
    /// </summary>
    public async Task DisposeAsync()
    {
        if (_appHost is { HasExited: false })
        {
            _appHost.Kill();
            await _appHost.WaitForExitAsync();
            try
            {
                await Wait.UntilAsync(() => Task.FromResult(RunProcesses().Count == 0), TimeSpan.FromSeconds(60),
                    "every process of the run to be gone after the AppHost was killed");
            }
            catch (TimeoutException)
            {
                var left = RunProcesses();
                foreach (var pid in left)
                {
                    Process.GetProcessById(pid).Kill(entireProcessTree: true);
                }

                throw new InvalidOperationException("left behind after SIGKILL of the AppHost: " +
                    string.Join(", ", left.Select(p => $"{p} {Cmdline(p)}")));
            }
        }

        _appHost?.Dispose();
        KeepLogs();
        if (Environment.GetEnvironmentVariable("GRID_E2E_KEEP_STATE") is "1")
        {
            return; // for reading the run's logs afterwards
        }

        try
        {
            Directory.Delete(StateDir, recursive: true);
        }
        catch (IOException)
        {
            // a server still closing a file; the directory is under /tmp
        }
    }

    /// <summary>The run's secrets (generated by the AppHost), the demo password and the demo data's public reporter, for the log scan of ./grid test.</summary>
    private void NoteSecrets()
    {
        var secrets = Path.Combine(StateDir, "secrets.json");
        if (File.Exists(secrets))
        {
            foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(ReadShared(secrets)) ?? [])
            {
                TestRunLog.SecretUsed($"suite secret {name}", value);
            }
        }

        TestRunLog.SecretUsed("demo password", DemoPassword);
        TestRunLog.SecretUsed("dashboard API key", DashboardApiKey);
        foreach (var identity in DemoPublicReporter)
        {
            TestRunLog.SecretUsed("demo reporter identity", identity);
        }
    }

    /// <summary>The name and phone of the one public report in the fire demo data (Grid.FireSafety's DemoData): sealed, never logged.</summary>
    private static readonly string[] DemoPublicReporter = ["赵热心", "13600000000"];

    /// <summary>Under ./grid test, every log of the run is kept for its log scan.</summary>
    private void KeepLogs()
    {
        if (TestRunLog.NewDirectory("suite") is not { } keep || !Directory.Exists(StateDir))
        {
            return;
        }

        foreach (var log in LogFiles(StateDir))
        {
            var to = Path.Combine(keep, Path.GetRelativePath(StateDir, log));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            try
            {
                File.WriteAllText(to, ReadShared(log));
            }
            catch (UnauthorizedAccessException)
            {
                // a server's own log the test user may not read
            }
        }
    }

    [GeneratedRegex(@"dashboard (?<url>\S+)\s+\(log in: (?<login>\S+)\)")]
    private static partial Regex DashboardLine();

    [GeneratedRegex(@"demo accounts (?<accounts>[^:]+): password '(?<password>[^']+)'")]
    private static partial Regex DemoAccountsLine();
}

[CollectionDefinition(Name)]
public sealed class SuiteCollection : ICollectionFixture<AssembledSuite>
{
    public const string Name = "assembled suite";
}
