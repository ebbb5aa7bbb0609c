using Grid.Organization.Domain;

namespace Grid.Organization.Identity;

/// <summary>
/// The automatic rotation: every <c>Identity:Keys:CheckSeconds</c> (60) each instance reloads the keys, announces a
/// new one when due (every <c>Identity:Keys:RotationDays</c>, 30) and deletes those whose last token has expired.
/// </summary>
public sealed class SigningKeyRotation(SigningKeyStore keys, IConfiguration configuration, TimeProvider clock, ILogger<SigningKeyRotation> logger) : BackgroundService
{
    /// <summary>
    /// The rotation rules from configuration: a new key is published <c>Identity:Keys:LeadTimeMinutes</c> (60) before
    /// it signs, longer than services take to refetch the JWKS (10 minutes), and a retired key stays published for the
    /// access-token lifetime plus a minute (services allow 30 s of clock skew).
    /// </summary>
    public static SigningKeyRing Ring(IConfiguration c, TokenLifetimes lifetimes) => new(
        TimeSpan.FromMinutes(c.GetValue("Identity:Keys:LeadTimeMinutes", 60.0)),
        TimeSpan.FromDays(c.GetValue("Identity:Keys:RotationDays", 30.0)),
        lifetimes.Access + TimeSpan.FromMinutes(1));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(configuration.GetValue("Identity:Keys:CheckSeconds", 60.0)), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await keys.MaintainAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The keys in memory keep signing; the next pass tries again.
                logger.LogError(e, "Signing-key maintenance failed");
            }
        }
    }
}
