namespace Grid.FireSafety.Tests;

/// <summary>
/// The fire service (<see cref="DomainHost{TProgram}"/>) on the generated demo county's grids (no organization
/// service): county 511921, townships 511921101..103, villages 511921101201.., small grids 51192110120101...
/// </summary>
public sealed class FireHost() : DomainHost<Program>("fire", new DateTimeOffset(2026, 11, 20, 4, 0, 0, TimeSpan.Zero), organization: false)
{
    public const string County = "511921";
    public const string Town = "511921101";
    public const string Village = "511921101201";
    public const string Small1 = "51192110120101";
    public const string Small2 = "51192110120102";
    public const string OtherTown = "511921102";
    public const string OtherVillage = "511921102201";

    private static readonly string SharedReporterKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <param name="messaging">A virtual host shared with another host (a second fire host or a transfer target).</param>
    public static Task<FireHost> StartAsync(Action<FireHost>? configure = null, string? messaging = null) =>
        StartAsync(new FireHost(), configure, messaging);

    /// <summary>One key for every fire host of the run, so that hosts sharing a database read each other's sealed reporters.</summary>
    protected override string ReporterKey => SharedReporterKey;
}
