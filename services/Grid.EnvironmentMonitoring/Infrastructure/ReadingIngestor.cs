using System.Security.Claims;
using Grid.EnvironmentMonitoring.Domain;
using Microsoft.Extensions.Options;

namespace Grid.EnvironmentMonitoring.Infrastructure;

/// <summary>What happened to an accepted batch.</summary>
public sealed record IngestResult(int Received, int Stored, int Duplicates, int EpisodesOpened);

/// <summary>Why a batch was refused: status and the problems by field ("[3].unit").</summary>
public sealed record IngestRefusal(int Status, string Title, Dictionary<string, string[]> Errors);

/// <summary>
/// 在线监控数据入库: checks what each row can tell alone (pollutant, unit, value, time), then hands the batch to
/// <see cref="ReadingWriter"/>, which checks it against the station register (station known, monitoring that
/// pollutant, inside the client's grid scope) and stores it together with the batches of other callers that arrive at
/// the same time; a refused batch is refused whole with the problems by row and field, and nothing of it is stored.
/// </summary>
internal sealed class ReadingIngestor(ReadingWriter writer, IOptionsMonitor<EnvironmentOptions> options, TimeProvider clock)
{
    /// <summary>What the checks need of a registered station, and its ingestion generation as read under its lock.</summary>
    internal sealed class StationRow
    {
        public string Id { get; init; } = default!;
        public string[] GridPath { get; init; } = default!;
        public string[] Pollutants { get; init; } = default!;
        public long Generation { get; init; }
        public Guid DischargePointId { get; init; }
        public long RulesVersion { get; init; }
    }

    public Task<(IngestResult? Result, IngestRefusal? Refusal)> IngestAsync(IReadOnlyList<Reading> rows, ClaimsPrincipal user, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var errors = ReadingRules.Validate(rows, now, TimeSpan.FromSeconds(options.CurrentValue.Readings.FutureToleranceSeconds));
        return writer.StoreAsync(rows, user, errors, now, ct);
    }

    /// <summary>
    /// The batch against the register: adds its problems to <paramref name="errors"/> (the row-level ones found
    /// before) and returns the refusal, or null when the batch may be stored.
    /// </summary>
    internal static IngestRefusal? Check(IReadOnlyList<Reading> rows, ClaimsPrincipal user, Dictionary<string, string[]> errors, IReadOnlyDictionary<string, StationRow> stations)
    {
        var forbidden = new Dictionary<string, string[]>();
        // Scope once per station, not once per row: a batch is thousands of rows from a handful of stations.
        var inScope = new Dictionary<string, bool>(StringComparer.Ordinal);
        for (var i = 0; i < rows.Count && errors.Count < 50; i++)
        {
            var r = rows[i];
            if (string.IsNullOrWhiteSpace(r.Station))
            {
                continue;
            }

            if (!stations.TryGetValue(r.Station, out var st))
            {
                errors[$"[{i}].station"] = [$"unknown station '{r.Station}'"];
            }
            else if (!(inScope.TryGetValue(st.Id, out var seen) ? seen : inScope[st.Id] = user.Allows(Apis.EnvironmentRoles.Pushers, Grid.Contracts.Events.Domains.Environment, st.GridPath)))
            {
                forbidden.TryAdd($"[{i}].station", [$"station '{r.Station}' is outside this client's grid scope"]);
            }
            else if (st.Pollutants.Length > 0 && !st.Pollutants.Contains(r.Pollutant, StringComparer.OrdinalIgnoreCase) && Pollutants.Find(r.Pollutant) is not null)
            {
                errors[$"[{i}].pollutant"] = [$"station '{r.Station}' does not monitor {r.Pollutant}; it monitors {string.Join(", ", st.Pollutants)}"];
            }
        }

        if (errors.Count > 0)
        {
            return new IngestRefusal(400, "The batch was refused; nothing was stored", errors);
        }

        return forbidden.Count > 0
            ? new IngestRefusal(403, "The batch names stations outside this client's scope; nothing was stored", forbidden)
            : null;
    }
}
