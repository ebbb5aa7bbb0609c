using System.Diagnostics;

namespace Grid.LocalServers;

/// <summary>Runs a command to completion and returns its exit code and combined output.</summary>
public static class ProcessRunner
{
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string file, IEnumerable<string> args, IDictionary<string, string>? env = null,
        string? workingDirectory = null, CancellationToken ct = default)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        if (env is not null)
        {
            foreach (var (k, v) in env)
            {
                psi.Environment[k] = v;
            }
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        return (p.ExitCode, (await stdout) + (await stderr));
    }

    public static async Task RunCheckedAsync(
        string file, IEnumerable<string> args, IDictionary<string, string>? env = null, CancellationToken ct = default)
    {
        var argList = args.ToList();
        var (code, output) = await RunAsync(file, argList, env, null, ct);
        if (code != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', argList)} exited with {code}: {output}");
        }
    }
}
