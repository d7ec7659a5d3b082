using OAuthRelay.Tokens.Configuration;

namespace OAuthRelay.Delivery.Graph;

/// <summary>
/// What an operator must do when Graph refuses the relay's access although Entra ID issued the token: one table from
/// Graph's reply ("403 ErrorAccessDenied: ...") and the account to the error code health shows and the action, first
/// match wins (office365-facts.md section 7: Mail.Send, RBAC for Applications, application access policies).
/// </summary>
internal static class GraphRefusals
{
    private static readonly (Func<AccountOptions, string, bool> Matches, string Code, Func<AccountOptions, string> Action)[] Table =
    [
        ((_, reply) => reply.Contains("audience", StringComparison.OrdinalIgnoreCase), "InvalidAuthenticationToken",
            a => $"Graph refused the token's audience: the account's GraphResource ({a.GraphResource}) must be the Graph of the cloud GraphBaseUrl ({a.GraphBaseUrl}) is in."),
        ((_, reply) => reply.Contains("AccessPolicy", StringComparison.OrdinalIgnoreCase) || reply.Contains("RBAC", StringComparison.Ordinal) || reply.Contains("[RAOP]", StringComparison.Ordinal), "mailbox_not_allowed",
            a => $"The app may not send as {a.Mailbox}: add the mailbox to the scope of the app's RBAC for Applications assignment (`New-ManagementRoleAssignment -App <service principal id> -Role \"Application Mail.Send\" -CustomResourceScope <scope>`) or to its application access policy."),
        ((_, reply) => reply.StartsWith("404", StringComparison.Ordinal), "mailbox_not_found",
            a => $"Graph finds no mailbox {a.Mailbox} in Exchange Online: check the account's Mailbox."),
        ((a, reply) => reply.StartsWith("403", StringComparison.Ordinal) && a.Flow == AccountFlow.App, "missing_permission",
            _ => "The app lacks the Microsoft Graph application permission Mail.Send (and Mail.ReadWrite, for messages over Upstream:Graph:MaxRequestBytes) with admin consent: add them under API permissions in Entra ID and grant admin consent."),
        ((_, reply) => reply.StartsWith("403", StringComparison.Ordinal), "missing_permission",
            a => $"The signed-in user's token lacks Mail.Send (and Mail.ReadWrite, for large messages), or the user may not send as {a.Mailbox}: grant the app these delegated Graph permissions with consent, sign in again, and give the user SendAs on the mailbox."),
        ((_, _) => true, "token_refused",
            a => $"Graph refused the token: check the account's Tenant and ClientId, and that GraphResource ({a.GraphResource}) is the Graph of its cloud."),
    ];

    /// <summary>The code and the operator action for a refusal of the account's access.</summary>
    public static (string Code, string Action) Describe(AccountOptions account, string reply)
    {
        var row = Table.First(r => r.Matches(account, reply));
        return (row.Code, row.Action(account));
    }
}
