namespace Grid.EnvironmentMonitoring.Domain;

/// <summary>在线监控数据: one reading a monitoring station pushes.</summary>
public sealed record Reading(string Station, string Pollutant, double Value, string Unit, DateTimeOffset Time);

/// <summary>What a station must satisfy before any of its batch is stored.</summary>
public static class ReadingRules
{
    /// <summary>
    /// Row-level problems ("[3].unit" → why), at most <paramref name="maxErrors"/>. Station existence and scope are
    /// checked by the caller against the register; this covers what the row alone can tell.
    /// </summary>
    public static Dictionary<string, string[]> Validate(IReadOnlyList<Reading> rows, DateTimeOffset now, TimeSpan futureTolerance, int maxErrors = 50)
    {
        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < rows.Count && errors.Count < maxErrors; i++)
        {
            var r = rows[i];
            if (string.IsNullOrWhiteSpace(r.Station))
            {
                errors[$"[{i}].station"] = ["required"];
            }

            var pollutant = Pollutants.Find(r.Pollutant);
            if (pollutant is null)
            {
                errors[$"[{i}].pollutant"] = [$"unknown pollutant '{r.Pollutant}'"];
            }
            else if (!Pollutants.IsUnitOf(pollutant, r.Unit))
            {
                errors[$"[{i}].unit"] = [$"'{r.Unit}' is not the unit of {pollutant.Code}; expected {pollutant.Unit}"];
            }

            if (!double.IsFinite(r.Value))
            {
                errors[$"[{i}].value"] = ["must be a finite number (no NaN or Infinity)"];
            }

            if (r.Time == default)
            {
                errors[$"[{i}].time"] = ["required"];
            }
            else if (r.Time > now + futureTolerance)
            {
                errors[$"[{i}].time"] = [$"{r.Time:O} is in the future (server time {now:O})"];
            }
        }

        return errors;
    }
}
