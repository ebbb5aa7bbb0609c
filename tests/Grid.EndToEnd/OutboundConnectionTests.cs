namespace Grid.EndToEnd;

/// <summary>No part of the suite tries to reach anything outside the machine (vendors' usage reporting included).</summary>
[Collection(SuiteCollection.Name)]
public class OutboundConnectionTests(AssembledSuite suite)
{
    [Fact]
    public void The_scanner_finds_outbound_attempts_planted_in_a_copy_of_the_runs_logs_and_passes_loopback()
    {
        var scratch = Directory.CreateTempSubdirectory("grid-e2e-logs-").FullName;
        try
        {
            foreach (var f in AssembledSuite.LogFiles(suite.StateDir))
            {
                var copy = Path.Combine(scratch, Path.GetRelativePath(suite.StateDir, f));
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.WriteAllText(copy, AssembledSuite.ReadShared(f));
            }

            var resources = suite.Addresses.Keys.ToList();
            Assert.Contains("organization", resources);
            var before = OutboundScanner.ScanDirectory(scratch, resources).Count;
            File.AppendAllLines(Path.Combine(scratch, "logs", "fire.log"),
            [
                "2026-12-07T01:00:00.000Z info: System.Net.Http.HttpClient.Default.LogicalHandler[100] Start processing HTTP request POST https://usage.masstransit.io/v1/usage",
                "2026-12-07T01:00:01.000Z warn: RabbitMQ.Client[0] Connection refused (203.0.113.7:5672)",
                "2026-12-07T01:00:02.000Z fail: Npgsql[0] Failed to connect to db.example.com: Name or service not known",
                "2026-12-07T01:00:03.000Z info: Microsoft.Hosting.Lifetime[14] Now listening on: http://127.0.0.1:5111",
                "2026-12-07T01:00:04.000Z info: Grid[0] Connected to amqp://guest@localhost:5672/ and Host=127.0.0.1;Port=5432",
                "  Doc guides:  https://rabbitmq.com/documentation.html",
                "2026-12-07T01:00:06.000Z info: System.Net.Http.HttpClient.organization.LogicalHandler[100] Start processing HTTP request GET http://organization/api/org/v1/departments",
                "2026-12-07T01:00:07.000Z info: System.Net.Http.HttpClient.metrics.LogicalHandler[100] Start processing HTTP request POST http://collector/v1/traces",
                "2026-12-07T01:00:05.000Z warn: Health[103] Timeout on connection to 127.0.0.1:46821 (see https://seredis.dev/Timeouts for some common client-side issues that can cause timeouts)",
            ]);

            var findings = OutboundScanner.ScanDirectory(scratch, resources);
            Assert.Equal(before + 4, findings.Count);
            var planted = findings.Where(f => f.File == Path.Combine("logs", "fire.log")).Select(f => f.Host).ToList();
            Assert.Contains("usage.masstransit.io", planted);
            Assert.Contains("203.0.113.7", planted);
            Assert.Contains("db.example.com", planted);
            Assert.Contains("collector", planted);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [Fact]
    public async Task No_log_of_the_run_shows_a_connection_attempt_beyond_the_machine()
    {
        // Some traffic first, so every service has done more than start: a report, tokens, the page's API.
        var everyone = await suite.DemoUsersAsync();
        var finder = everyone.Single(u => u.UserName == "worker01");
        await Cases.ReportFireHazardAsync(finder, await Cases.PositionInAsync(suite, finder), "仓库电线老化");

        var findings = OutboundScanner.ScanDirectory(suite.StateDir, suite.Addresses.Keys.ToList());
        Assert.True(findings.Count == 0, "outbound connection attempts:\n" + string.Join('\n', findings.Take(20).Select(f => $"{f.File}:{f.Line} {f.Host}: {f.Text}")));
    }
}
