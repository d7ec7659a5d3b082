namespace OAuthRelay.Tokens.Cache;

/// <summary>The cache exists but cannot be decrypted or parsed. It is left untouched for the operator.</summary>
/// <param name="source">Where it is: "file PATH", or the Redis value.</param>
public sealed class TokenCacheUnreadableException(string source, string reason)
    : Exception($"The token cache {source} cannot be read ({reason}). It has been left as it is: restore the right key (Tokens:CacheKey, the same for every replica), or remove it and sign in again.")
{
    public string Where { get; } = source;
}
