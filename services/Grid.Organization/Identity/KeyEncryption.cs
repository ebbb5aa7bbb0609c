using System.Security.Cryptography;
using System.Text;

namespace Grid.Organization.Identity;

/// <summary>
/// Seals private signing keys for the database with AES-256-GCM under the key-encryption key
/// <c>Identity:KeyEncryptionKey</c> (32 bytes, base64), which lives in configuration and never in the database:
/// a copy of the database alone cannot sign tokens. The key id is bound in as associated data, so a sealed key
/// cannot be moved to another row. Outside Development the service does not start without the key; in
/// Development an absent one is replaced by a random key for this process (its keys do not outlive it).
/// </summary>
public sealed class KeyEncryption
{
    public const string ConfigurationKey = "Identity:KeyEncryptionKey";
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    public KeyEncryption(byte[] key)
    {
        if (key.Length != 32)
        {
            throw new InvalidOperationException($"{ConfigurationKey} must be 32 bytes, base64-encoded.");
        }

        _key = key;
    }

    /// <summary>True when this instance runs on a random key of its own (Development without the setting).</summary>
    public bool Ephemeral { get; private init; }

    public static KeyEncryption From(IHostApplicationBuilder builder)
    {
        if (builder.Required(ConfigurationKey) is not { } text)
        {
            return new KeyEncryption(RandomNumberGenerator.GetBytes(32)) { Ephemeral = true };
        }

        try
        {
            return new KeyEncryption(Convert.FromBase64String(text));
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{ConfigurationKey} must be 32 bytes, base64-encoded.");
        }
    }

    /// <summary>version ‖ nonce ‖ tag ‖ ciphertext of the PEM text.</summary>
    public byte[] Seal(string kid, string pem)
    {
        var plain = Encoding.UTF8.GetBytes(pem);
        var sealedKey = new byte[1 + NonceSize + TagSize + plain.Length];
        sealedKey[0] = Version;
        var nonce = sealedKey.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, sealedKey.AsSpan(1 + NonceSize + TagSize), sealedKey.AsSpan(1 + NonceSize, TagSize), Encoding.UTF8.GetBytes(kid));
        CryptographicOperations.ZeroMemory(plain);
        return sealedKey;
    }

    /// <summary>The PEM text, or null when the sealed bytes were not made with this key for this key id.</summary>
    public string? Open(string kid, byte[] sealedKey)
    {
        if (sealedKey.Length <= 1 + NonceSize + TagSize || sealedKey[0] != Version)
        {
            return null;
        }

        var plain = new byte[sealedKey.Length - 1 - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(sealedKey.AsSpan(1, NonceSize), sealedKey.AsSpan(1 + NonceSize + TagSize), sealedKey.AsSpan(1 + NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(kid));
            return Encoding.UTF8.GetString(plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }
}
