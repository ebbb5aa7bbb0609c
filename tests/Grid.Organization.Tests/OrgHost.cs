using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grid.Contracts.Organization.V1;
using Grid.Testing;
using Grpc.Net.Client;
using Npgsql;

namespace Grid.Organization.Tests;

/// <summary>
/// One organization service per test class, on its own PostgreSQL database and Redis key prefix, with a
/// small county: root C, townships A (west) and B (east), villages A1 and A2 splitting A at lon 113.15.
/// </summary>
public sealed class OrgHost : IAsyncLifetime
{
    public const string Prefix = "T";

    public GridServiceFactory<Program> Factory { get; private set; } = null!;

    public string Database { get; private set; } = null!;

    public string CachePrefix { get; } = GridInfrastructure.UniqueName("org");

    public GridInfrastructure Infra { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    /// <summary>A service client's secret, random per run.</summary>
    public string ClientSecret { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));

    public Dictionary<string, Guid> Ids { get; } = [];

    public async Task InitializeAsync()
    {
        Infra = await GridInfrastructure.GetAsync();
        Database = await Infra.CreateDatabaseAsync("org");
        Factory = new GridServiceFactory<Program>()
            .WithConnectionString("organizationdb", Database)
            .WithConnectionString("cache", Infra.RedisConnectionString)
            .WithSetting("Grid:CachePrefix", CachePrefix)
            .WithSetting("Identity:Clients:fire-service:Secret", ClientSecret)
            .WithSetting("Identity:Clients:fire-service:Posts", "service@comprehensive:*")
            .WithSetting("Identity:Clients:labor-service:Secret", ClientSecret)
            .WithSetting("Identity:Clients:labor-service:Posts", "service@labor:*")
            .WithSetting("Identity:Clients:bare-service:Secret", ClientSecret)
            .WithSetting("Identity:Login:MaxFailuresPerAccount", "3");
        Admin = Factory.CreateClient(TestTokens.Admin());
        await SeedAsync();
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        await Factory.DisposeAsync();
    }

    private async Task SeedAsync()
    {
        Ids["C"] = await CreateGridAsync("C", "测试县", "县", null, Rect(113.0, 34.5, 113.6, 34.9));
        Ids["A"] = await CreateGridAsync("A", "东城镇", "乡镇", Ids["C"], Rect(113.0, 34.5, 113.3, 34.9));
        Ids["B"] = await CreateGridAsync("B", "西河乡", "乡镇", Ids["C"], Rect(113.3, 34.5, 113.6, 34.9));
        Ids["A1"] = await CreateGridAsync("A1", "东村", "村", Ids["A"], Rect(113.0, 34.5, 113.15, 34.9));
        Ids["A2"] = await CreateGridAsync("A2", "西村", "村", Ids["A"], Rect(113.15, 34.5, 113.3, 34.9));
    }

    public string Code(string shortCode) => $"{Prefix}-{shortCode}";

    public async Task<Guid> CreateGridAsync(string code, string name, string level, Guid? parent, JsonObject boundary, string hierarchy = "comprehensive")
    {
        var r = await Admin.PostAsJsonAsync("/api/org/v1/grids", GridBody(Code(code), name, level, parent, boundary, hierarchy));
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        return (await r.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    /// <summary>Creates a staff member through the admin API and returns its id.</summary>
    public async Task<Guid> CreateStaffAsync(string name, string phone, params (string Grid, string Role, string Domain)[] posts)
    {
        var body = new JsonObject
        {
            ["name"] = name,
            ["phone"] = phone,
            ["assignments"] = new JsonArray(posts.Select(p => (JsonNode)new JsonObject { ["gridId"] = Ids[p.Grid].ToString(), ["role"] = p.Role, ["domain"] = p.Domain }).ToArray()),
        };
        var r = await Admin.PostAsJsonAsync("/api/org/v1/staff", body);
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        return (await r.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    public static JsonObject GridBody(string code, string name, string level, Guid? parent, JsonNode? boundary, string hierarchy = "comprehensive") => new()
    {
        ["code"] = code,
        ["name"] = name,
        ["levelName"] = level,
        ["hierarchy"] = hierarchy,
        ["parentId"] = parent?.ToString(),
        ["boundary"] = boundary,
        ["households"] = 300,
        ["population"] = 1000,
        ["hotline"] = "12345",
    };

    public static JsonObject Rect(double x0, double y0, double x1, double y1) => Polygon((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0));

    public static JsonObject Polygon(params (double X, double Y)[] ring) => new()
    {
        ["type"] = "Polygon",
        ["coordinates"] = new JsonArray(new JsonArray(ring.Select(p => (JsonNode)new JsonArray(p.X, p.Y)).ToArray())),
    };

    /// <summary>A gRPC client over the in-process test server (HTTP/2), sending the given token.</summary>
    public Contracts.Organization.V1.Organization.OrganizationClient Grpc(string? token = null) => new(Channel(token));

    public GrpcChannel Channel(string? token = null) =>
        GrpcChannel.ForAddress(Factory.Server.BaseAddress, new GrpcChannelOptions
        {
            HttpHandler = new Bearer(token ?? TestTokens.Admin()) { InnerHandler = Factory.Server.CreateHandler() },
        });

    public async Task<long> CountAsync(string table)
    {
        await using var conn = new NpgsqlConnection(Database);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {table}", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql, params (string Name, object Value)[] args)
    {
        await using var conn = new NpgsqlConnection(Database);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (n, v) in args)
        {
            cmd.Parameters.AddWithValue(n, v);
        }

        await cmd.ExecuteNonQueryAsync();
    }

    private sealed class Bearer(string token) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return base.SendAsync(request, cancellationToken);
        }
    }
}

public static class Problems
{
    /// <summary>The problem body, asserting it is RFC 7807 and names <paramref name="field"/> in its errors.</summary>
    public static async Task<JsonObject> AssertNamesFieldAsync(HttpResponseMessage r, HttpStatusCode status, string field)
    {
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == status, $"expected {status}, got {r.StatusCode}: {text}");
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(text)!.AsObject();
        var errors = body["errors"]?.AsObject();
        Assert.True(errors is not null && errors.ContainsKey(field), $"problem does not name {field}: {text}");
        return body;
    }
}
