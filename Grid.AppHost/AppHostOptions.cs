namespace Grid.AppHost;

public sealed record AppHostOptions(string Mode, string RepoRoot, string StateDir, string? EnvFile, string Configuration)
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
        return new AppHostOptions(mode, root, state, Value("--env-file"), configuration);
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
