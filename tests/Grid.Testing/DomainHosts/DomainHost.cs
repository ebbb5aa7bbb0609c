using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Grid.Testing.DomainHosts;

/// <summary>
/// A domain service (<typeparamref name="TProgram"/>) in-process on its own fresh database (<c>{domain}db</c>) and
/// broker virtual host, with a fake clock, its log lines kept, and — for the services that ask the organization for
/// grids — a real organization gRPC server over the domain's hierarchy (<see cref="GridTree"/>). A domain's test host
/// states only its domain, its clock's start and its own settings.
/// </summary>
public abstract class DomainHost<TProgram> : GridServiceFactory<TProgram>
    where TProgram : class
{
    private GridTree? _tree;

    protected DomainHost(string domain, DateTimeOffset now, bool organization = true)
    {
        Domain = domain;
        Time = new FakeTimeProvider(now);
        UsesOrganization = organization;
    }

    public static JsonSerializerOptions Json => DomainHttp.Json;

    /// <summary>Thursday 2026-11-19, 10:00 in China (02:00 UTC).</summary>
    public static DateTimeOffset ThursdayMorning { get; } = new(2026, 11, 19, 2, 0, 0, TimeSpan.Zero);

    public string Domain { get; }

    public FakeTimeProvider Time { get; }

    public string ConnectionString { get; private set; } = "";

    public string Messaging { get; private set; } = "";

    /// <summary>The organization server of the domain's hierarchy.</summary>
    public GridTree Tree => _tree ?? throw new InvalidOperationException($"The {Domain} host reads its grids from configuration, not an organization server.");

    /// <summary>Every log line the service wrote, formatted, to search for what must never be logged.</summary>
    public ConcurrentQueue<string> Logs { get; } = new();

    private bool UsesOrganization { get; }

    /// <summary>The reporter key cases are sealed with (a fresh one per host unless the domain keeps one).</summary>
    protected virtual string ReporterKey { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>A person holding <paramref name="role"/> in this domain on each grid given (every grid when none).</summary>
    public HttpClient As(string subject, string role, params string[] grids) =>
        CreateClient(TestTokens.Create(subject, [role], [Domain], grids.Length == 0 ? ["*"] : grids, name: subject));

    public T Service<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public async Task<long> CountAsync(string table, string where = "true")
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE {where}", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Every row's text of a table, to search for what must never be written there.</summary>
    public async Task<string> DumpAsync(string table)
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM {table} t", conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_tree is not null)
        {
            await _tree.DisposeAsync();
        }
    }

    /// <summary>
    /// Starts <paramref name="host"/>: its database, its virtual host (or <paramref name="messaging"/>, one shared with
    /// another host), the organization server (staffed by <paramref name="staff"/>), the settings every domain service
    /// takes in a test (the deadline scan runs when a test calls it, on the fake clock), the domain's own
    /// (<see cref="Configure"/>), then the test's (<paramref name="configure"/>).
    /// </summary>
    protected static async Task<THost> StartAsync<THost>(THost host, Action<THost>? configure, string? messaging = null, Action<GridTree>? staff = null)
        where THost : DomainHost<TProgram>
    {
        DomainHost<TProgram> h = host;
        var infra = await GridInfrastructure.GetAsync();
        h.ConnectionString = await infra.CreateDatabaseAsync(h.Domain);
        h.Messaging = messaging ?? await infra.CreateVirtualHostAsync(h.Domain);
        h.WithConnectionString($"{h.Domain}db", h.ConnectionString);
        h.WithConnectionString("messaging", h.Messaging);
        if (h.UsesOrganization)
        {
            h._tree = await GridTree.StartAsync(h.Domain);
            staff?.Invoke(h._tree);
            h.WithSetting("services:organization:grpc:0", h._tree.Address);
        }

        h.WithSetting("Casework:ReporterKey", h.ReporterKey);
        h.WithSetting("Casework:SchedulerEnabled", "false");
        h.Configure();
        configure?.Invoke(host);
        _ = host.Server; // start now: schema and topology exist before the first request
        return host;
    }

    /// <summary>The domain's own settings, before the test's.</summary>
    protected virtual void Configure()
    {
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Time));
        builder.ConfigureLogging(l => l.AddProvider(new CapturedLogs(Logs)));
    }
}
