using System.Security.Claims;
using Dapper;
using Grid.EnvironmentMonitoring.Domain;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Grid.EnvironmentMonitoring.Infrastructure;

/// <summary>What happened to an accepted batch.</summary>
public sealed record IngestResult(int Received, int Stored, int Duplicates, int EpisodesOpened);

/// <summary>Why a batch was refused: status and the problems by field ("[3].unit").</summary>
public sealed record IngestRefusal(int Status, string Title, Dictionary<string, string[]> Errors);

/// <summary>
/// 在线监控数据入库: validates the whole batch against the station register (units, times, stations, the client's
/// grid scope) and refuses it whole with the problems by row and field; an accepted batch is stored by
/// <see cref="ReadingWriter"/>, together with the batches of other callers that arrive at the same time, all or
/// nothing, and answered once committed.
/// </summary>
internal sealed class ReadingIngestor(NpgsqlDataSource db, ReadingWriter writer, IOptionsMonitor<EnvironmentOptions> options, TimeProvider clock)
{
    internal sealed class StationRow
    {
        public string Id { get; init; } = default!;
        public string Name { get; init; } = default!;
        public string GridId { get; init; } = default!;
        public string[] GridPath { get; init; } = default!;
        public string[] Pollutants { get; init; } = default!;
        public Guid SourceId { get; init; }
    }

    public async Task<(IngestResult? Result, IngestRefusal? Refusal)> IngestAsync(IReadOnlyList<Reading> rows, ClaimsPrincipal user, CancellationToken ct)
    {
        var o = options.CurrentValue.Readings;
        var now = clock.GetUtcNow();
        var errors = ReadingRules.Validate(rows, now, TimeSpan.FromSeconds(o.FutureToleranceSeconds));

        var ids = rows.Select(r => r.Station).Where(s => !string.IsNullOrWhiteSpace(s)).Distinct().ToArray();
        await using var conn = await db.OpenConnectionAsync(ct);
        var stations = (await conn.QueryAsync<StationRow>(new CommandDefinition(
            "SELECT id AS Id, name AS Name, grid_id AS GridId, grid_path AS GridPath, pollutants AS Pollutants, source_id AS SourceId FROM environment.stations WHERE id = ANY(@ids)",
            new { ids }, cancellationToken: ct))).ToDictionary(s => s.Id);

        // Scope once per station, not once per row: a batch is thousands of rows from a handful of stations.
        var inScope = stations.Values.Where(st => user.CanSeeGrid(st.GridPath)).Select(st => st.Id).ToHashSet(StringComparer.Ordinal);
        var forbidden = new Dictionary<string, string[]>();
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
            else if (!inScope.Contains(st.Id))
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
            return (null, new IngestRefusal(400, "The batch was refused; nothing was stored", errors));
        }

        if (forbidden.Count > 0)
        {
            return (null, new IngestRefusal(403, "The batch names stations outside this client's scope; nothing was stored", forbidden));
        }

        // The connection goes back to the pool before the batch waits for its group.
        await conn.DisposeAsync();
        return (await writer.StoreAsync(rows, now, ct), null);
    }
}
