using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Contracts.Events;
using Grid.Testing;
using MassTransit;

namespace Grid.CommandCenter.Tests;

/// <summary>
/// 留痕封存 end to end: a real fire service (its own process, database and audit key) seals its audit chain through its
/// outbox and RabbitMQ; the command centre keeps the seal and lists it; the fire service's verification holds against it.
/// </summary>
public class AuditSealTests
{
    private static readonly string AuditZero = new('0', 64);

    [Fact]
    public async Task A_domains_audit_seal_reaches_the_command_centre_is_listed_and_verifies_the_domains_chain()
    {
        var infra = await GridInfrastructure.GetAsync();
        var messaging = await infra.CreateVirtualHostAsync("cc_seal");
        await using var command = new GridServiceFactory<Program>()
            .WithConnectionString("commanddb", await infra.CreateDatabaseAsync("cc_seal"))
            .WithConnectionString("messaging", messaging);
        _ = command.Server;

        var county = "SC" + Guid.NewGuid().ToString("N")[..6];
        var settings = await FireServiceSettings.CreateAsync(infra, messaging, "sealfire",
            [new(county, "示范县", "county"), new(county + "-T1", "一镇", "large", county), new(county + "-T1-V1", "东村", "mid", county + "-T1")]);
        settings["Casework__AuditSealInterval"] = "00:00:01";
        await using var fire = await ProjectProcess.StartAsync("fire", "services/Grid.FireSafety", settings);
        using var fireHttp = new HttpClient { BaseAddress = fire.Url };
        fireHttp.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Create("worker-1", ["grid-worker"], ["fire"], [county]));
        using (var reported = await fireHttp.PostAsJsonAsync("/api/fire/v1/cases", new { category = "evacuation", severity = "general", title = "堵塞消防通道", gridId = county + "-T1-V1" }))
        {
            Assert.True(reported.StatusCode == HttpStatusCode.Created, await reported.Content.ReadAsStringAsync());
        }

        // A seal naming the report's entry arrives (the service seals every second here) and is listed for the domain.
        using var auditor = command.CreateClient(TestTokens.Create("auditor-1", ["auditor"]));
        JsonElement fireSeals = default;
        await Wait.UntilAsync(async () =>
        {
            var list = await auditor.GetFromJsonAsync<JsonElement>("/api/command/v1/audit/seals?domain=fire");
            fireSeals = list.EnumerateArray().FirstOrDefault(d => d.GetProperty("domain").GetString() == "fire");
            return fireSeals.ValueKind == JsonValueKind.Object && fireSeals.GetProperty("last").GetProperty("headSeq").GetInt64() >= 1;
        }, TimeSpan.FromSeconds(60), "fire's seal of its first audit entry at the command centre");
        var last = fireSeals.GetProperty("last");
        Assert.Matches("^[0-9a-f]{64}$", last.GetProperty("headHash").GetString());
        Assert.True(fireSeals.GetProperty("count").GetInt64() >= 1);
        Assert.Equal(JsonValueKind.Null, fireSeals.GetProperty("shrankAt").ValueKind);
        Assert.Contains(fireSeals.GetProperty("recent").EnumerateArray(), s => s.GetProperty("headSeq").GetInt64() == last.GetProperty("headSeq").GetInt64());
        Assert.Contains("Audit chain sealed", fire.Log);

        // The seal verifies the fire service's chain; the same seal with another MAC does not.
        using var fireAuditor = new HttpClient { BaseAddress = fire.Url };
        fireAuditor.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Create("auditor-1", ["auditor"], ["fire"]));
        var seq = last.GetProperty("headSeq").GetInt64();
        var hash = last.GetProperty("headHash").GetString();
        var verified = await fireAuditor.GetFromJsonAsync<JsonElement>($"/api/fire/v1/cases/audit/verify?sealSeq={seq}&sealHash={hash}");
        Assert.True(verified.GetProperty("valid").GetBoolean(), verified.ToString());
        Assert.True(verified.GetProperty("sealChecked").GetBoolean());
        var other = string.Concat(hash!.Select(c => c == '0' ? '1' : '0'));
        var mismatch = await fireAuditor.GetFromJsonAsync<JsonElement>($"/api/fire/v1/cases/audit/verify?sealSeq={seq}&sealHash={other}");
        Assert.False(mismatch.GetProperty("valid").GetBoolean());
        Assert.Equal(seq, mismatch.GetProperty("firstBrokenSeq").GetInt64());

        // Whoever can put a seal on the bus (or into fire's outbox) cannot lower the reference: a seal of a shorter chain
        // is kept, marked as the chain having shrunk, and the highest seal stays the one to verify against.
        await fire.StopAsync();
        var before = (await auditor.GetFromJsonAsync<JsonElement>("/api/command/v1/audit/seals?domain=fire"))[0].GetProperty("count").GetInt64();
        var uri = new Uri(messaging);
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(uri.Host, (ushort)uri.Port, Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')), h =>
        {
            h.Username("guest");
            h.Password("guest");
        }));
        await bus.StartAsync();
        try
        {
            await bus.Publish(new AuditChainSealed { Domain = "fire", OccurredAt = DateTimeOffset.UtcNow, HeadSeq = 0, HeadHash = AuditZero, SealMac = AuditZero });
        }
        finally
        {
            await bus.StopAsync();
        }

        JsonElement after = default;
        await Wait.UntilAsync(async () =>
        {
            after = (await auditor.GetFromJsonAsync<JsonElement>("/api/command/v1/audit/seals?domain=fire"))[0];
            return after.GetProperty("count").GetInt64() > before;
        }, TimeSpan.FromSeconds(30), "the lower seal to arrive");
        Assert.NotEqual(JsonValueKind.Null, after.GetProperty("shrankAt").ValueKind);
        Assert.True(after.GetProperty("last").GetProperty("headSeq").GetInt64() >= seq);
        Assert.Equal(0, after.GetProperty("recent")[0].GetProperty("headSeq").GetInt64());

        // Seals are for auditors and the command centre's leaders, not for everyone with a token.
        using var chief = command.CreateClient(TestTokens.Create("chief-2", ["grid-chief"]));
        Assert.Equal(HttpStatusCode.Forbidden, (await chief.GetAsync("/api/command/v1/audit/seals")).StatusCode);
        using var badLimit = await auditor.GetAsync("/api/command/v1/audit/seals?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        Assert.Contains("limit", await badLimit.Content.ReadAsStringAsync());
    }
}
