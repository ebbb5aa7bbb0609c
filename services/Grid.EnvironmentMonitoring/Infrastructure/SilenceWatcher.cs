using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Grid.EnvironmentMonitoring.Infrastructure;

/// <summary>
/// 断线监测: a station that has sent nothing for its silence period (its own, or Environment:Silence:SilentAfterMinutes)
/// is recorded silent once — the open silence is unique per station — and its case opened; the silence ends when
/// the station's next reading arrives, so the next silence is a new one. Each tick also retries cases not yet opened.
/// Time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class SilenceWatcher(NpgsqlDataSource db, IServiceScopeFactory scopes, IOptionsMonitor<EnvironmentOptions> options, TimeProvider clock, ILogger<SilenceWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, options.CurrentValue.Silence.CheckEverySeconds)), clock);
        do
        {
            try
            {
                await CheckAsync(stoppingToken);
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<CaseFollowUp>().SweepAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Silence check failed; next tick retries");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Records new silences; returns how many.</summary>
    public async Task<int> CheckAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var found = await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO environment.silences (id, station_id, silent_since, detected_at)
            SELECT gen_random_uuid(), s.id, coalesce(s.last_reading_at, s.created_at), @now
            FROM environment.stations s
            WHERE coalesce(s.last_reading_at, s.created_at) < @now - make_interval(mins => coalesce(s.silent_after_minutes, @minutes))
              AND NOT EXISTS (SELECT 1 FROM environment.silences x WHERE x.station_id = s.id AND x.ended_at IS NULL)
            ON CONFLICT (station_id) WHERE ended_at IS NULL DO NOTHING
            """, new { now = clock.GetUtcNow().UtcDateTime, minutes = options.CurrentValue.Silence.SilentAfterMinutes }, cancellationToken: ct));
        if (found > 0)
        {
            logger.LogInformation("{Count} station(s) fell silent", found);
        }

        return found;
    }
}
