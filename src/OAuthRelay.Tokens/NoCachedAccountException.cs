namespace OAuthRelay.Tokens;

/// <summary>A delegated account has no signed-in user in its cache yet.</summary>
public sealed class NoCachedAccountException(string account)
    : Exception($"Account {account} has no signed-in user in the token cache.");
