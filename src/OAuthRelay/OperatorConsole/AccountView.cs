using OAuthRelay.Tokens;
using OAuthRelay.Tokens.Health;

namespace OAuthRelay.OperatorConsole;

/// <summary>An account's token health as the Overview and Accounts pages show it: state, last AADSTS code, the action, expiry.</summary>
internal sealed record AccountView(
    string Name,
    string Mailbox,
    TokenHealthState State,
    string? ErrorCode,
    string Action,
    DateTimeOffset Since,
    string? SignedInAs,
    DateTimeOffset? TokenExpires)
{
    public static IReadOnlyList<AccountView> All(TokenService tokens)
    {
        var usage = tokens.AllUsage().ToDictionary(u => u.Account, StringComparer.OrdinalIgnoreCase);
        return tokens.AllHealth().Select(h => new AccountView(
            h.Account,
            tokens.Options(h.Account).Mailbox,
            h.State,
            h.ErrorCode,
            h.Action,
            h.Since,
            usage.GetValueOrDefault(h.Account)?.SignedInAs,
            usage.GetValueOrDefault(h.Account)?.ExpiresOn)).ToList();
    }
}
