namespace Grid.AppHost.Hosting;

/// <summary>The live table of resources: state and URL, redrawn when something changes.</summary>
public sealed class ResourceTable(DistributedApplication app, TextWriter output)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, ResourceState> _printed = new();

    public void Attach()
    {
        app.Changed += Render;
        Render();
    }

    public static string Format(IEnumerable<Resource> resources)
    {
        var rows = resources.Select(r => (r.Name, State: r.State.ToString(), Url: r.Url ?? "", Log: r.LogPath)).ToList();
        var w1 = Math.Max(8, rows.Max(r => r.Name.Length));
        var w2 = Math.Max(8, rows.Max(r => r.State.Length));
        var w3 = Math.Max(3, rows.Max(r => r.Url.Length));
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"{"RESOURCE".PadRight(w1)}  {"STATE".PadRight(w2)}  {"URL".PadRight(w3)}  LOG");
        foreach (var r in rows)
        {
            sb.AppendLine($"{r.Name.PadRight(w1)}  {r.State.PadRight(w2)}  {r.Url.PadRight(w3)}  {r.Log}");
        }

        return sb.ToString();
    }

    private void Render()
    {
        lock (_gate)
        {
            var changed = app.Resources.Where(r => !_printed.TryGetValue(r.Name, out var s) || s != r.State).ToList();
            if (changed.Count == 0)
            {
                return;
            }

            foreach (var r in app.Resources)
            {
                _printed[r.Name] = r.State;
            }

            if (!Console.IsOutputRedirected && ReferenceEquals(output, Console.Out))
            {
                Console.Clear();
                output.Write(Format(app.Resources));
            }
            else
            {
                foreach (var r in changed)
                {
                    output.WriteLine($"{DateTime.Now:HH:mm:ss} {r.Name,-14} {r.State,-9} {r.Url}");
                }
            }
        }
    }
}
