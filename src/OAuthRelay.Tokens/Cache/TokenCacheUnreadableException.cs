namespace OAuthRelay.Tokens.Cache;

/// <summary>The cache file exists but cannot be decrypted or parsed. It is left untouched for the operator.</summary>
public sealed class TokenCacheUnreadableException(string path, string reason)
    : Exception($"The token cache file {path} cannot be read ({reason}). It has been left as it is: restore the right key, or move the file away and sign in again.")
{
    public string Path { get; } = path;
}
