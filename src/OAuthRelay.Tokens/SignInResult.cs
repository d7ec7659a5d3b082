namespace OAuthRelay.Tokens;

/// <summary>What a sign-in obtained, safe to print: who, which scopes, until when. Never the token.</summary>
public sealed record SignInResult(string Account, string UserName, IReadOnlyList<string> Scopes, DateTimeOffset ExpiresOn)
{
    public override string ToString() =>
        $"Account {Account}: signed in as {UserName}; scopes {string.Join(" ", Scopes)}; access token valid until {ExpiresOn:u}. The refresh token is stored encrypted.";
}
