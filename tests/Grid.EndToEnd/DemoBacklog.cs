using System.Text.Json;
using Grid.Testing;

namespace Grid.EndToEnd;

/// <summary>
/// The demo county's season of fire cases is loaded in the background after the suite reports healthy, and reaches
/// the command centre through the outbox and the broker. Tests that count on the page wait for both, as a person
/// would before trusting the board: the fire service's log says the demo data is in, and the command centre shows
/// every fire case in the state the fire service has it.
/// </summary>
public static class DemoBacklog
{
    public static async Task SettledAsync(AssembledSuite suite)
    {
        var fireLog = Path.Combine(suite.LogsDir, "fire.log");
        await Wait.UntilAsync(() =>
        {
            var log = File.Exists(fireLog) ? AssembledSuite.ReadShared(fireLog) : "";
            if (log.Contains("FireDemoData not loaded;", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("the fire service gave up loading its demo data: " + fireLog);
            }

            return Task.FromResult(log.Contains("FireDemoData loaded", StringComparison.Ordinal));
        }, TimeSpan.FromMinutes(5), "the fire demo data to be loaded (" + fireLog + ")");

        using var brigade = await DemoUser.LogInAsync(suite, "fire-county");
        using var commander = await DemoUser.LogInAsync(suite, "commander01");
        HashSet<string> fire = [], command = [];
        try
        {
            await Wait.UntilAsync(async () =>
            {
                fire = await StatesAsync(brigade, "/api/fire/v1/cases?limit=200", "number");
                command = await StatesAsync(commander, "/api/command/v1/cases?board=all&domain=fire&limit=200", "caseNumber");
                return fire.Count > 0 && fire.Count == command.Count && fire.All(f => command.Contains(f) || (f.EndsWith(":*", StringComparison.Ordinal) && command.Any(c => c.StartsWith(f[..^1], StringComparison.Ordinal))));
            }, TimeSpan.FromMinutes(2), "the command centre to show the fire demo cases as the fire service has them");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}: {fire.Count} there, {command.Count} here; only there: "
                + string.Join(", ", fire.Except(command).Take(10)) + "; only here: " + string.Join(", ", command.Except(fire).Take(10)), e);
        }
    }

    /// <summary>"number:state" of every case of a cursor-paged list.</summary>
    static async Task<HashSet<string>> StatesAsync(DemoUser user, string url, string numberField)
    {
        var states = new HashSet<string>();
        string? cursor = null;
        do
        {
            var page = await Cases.ReadAsync(await user.Http.GetAsync(cursor is null ? url : $"{url}&cursor={Uri.EscapeDataString(cursor)}"), url);
            foreach (var c in page.GetProperty("items").EnumerateArray())
            {
                // An escalation is a state to the fire service, a board of its own to the command centre (which keeps the state before it).
                var state = c.GetProperty("state").GetString();
                states.Add(c.GetProperty(numberField).GetString() + ":" + (state is "escalated" ? "*" : state));
            }

            cursor = page.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (cursor is not null);

        return states;
    }
}
