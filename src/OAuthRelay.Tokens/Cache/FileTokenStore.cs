using OAuthRelay.Tokens.Configuration;
using OAuthRelay.Tokens.Health;

namespace OAuthRelay.Tokens.Cache;

/// <summary>One relay: one encrypted file per account under Tokens:CacheDirectory; health stays in the process.</summary>
internal sealed class FileTokenStore(TokenServiceOptions options) : ITokenStore
{
    private readonly string _directory = Path.GetFullPath(options.CacheDirectory);

    public ITokenCacheStore CacheFor(string account, TokenCacheCipher cipher) => new EncryptedTokenCacheFile(Path.Combine(_directory, $"{account}.tokens"), cipher);

    public void Publish(PublishedHealth health)
    {
    }

    public PublishedHealth? Published(string account) => null;

    public event Action<string>? HealthPublished
    {
        add { }
        remove { }
    }
}
