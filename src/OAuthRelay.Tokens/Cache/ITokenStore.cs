using OAuthRelay.Tokens.Health;

namespace OAuthRelay.Tokens.Cache;

/// <summary>
/// Where the accounts' token caches and token health are kept: encrypted files of this relay (with its CLI), or Redis
/// shared by every replica, so that one sign-in serves all and what one replica learns of an account all show.
/// </summary>
internal interface ITokenStore
{
    /// <summary>The account's cache, sealed with <paramref name="cipher"/>.</summary>
    ITokenCacheStore CacheFor(string account, TokenCacheCipher cipher);

    /// <summary>Tells the other replicas what this one learnt of an account's tokens.</summary>
    void Publish(PublishedHealth health);

    /// <summary>The latest health of the account any replica published; null if none did.</summary>
    PublishedHealth? Published(string account);

    /// <summary>Another replica published the account's health.</summary>
    event Action<string>? HealthPublished;
}
