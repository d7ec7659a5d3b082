using OAuthRelay.Tokens.Health;

namespace OAuthRelay.Tokens;

/// <summary>No access token could be had; <see cref="Health"/> says why and what to do. Carries no secret.</summary>
public sealed class TokenUnavailableException(AccountHealth health) : Exception($"No access token for account {health}")
{
    public AccountHealth Health { get; } = health;
}
