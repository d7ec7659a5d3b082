namespace OAuthRelay.Tokens.Health;

/// <summary>A classified token failure: the state it puts the account in, the AADSTS (or MSAL) code, the operator action.</summary>
internal sealed record TokenFailure(TokenHealthState State, string? ErrorCode, string Action, TimeSpan? RetryAfter);
