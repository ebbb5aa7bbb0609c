using System.Globalization;
using Grid.LocalServers;

namespace Grid.AppHost.Extensions;

/// <summary>
/// How this run of the suite is laid out: its state directory (data, logs, secrets, run files), the README's fixed
/// ports or free ones (a second suite beside the first, the end-to-end tests), and the dashboard's addresses.
/// </summary>
/// <param name="ParentPid">Stop everything when this process ends (a test run that starts the suite and is killed).</param>
public sealed record GridRun(string RepoRoot, string StateDir, bool FreePorts, int? ParentPid, string DashboardToken)
{
    /// <summary>Usage: Grid.AppHost [--state DIR] [--free-ports] [--parent-pid PID]; the rest is Aspire's configuration.</summary>
    public static (GridRun Run, string[] AspireArgs) Parse(string[] args)
    {
        var rest = new List<string>();
        string? state = null;
        int? parent = null;
        var free = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--state" when i + 1 < args.Length: state = args[++i]; break;
                case "--parent-pid" when i + 1 < args.Length: parent = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--free-ports": free = true; break;
                default: rest.Add(args[i]); break;
            }
        }

        var root = Environment.GetEnvironmentVariable("GRID_ROOT") ?? FindRepoRoot(AppContext.BaseDirectory);
        var token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var run = new GridRun(root, Path.GetFullPath(state ?? Path.Combine(root, ".grid")), free, parent, token);

        // The dashboard on loopback without TLS (no developer certificate here), logged in with this run's token, and
        // nothing sent outside the deployment.
        rest.AddRange([
            $"--ASPNETCORE_URLS={run.DashboardUrl}",
            $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:{run.Port(Ports.DashboardOtlp)}",
            "--ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
            $"--ASPIRE_DASHBOARD_FRONTEND_BROWSERTOKEN={token}",
            "--ASPIRE_DASHBOARD_TELEMETRY_OPTOUT=true",
        ]);
        return (run, rest.ToArray());
    }

    private readonly Dictionary<int, int> _ports = [];

    public string DashboardUrl => $"http://127.0.0.1:{Port(Ports.Dashboard)}";

    public string DashboardLoginUrl => $"{DashboardUrl}/login?t={DashboardToken}";

    public string RunDir => Path.Combine(StateDir, "run");

    /// <summary>
    /// The file (mode 0600) that holds, while the suite runs, the key Aspire made for the dashboard's telemetry API
    /// (<c>GET /api/telemetry/…</c>, header <c>x-api-key</c>): the spans, traces and logs the dashboard shows, for scripts.
    /// </summary>
    public string DashboardApiKeyFile => Path.Combine(RunDir, "dashboard-api-key");

    public string LogsDir => Path.Combine(StateDir, "logs");

    public string DataDir(string resource) => Path.Combine(StateDir, "data", resource);

    /// <summary>The README's port, or a free one chosen once per run for it.</summary>
    public int Port(int fixedPort)
    {
        lock (_ports)
        {
            if (!_ports.TryGetValue(fixedPort, out var port))
            {
                _ports[fixedPort] = port = FreePorts ? FreePort.Next() : fixedPort;
            }

            return port;
        }
    }

    public static string FindRepoRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Grid.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    /// <summary>Fixed local ports of a suite a person runs; the README lists them.</summary>
    public static class Ports
    {
        public const int Gateway = 8080;

        /// <summary>HTTP/2 without TLS for department systems' gRPC calls through the gateway.</summary>
        public const int GatewayGrpc = 8081;
        public const int Organization = 5101;
        public const int OrganizationGrpc = 5102;
        public const int Fire = 5111;
        public const int Environment = 5121;
        public const int Labor = 5131;
        public const int Drugs = 5141;
        public const int Cadre = 5151;
        public const int Command = 5161;
        public const int Postgres = 25432;
        public const int RabbitMq = 25672;
        public const int RabbitMqManagement = 25673;
        public const int RabbitMqEpmd = 25674;
        public const int RabbitMqDistribution = 25675;
        public const int Redis = 26379;
        public const int Dashboard = 18888;
        public const int DashboardOtlp = 18889;
    }
}
