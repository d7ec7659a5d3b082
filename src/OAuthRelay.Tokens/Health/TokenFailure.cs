namespace OAuthRelay.Tokens.Health;

/// <summary>
/// A classified token failure: the state it puts the account in, the AADSTS (or MSAL) code, the operator action, and
/// how long to wait; <see cref="Throttled"/> when MSAL itself held the request back (no new failure to count).
/// </summary>
internal sealed record TokenFailure(TokenHealthState State, string? ErrorCode, string Action, TimeSpan? RetryAfter, bool Throttled = false);
