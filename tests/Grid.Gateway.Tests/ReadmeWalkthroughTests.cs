using System.Diagnostics;
using System.Text.RegularExpressions;
using Grid.LocalServers;
using Grid.Testing;
using Grid.Testing.Hosting;

namespace Grid.Gateway.Tests;

/// <summary>
/// The README's five-minute walk-through, run as written against the suite as <c>./grid up</c> composes it —
/// organization with the demo county, fire, environment, command centre and the gateway, each its own process —
/// on free ports and the test servers. Only the first line (GW, the gateway's address) is changed. The state
/// folder is this run's <c>.grid</c>, so the demo password is read from <c>.grid/demo-logins.txt</c> as a
/// person reads it.
/// </summary>
public sealed class ReadmeWalkthroughTests
{
    private const string FixedGateway = "GW=http://127.0.0.1:8080";

    [Fact]
    public async Task The_demo_cast_walks_the_readme_cases_to_closure_through_the_gateway()
    {
        var script = WalkthroughScript();
        var infra = await GridInfrastructure.GetAsync();
        var home = Directory.CreateTempSubdirectory("grid-walk-").FullName;
        var app = await StartSuiteAsync(infra, Path.Combine(home, ".grid"));
        try
        {
            var gateway = app.Resources.OfType<ExecutableResource>().Single(r => r.Name == "gateway").Url!;
            var (exit, output, errors) = await RunAsync(script.Replace(FixedGateway, $"GW={gateway}", StringComparison.Ordinal), home, TimeSpan.FromMinutes(4));
            Assert.True(exit == 0, $"exit {exit}\n{output}\n{errors}\n--- organization log ---\n{Resource.LogTail(Path.Combine(home, ".grid", "logs", "organization.log"), 30)}");

            // The wrong person was refused, the unknown department and the transfer to the comprehensive grid too, naming the field.
            Assert.Contains("\"status\": 403", output);
            Assert.Contains("DEPT-NOWHERE", output);
            Assert.Contains("the domains that can take one: environment", output);
            Assert.Contains("\"departmentId\": \"", output);

            // Environment's result came back to fire, and every case was closed: fire's two, environment's one, and the
            // command centre's listing shows both fire cases closed.
            Assert.Contains("责令停止焚烧", output);
            Assert.True(Regex.Matches(output, "\"state\": \"closed\"").Count >= 5, output);
            Assert.Contains("废品站露天焚烧塑料冒黑烟", output);

            // Every bus started and carried the transfer, and none tried to report its usage to MassTransit's vendor.
            foreach (var service in new[] { "organization", "fire", "environment", "command" })
            {
                Assert.DoesNotContain("usage telemetry", await File.ReadAllTextAsync(Path.Combine(home, ".grid", "logs", service + ".log")), StringComparison.OrdinalIgnoreCase);
            }
        }
        finally
        {
            await app.StopAsync();
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>The shell block between the walkthrough markers of README.md.</summary>
    private static string WalkthroughScript()
    {
        var readme = File.ReadAllText(Path.Combine(ProjectProcess.RepoRoot, "README.md"));
        var block = Regex.Match(readme, "<!-- walkthrough:start -->\\s*```sh\\n(?<script>.*?)```\\s*<!-- walkthrough:end -->", RegexOptions.Singleline);
        Assert.True(block.Success, "README.md has no walkthrough block");
        var script = block.Groups["script"].Value;
        Assert.Single(Regex.Matches(script, "^" + Regex.Escape(FixedGateway) + "$", RegexOptions.Multiline));
        return script;
    }

    /// <summary>The suite's processes as the AppHost starts them (Aspire conventions), on free ports.</summary>
    private static async Task<DistributedApplication> StartSuiteAsync(GridInfrastructure infra, string state)
    {
        var builder = DistributedApplication.CreateBuilder(state, ProjectProcess.RepoRoot, ProjectProcess.BuildConfiguration);
        var messaging = await infra.CreateVirtualHostAsync("walk");
        var reporterKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var grpc = FreePort.Next();
        var org = builder.AddProject("organization", "services/Grid.Organization").WithHttpEndpoint(FreePort.Next());
        org.WithEndpoint("grpc", grpc)
            .WithEnvironment("Grid__GrpcPort", grpc.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("ConnectionStrings__organizationdb", await infra.CreateDatabaseAsync("walkorg"))
            .WithEnvironment("ConnectionStrings__messaging", messaging)
            .WithEnvironment("ConnectionStrings__cache", infra.RedisConnectionString)
            .WithEnvironment("Grid__CachePrefix", GridInfrastructure.UniqueName("walkorg"))
            .WithEnvironment("Grid__SeedDemoData", "true")
            .WithEnvironment("Identity__CredentialsFile", Path.Combine(state, "demo-logins.txt"));
        var jwks = $"{org.Url}/.well-known/jwks.json";

        var services = new List<ExecutableResource> { org };
        foreach (var (name, project, database) in new[]
        {
            ("fire", "services/Grid.FireSafety", "firedb"),
            ("environment", "services/Grid.EnvironmentMonitoring", "environmentdb"),
            ("command", "services/Grid.CommandCenter", "commanddb"),
        })
        {
            var secret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
            org.WithEnvironment($"Identity__Clients__{name}__Secret", secret)
                .WithEnvironment($"Identity__Clients__{name}__Posts", SuiteSettings.ClientPosts[name]);
            var s = builder.AddProject(name, project).WithHttpEndpoint(FreePort.Next());
            s.WithEnvironment($"ConnectionStrings__{database}", await infra.CreateDatabaseAsync("walk" + name))
                .WithEnvironment("ConnectionStrings__messaging", messaging)
                .WithEnvironment("ConnectionStrings__cache", infra.RedisConnectionString)
                .WithEnvironment("Identity__JwksUrl", jwks)
                .WithEnvironment("Identity__ClientId", name)
                .WithEnvironment("Identity__ClientSecret", secret)
                .WithEnvironment("Grid__SeedDemoData", "false")
                .WithReference(org);
            if (SuiteSettings.ReporterKeyHolders.Contains(name))
            {
                s.WithEnvironment("Casework__ReporterKey", reporterKey);
            }

            services.Add(s);
        }

        var gateway = builder.AddProject("gateway", "gateway/Grid.Gateway").WithHttpEndpoint(FreePort.Next());
        gateway.WithEnvironment("ConnectionStrings__cache", infra.RedisConnectionString)
            .WithEnvironment("Gateway__RateLimit__KeyPrefix", GridInfrastructure.UniqueName("walkgw") + ":")
            .WithEnvironment("Identity__JwksUrl", jwks);
        foreach (var s in services)
        {
            gateway.WithReference(s);
        }

        var app = builder.Build();
        await app.StartAsync();
        return app;
    }

    private static async Task<(int Exit, string Output, string Errors)> RunAsync(string script, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = workingDirectory, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-xeo");
        start.ArgumentList.Add("pipefail");
        using var bash = Process.Start(start)!;
        await bash.StandardInput.WriteAsync(script);
        bash.StandardInput.Close();
        var output = bash.StandardOutput.ReadToEndAsync();
        var errors = bash.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await bash.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            bash.Kill(entireProcessTree: true);
            return (-1, await output, "timed out after " + timeout + "\n" + await errors);
        }

        return (bash.ExitCode, await output, await errors);
    }
}
