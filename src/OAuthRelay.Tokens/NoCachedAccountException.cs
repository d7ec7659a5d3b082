namespace OAuthRelay.Tokens;

/// <summary>A delegated account has no sign-in of its user in its cache yet.</summary>
public sealed class NoCachedAccountException(string account, string userName)
    : Exception($"Account {account} has no sign-in of {userName} in the token cache.")
{
    public string UserName { get; } = userName;
}
