using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using OAuthRelay.Tokens.Configuration;

namespace OAuthRelay.Tokens.Cache;

/// <summary>Finds the 256-bit token cache key: configuration (environment), else the key file, else a new key file.</summary>
internal static partial class TokenCacheKey
{
    public static byte[] Load(TokenServiceOptions options, ILogger logger)
    {
        if (ReadConfigured(options) is { } configured) return configured;

        var path = Path.GetFullPath(options.CacheKeyFile);
        var key = RandomNumberGenerator.GetBytes(32);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var file = OwnerOnlyFile.CreateNew(path))
        using (var writer = new StreamWriter(file))
        {
            writer.Write(Convert.ToBase64String(key));
        }

        LogKeyCreated(logger, path);
        return key;
    }

    /// <summary>Why a relay with shared state does not start without a configured key.</summary>
    public const string SharedKeyMissing =
        "State:Redis is set but no token cache key is configured: every replica must seal and open the shared cache with the same key. Set Tokens:CacheKey (from a secret, e.g. OAUTHRELAY__Tokens__CacheKey) or mount the same Tokens:CacheKeyFile in every replica.";

    /// <summary>The key from configuration or from an existing key file; null when there is neither (one is made at start).</summary>
    public static byte[]? ReadConfigured(TokenServiceOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.CacheKey)) return Decode(options.CacheKey, "Tokens:CacheKey");
        var path = Path.GetFullPath(options.CacheKeyFile);
        return File.Exists(path) ? Decode(File.ReadAllText(path), path) : null;
    }

    private static byte[] Decode(string text, string source)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"The token cache key from {source} is not base64.");
        }

        return key.Length == 32 ? key : throw new InvalidOperationException($"The token cache key from {source} must be 32 bytes (base64 of 256 bits), not {key.Length}.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No token cache key configured: created {Path} (mode 0600). Keep it apart from the cache, e.g. as a secret mounted from elsewhere, or set OAUTHRELAY__Tokens__CacheKey.")]
    private static partial void LogKeyCreated(ILogger logger, string path);
}
