namespace OAuthRelay.Tokens.Health;

/// <summary>
/// How much an account has asked of Entra ID, how often the upstream refused its tokens, when its earliest held token
/// expires (null: none held), and who its tokens are issued to (null: the app flow, or no sign-in yet).
/// </summary>
public sealed record TokenUsage(string Account, long Requests, long Failures, long UpstreamRefusals, DateTimeOffset? ExpiresOn, string? SignedInAs);
