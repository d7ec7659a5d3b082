namespace OAuthRelay.Tokens.Health;

/// <summary>An account's token health as one replica observed it at <paramref name="At"/>; the latest observation wins.</summary>
public sealed record PublishedHealth(AccountHealth Health, DateTimeOffset At);
