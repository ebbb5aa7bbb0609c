namespace Grid.LocalServers;

/// <summary>What a local suite gives each service besides servers, for the AppHost and the tests that assemble services.</summary>
public static class SuiteSettings
{
    /// <summary>
    /// What each service's own client-credentials token may do, as posts (role@domain:grid): each reads the
    /// grids of its own domain and, for reports by comprehensive-grid workers, of the comprehensive grid; the
    /// command centre reads every domain. Nothing more: a client with no posts configured holds none.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ClientPosts = new Dictionary<string, string>
    {
        ["fire"] = "service@fire:*,service@comprehensive:*",
        ["environment"] = "service@environment:*,service@comprehensive:*",
        ["labor"] = "service@labor:*,service@comprehensive:*",
        ["drugs"] = "service@drugs:*,service@comprehensive:*",
        ["cadre"] = "service@cadre:*,service@comprehensive:*",
        ["command"] = "reader@*:*",
    };

    /// <summary>The services that seal reporters' identities (举报人保密) and so hold the reporter key; no other does.</summary>
    public static readonly IReadOnlySet<string> ReporterKeyHolders = new HashSet<string> { "fire", "environment", "labor", "drugs", "cadre" };
}
