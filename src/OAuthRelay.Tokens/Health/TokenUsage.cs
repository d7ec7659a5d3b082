namespace OAuthRelay.Tokens.Health;

/// <summary>How much an account has asked of Entra ID, and when its earliest held token expires (null: none held).</summary>
public sealed record TokenUsage(string Account, long Requests, long Failures, DateTimeOffset? ExpiresOn);
