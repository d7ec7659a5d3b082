using System.Security.Cryptography;
using System.Text;

namespace OAuthRelay.Tokens.Cache;

/// <summary>
/// Seals one account's serialized MSAL cache with AES-256-GCM: magic, nonce, tag, ciphertext. The account name is
/// authenticated data, so a sealed cache cannot be moved to another account. The same format on disk and in Redis.
/// </summary>
internal sealed class TokenCacheCipher(byte[] key, string accountName)
{
    private static readonly byte[] Magic = "ORTC1"u8.ToArray();
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public byte[] Seal(byte[] plain)
    {
        var sealedBytes = new byte[Magic.Length + NonceSize + TagSize + plain.Length];
        Magic.CopyTo(sealedBytes, 0);
        var nonce = sealedBytes.AsSpan(Magic.Length, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(Magic.Length + NonceSize + TagSize), sealedBytes.AsSpan(Magic.Length + NonceSize, TagSize), AccountName);
        return sealedBytes;
    }

    /// <param name="source">Where the bytes came from, for the exception.</param>
    /// <exception cref="TokenCacheUnreadableException">Not a sealed cache, the wrong key, or changed.</exception>
    public byte[] Open(byte[] data, string source)
    {
        if (data.Length < Magic.Length + NonceSize + TagSize || !data.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new TokenCacheUnreadableException(source, "not an OAuthRelay token cache");
        var cipher = data.AsSpan(Magic.Length + NonceSize + TagSize);
        var plain = new byte[cipher.Length];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(data.AsSpan(Magic.Length, NonceSize), cipher, data.AsSpan(Magic.Length + NonceSize, TagSize), plain, AccountName);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new TokenCacheUnreadableException(source, "wrong key, or the cache was changed or corrupted");
        }

        return plain;
    }

    private ReadOnlySpan<byte> AccountName => Encoding.UTF8.GetBytes(accountName);
}
