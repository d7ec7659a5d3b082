namespace OAuthRelay.Tokens.Health;

/// <summary>What an operator needs to know about one account's tokens: the state, the last AADSTS code and what to do.</summary>
public sealed record AccountHealth(string Account, TokenHealthState State, string? ErrorCode, string Action, DateTimeOffset Since)
{
    public override string ToString() => ErrorCode is null ? $"{Account}: {State}. {Action}" : $"{Account}: {State} ({ErrorCode}). {Action}";
}
