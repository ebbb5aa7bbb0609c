namespace Grid.AppHost;

/// <param name="FreePorts">Every server, service and the gateway on a free port instead of the README's fixed ones (a second suite beside the first, the end-to-end tests).</param>
/// <param name="ParentPid">Stop everything when this process ends (a test run that starts the suite and is killed).</param>
/// <param name="StartTimeout">How long each service may take to become healthy (first start seeds the demo county).</param>
public sealed record AppHostOptions(string Mode, string RepoRoot, string StateDir, string? EnvFile, string Configuration,
    bool FreePorts = false, int? ParentPid = null, TimeSpan? StartTimeout = null)
{
    public static AppHostOptions Parse(string[] args)
    {
        var mode = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "run";
        string? Value(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        var root = Environment.GetEnvironmentVariable("GRID_ROOT") ?? FindRepoRoot(AppContext.BaseDirectory);
        var state = Path.GetFullPath(Value("--state") ?? Path.Combine(root, ".grid"));
        var configuration = Value("--configuration") ?? Environment.GetEnvironmentVariable("GRID_CONFIGURATION") ?? "Release";
        var parent = int.TryParse(Value("--parent-pid"), out var pid) ? pid : (int?)null;
        var timeout = int.TryParse(Value("--start-timeout"), out var seconds) ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        return new AppHostOptions(mode, root, state, Value("--env-file"), configuration, args.Contains("--free-ports"), parent, timeout);
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
}
