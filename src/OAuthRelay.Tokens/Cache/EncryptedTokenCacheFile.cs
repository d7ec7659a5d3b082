using Microsoft.Identity.Client;
using Microsoft.Identity.Client.Extensions.Msal;

namespace OAuthRelay.Tokens.Cache;

/// <summary>
/// One account's MSAL token cache on disk, sealed by <see cref="TokenCacheCipher"/> (AES-256-GCM). Written atomically:
/// temporary file, flushed to disk, renamed; mode 0600. MSAL calls <see cref="AfterAccess"/> before it returns a token, so a rotated refresh token is on disk before the
/// access token that came with it is used. Each access runs under a cross-process file lock (MSAL's own
/// <see cref="CrossPlatLock"/>) and reloads a file changed by another process first, so a sign-in or sign-out done with
/// the CLI while the relay runs is neither missed nor overwritten.
/// </summary>
internal sealed class EncryptedTokenCacheFile(string path, TokenCacheCipher cipher) : ITokenCacheStore
{
    private readonly Lock _gate = new();
    private DateTime _knownWriteTime;
    private long _loads;
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

    public long Loads => Interlocked.Read(ref _loads);

    public Task<bool> ExistsAsync() => Task.FromResult(File.Exists(Path));

    /// <summary>Removes the file (sign-out).</summary>
    public Task DeleteAsync()
    {
        using var processLock = Lock();
        lock (_gate) File.Delete(Path);
        return Task.CompletedTask;
    }

    /// <summary>Throws <see cref="TokenCacheUnreadableException"/> when the file is there but unreadable.</summary>
    public byte[]? Read() => File.Exists(Path) ? cipher.Open(File.ReadAllBytes(Path), $"file {Path}") : null;

    public void Write(byte[] plain)
    {
        var sealedBytes = cipher.Seal(plain);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var temporary = Path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            using (var file = OwnerOnlyFile.CreateNew(temporary))
            {
                file.Write(sealedBytes);
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
                Interlocked.Increment(ref _loads);
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
