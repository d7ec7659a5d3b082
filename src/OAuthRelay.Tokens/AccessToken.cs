namespace OAuthRelay.Tokens;

/// <summary>An access token for one account and resource. <see cref="ToString"/> never shows the token.</summary>
public sealed record AccessToken(string Account, string Token, DateTimeOffset ExpiresOn)
{
    public override string ToString() => $"access token for {Account}, expires {ExpiresOn:u}";
}
