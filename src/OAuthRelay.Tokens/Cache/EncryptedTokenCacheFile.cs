using System.Security.Cryptography;
using System.Text;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.Extensions.Msal;

namespace OAuthRelay.Tokens.Cache;

/// <summary>
/// One account's MSAL token cache on disk, encrypted with AES-256-GCM (the account name is authenticated data, so a file
/// cannot be swapped between accounts). Written atomically: temporary file, flushed to disk, renamed; mode 0600.
/// MSAL calls <see cref="AfterAccess"/> before it returns a token, so a rotated refresh token is on disk before the
/// access token that came with it is used. Each access runs under a cross-process file lock (MSAL's own
/// <see cref="CrossPlatLock"/>) and reloads a file changed by another process first, so a sign-in or sign-out done with
/// the CLI while the relay runs is neither missed nor overwritten.
/// </summary>
internal sealed class EncryptedTokenCacheFile(string path, byte[] key, string accountName)
{
    private static readonly byte[] Magic = "ORTC1"u8.ToArray();
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly Lock _gate = new();
    private DateTime _knownWriteTime;
    private CrossPlatLock? _processLock;

    public string Path { get; } = path;

    public void Attach(ITokenCache cache)
    {
        cache.SetBeforeAccess(BeforeAccess);
        cache.SetAfterAccess(AfterAccess);
    }

    /// <summary>The file was written or removed by someone else since this process last read or wrote it.</summary>
    public bool ChangedByOthers()
    {
        lock (_gate) return WriteTime() != _knownWriteTime;
    }

    public bool Exists => File.Exists(Path);

    /// <summary>Removes the file (sign-out).</summary>
    public void Delete()
    {
        using var processLock = Lock();
        lock (_gate) File.Delete(Path);
    }
    /// <summary>Throws <see cref="TokenCacheUnreadableException"/> when the file is there but unreadable.</summary>
    public byte[]? Read()
    {
        if (!File.Exists(Path)) return null;
        var data = File.ReadAllBytes(Path);
        if (data.Length < Magic.Length + NonceSize + TagSize || !data.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new TokenCacheUnreadableException(Path, "not an OAuthRelay token cache file");
        var nonce = data.AsSpan(Magic.Length, NonceSize);
        var tag = data.AsSpan(Magic.Length + NonceSize, TagSize);
        var cipher = data.AsSpan(Magic.Length + NonceSize + TagSize);
        var plain = new byte[cipher.Length];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(nonce, cipher, tag, plain, Encoding.UTF8.GetBytes(accountName));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new TokenCacheUnreadableException(Path, "wrong key, or the file was changed or corrupted");
        }

        return plain;
    }

    public void Write(byte[] plain)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var tag = new byte[TagSize];
        var cipher = new byte[plain.Length];
        using (var aes = new AesGcm(key, TagSize)) aes.Encrypt(nonce, plain, cipher, tag, Encoding.UTF8.GetBytes(accountName));

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var temporary = Path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            using (var file = OwnerOnlyFile.CreateNew(temporary))
            {
                file.Write(Magic);
                file.Write(nonce);
                file.Write(tag);
                file.Write(cipher);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, Path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private DateTime WriteTime() => File.Exists(Path) ? File.GetLastWriteTimeUtc(Path) : default;

    private CrossPlatLock Lock()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        return new CrossPlatLock(Path + ".lock", lockFileRetryDelay: 100, lockFileRetryCount: 100);
    }

    // Reload only when the file changed since we last read or wrote it (another process, e.g. the CLI, may have).
    private void BeforeAccess(TokenCacheNotificationArgs args)
    {
        var processLock = Lock();
        try
        {
            lock (_gate)
            {
                var writeTime = WriteTime();
                if (writeTime == _knownWriteTime && writeTime != default)
                {
                    _processLock = processLock;
                    return;
                }

                // No file (never signed in, or signed out elsewhere) is an empty cache.
                args.TokenCache.DeserializeMsalV3(Read() ?? "{}"u8.ToArray(), shouldClearExistingCache: true);
                _knownWriteTime = writeTime;
                _processLock = processLock;
            }
        }
        catch
        {
            processLock.Dispose();
            throw;
        }
    }

    private void AfterAccess(TokenCacheNotificationArgs args)
    {
        try
        {
            if (!args.HasStateChanged) return;
            lock (_gate)
            {
                Write(args.TokenCache.SerializeMsalV3());
                _knownWriteTime = WriteTime();
            }
        }
        finally
        {
            Interlocked.Exchange(ref _processLock, null)?.Dispose();
        }
    }
}
