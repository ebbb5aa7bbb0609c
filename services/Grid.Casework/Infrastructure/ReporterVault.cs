using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Grid.Casework.Infrastructure;

/// <summary>
/// 举报人信息保密: the reporter's identity, sealed with AES-GCM (key from <c>Casework:ReporterKey</c>) and
/// bound to its case id as associated data, so a sealed identity cannot be moved to another case.
/// </summary>
public sealed class ReporterVault
{
    private readonly byte[]? _key;

    public ReporterVault(CaseworkOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ReporterKey))
        {
            return;
        }

        var key = Convert.FromBase64String(options.ReporterKey);
        if (key.Length != 32)
        {
            throw new InvalidOperationException("Casework:ReporterKey must be base64 of 32 bytes (AES-256).");
        }

        _key = key;
    }

    public bool Configured => _key is not null;

    public SealedReporter Seal(Guid caseId, ReporterIdentity reporter)
    {
        var key = _key ?? throw new InvalidOperationException("Casework:ReporterKey is not configured.");
        var plain = JsonSerializer.SerializeToUtf8Bytes(reporter);
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var cipher = new byte[plain.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using var aes = new AesGcm(key, tag.Length);
        aes.Encrypt(nonce, plain, cipher, tag, Encoding.UTF8.GetBytes(caseId.ToString()));
        return new SealedReporter(nonce, cipher, tag);
    }

    public ReporterIdentity Open(Guid caseId, SealedReporter sealedReporter)
    {
        var key = _key ?? throw new InvalidOperationException("Casework:ReporterKey is not configured.");
        var plain = new byte[sealedReporter.Ciphertext.Length];
        using var aes = new AesGcm(key, sealedReporter.Tag.Length);
        aes.Decrypt(sealedReporter.Nonce, sealedReporter.Ciphertext, sealedReporter.Tag, plain, Encoding.UTF8.GetBytes(caseId.ToString()));
        return JsonSerializer.Deserialize<ReporterIdentity>(plain)!;
    }
}

public sealed record SealedReporter(byte[] Nonce, byte[] Ciphertext, byte[] Tag);

/// <summary>举报人: who reported (only the reward centre may read it back).</summary>
public sealed record ReporterIdentity
{
    public string Name { get; init; } = "";

    public string? Phone { get; init; }

    public string? IdNumber { get; init; }

    /// <summary>Wants a reward (举报奖励).</summary>
    public bool WantsReward { get; init; }
}
