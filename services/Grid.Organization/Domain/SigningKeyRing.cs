namespace Grid.Organization.Domain;

/// <summary>Where a signing key stands: published before it signs, signing, published until its last token has expired.</summary>
public enum SigningKeyState
{
    /// <summary>In the JWKS, not yet signing: services learn it before the first token it signs reaches them.</summary>
    Next,

    /// <summary>Signs every new token.</summary>
    Active,

    /// <summary>No longer signs; still in the JWKS while tokens it signed may be unexpired.</summary>
    Retired,

    /// <summary>Its last token has expired: out of the JWKS, and its row may go.</summary>
    Expired,
}

/// <summary>A key's schedule (its private part lives elsewhere): created, and signing from <see cref="ActivatesAt"/>.</summary>
public sealed record SigningKeyEntry(string Kid, DateTimeOffset CreatedAt, DateTimeOffset ActivatesAt);

/// <summary>
/// 签名密钥轮换 The rules of signing-key rotation, without I/O: a new key is announced <see cref="LeadTime"/> before
/// it signs; the newest key whose time has come signs; an older one retires the moment a newer one signs and stays
/// published for <see cref="MaxTokenLifetime"/> after, the longest any token it signed can live; a rotation is due
/// <see cref="LeadTime"/> before the active key has signed for <see cref="RotationInterval"/>.
/// </summary>
public sealed record SigningKeyRing(TimeSpan LeadTime, TimeSpan RotationInterval, TimeSpan MaxTokenLifetime)
{
    /// <summary>The key that signs at <paramref name="now"/>: the newest whose activation has come; null before any has.</summary>
    public SigningKeyEntry? Signer(IEnumerable<SigningKeyEntry> keys, DateTimeOffset now) =>
        keys.Where(k => k.ActivatesAt <= now).OrderByDescending(k => k.ActivatesAt).ThenByDescending(k => k.CreatedAt).FirstOrDefault();

    /// <summary>When <paramref name="key"/> stopped (or will stop) signing: the activation of the next key after it; null while none is scheduled.</summary>
    public static DateTimeOffset? RetiresAt(SigningKeyEntry key, IEnumerable<SigningKeyEntry> keys) =>
        keys.Where(k => k.ActivatesAt > key.ActivatesAt || (k.ActivatesAt == key.ActivatesAt && k.CreatedAt > key.CreatedAt))
            .Select(k => (DateTimeOffset?)k.ActivatesAt).Min();

    /// <summary>When <paramref name="key"/> leaves the JWKS: its retirement plus the longest token lifetime.</summary>
    public DateTimeOffset? RemovedAt(SigningKeyEntry key, IEnumerable<SigningKeyEntry> keys) => RetiresAt(key, keys) + MaxTokenLifetime;

    public SigningKeyState StateOf(SigningKeyEntry key, IReadOnlyCollection<SigningKeyEntry> keys, DateTimeOffset now)
    {
        if (key.ActivatesAt > now)
        {
            return SigningKeyState.Next;
        }

        if (Signer(keys, now) == key)
        {
            return SigningKeyState.Active;
        }

        return RemovedAt(key, keys) is { } removed && removed <= now ? SigningKeyState.Expired : SigningKeyState.Retired;
    }

    /// <summary>The keys a JWKS lists at <paramref name="now"/>: next, active and retired, never expired.</summary>
    public IReadOnlyList<SigningKeyEntry> Published(IReadOnlyCollection<SigningKeyEntry> keys, DateTimeOffset now) =>
        keys.Where(k => StateOf(k, keys, now) != SigningKeyState.Expired).ToList();

    /// <summary>True when a new key should be announced: none is waiting, and none signs or the signer is due for replacement.</summary>
    public bool RotationDue(IReadOnlyCollection<SigningKeyEntry> keys, DateTimeOffset now) =>
        !keys.Any(k => k.ActivatesAt > now)
        && (Signer(keys, now) is not { } active || now >= active.ActivatesAt + RotationInterval - LeadTime);
}
