namespace Grid.Gateway.Routing;

/// <summary>A service behind the gateway (后端服务): its discovery name, the path prefix it owns and its title.</summary>
public sealed record BackendService(string Name, string PathPrefix, string Title);

/// <summary>The services the gateway fronts; names are those of service discovery (services:&lt;name&gt;:http:0).</summary>
public static class BackendServices
{
    public const string Organization = "organization";
    public const string Command = "command";
    public const string Cadre = "cadre";

    public static readonly IReadOnlyList<BackendService> All =
    [
        new(Organization, "/api/org", "组织与网格 Organization"),
        new("fire", "/api/fire", "消防安全 Fire safety"),
        new("environment", "/api/environment", "生态环境 Environment"),
        new("labor", "/api/labor", "劳动监察 Labor inspection"),
        new("drugs", "/api/drugs", "药品两网 Drug supply"),
        new(Cadre, "/api/cadre", "干部监督 Cadre supervision"),
        new(Command, "/api/command", "联合指挥 Command centre"),
    ];
}
