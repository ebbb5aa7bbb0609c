using System.Net;
using System.Text.RegularExpressions;

namespace Grid.EndToEnd;

/// <summary>
/// Finds, in log text, every sign of a connection to somewhere other than this machine: a URL or connection
/// string naming a host, an address with a port, or a connection/lookup message naming a host. Loopback
/// (127.0.0.0/8, ::1, localhost) and the unspecified address (what servers bind) pass; anything else is a finding,
/// except a documentation link that a server's banner or error text points people to ("see https://...") and a
/// resource name of the deployment (<c>http://organization/</c>): service discovery turns it into the address the
/// AppHost gave that resource, and the line that sends the request names that address, which is judged in turn.
/// </summary>
public static partial class OutboundScanner
{
    public sealed record Finding(string File, int Line, string Host, string Text);

    /// <summary>Every log file under the directory (the services' and servers' logs, RabbitMQ's own, the AppHost's).</summary>
    public static IReadOnlyList<Finding> ScanDirectory(string dir, IReadOnlyCollection<string> resources) =>
        AssembledSuite.LogFiles(dir)
            .SelectMany(f => Scan(Path.GetRelativePath(dir, f), AssembledSuite.ReadShared(f), resources))
            .ToList();

    public static IEnumerable<Finding> Scan(string file, string text, IReadOnlyCollection<string> resources)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            foreach (var host in Hosts(lines[i]).Where(h => !IsLocal(h) && !resources.Contains(h)).Distinct())
            {
                yield return new Finding(file, i + 1, host, lines[i].Length > 300 ? lines[i][..300] : lines[i]);
            }
        }
    }

    /// <summary>Every host a line names as somewhere to connect to.</summary>
    public static IEnumerable<string> Hosts(string line)
    {
        foreach (Match m in Url().Matches(line))
        {
            if (!DocumentationLink().IsMatch(line[..m.Index]))
            {
                yield return m.Groups["host"].Value;
            }
        }

        foreach (Match m in HostPort().Matches(line))
        {
            yield return m.Groups["host"].Value;
        }

        foreach (Match m in HostSetting().Matches(line))
        {
            yield return m.Groups["host"].Value;
        }

        // Names outside URLs only: a URL was judged above (a documentation link is not a connection).
        var rest = Url().Replace(line, " ");
        if (ConnectionWords().IsMatch(rest))
        {
            foreach (Match m in DomainName().Matches(rest))
            {
                yield return m.Value;
            }
        }
    }

    public static bool IsLocal(string host)
    {
        host = host.Trim('[', ']').TrimEnd('.').ToLowerInvariant();
        if (host is "localhost" or "0.0.0.0" or "::" || host.EndsWith(".localhost", StringComparison.Ordinal))
        {
            return true;
        }

        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }

    // scheme://[user@]host — http(s), amqp(s), rabbitmq, redis, postgres, grpc, ws(s), tcp.
    [GeneratedRegex(@"\b(?:https?|amqps?|rabbitmq|rediss?|postgres(?:ql)?|grpcs?|wss?|tcp)://(?:[^@/\s]*@)?(?<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)", RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    // An IPv4 or bracketed IPv6 address with a port, as socket errors print them: "Connection refused (10.0.0.5:5672)".
    [GeneratedRegex(@"(?<![\w.])(?<host>(?:\d{1,3}\.){3}\d{1,3}|\[[0-9a-fA-F:]+\]):\d{1,5}\b")]
    private static partial Regex HostPort();

    // Connection strings: "Host=db.example.com;Port=5432", "Server=...", "endpoint=...".
    [GeneratedRegex(@"\b(?:Host|Server|Endpoint|Address)\s*=\s*(?<host>[A-Za-z0-9._:\[\]-]+?)(?=[;,\s]|$)", RegexOptions.IgnoreCase)]
    private static partial Regex HostSetting();

    // Servers' banners and warnings point people to their documentation ("Doc guides:  https://rabbitmq.com/...", "see https://github.com/...").
    [GeneratedRegex(@"\b(?:see|website|doc guides|support|tutorials|monitoring|documentation|information)\b\W{0,12}$", RegexOptions.IgnoreCase)]
    private static partial Regex DocumentationLink();

    // Words of connection and name-lookup messages (whole words: "ConnectionId" in a log scope is not one).
    [GeneratedRegex(@"\b(?:connect|connecting|connected|connection refused|connection to|dial|dialing|resolve|resolving|lookup|dns|no such host|name or service not known|unreachable|sending http request|processing http request|usage|telemetry)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionWords();

    // A DNS name (lower case) ending in a public top-level domain; .NET names like System.Net.Http are capitalised.
    [GeneratedRegex(@"(?<![\w.-])(?:[a-z0-9-]+\.)+(?:com|net|org|io|dev|cloud|cn|app|ai|co|info|biz|us|eu|de|uk|ms|azure|amazonaws)(?![\w-])")]
    private static partial Regex DomainName();
}
