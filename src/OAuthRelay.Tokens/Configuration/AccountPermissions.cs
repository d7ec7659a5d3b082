namespace OAuthRelay.Tokens.Configuration;

/// <summary>What an account needs granted in Entra ID and Exchange for its transport and flow, in one sentence for check-config.</summary>
public static class AccountPermissions
{
    public static string Describe(string name, AccountOptions account) => (account.Transport, account.Flow) switch
    {
        (AccountTransport.Graph, AccountFlow.App) =>
            $"Account '{name}' sends through Microsoft Graph as an app: it needs the Graph application permission Mail.Send, and Mail.ReadWrite for messages over Upstream:Graph:MaxRequestBytes, with admin consent; restrict them to {account.Mailbox} with RBAC for Applications.",
        (AccountTransport.Graph, _) =>
            $"Account '{name}' sends through Microsoft Graph as {account.ExpectedUser}: it needs the delegated Graph permissions Mail.Send and Mail.ReadWrite (large messages) with consent, and SendAs on {account.Mailbox} if that is not the user's own.",
        (_, AccountFlow.App) =>
            $"Account '{name}' sends over SMTP AUTH as an app: it needs the Exchange Online application permission SMTP.SendAsApp with admin consent, its service principal in Exchange with FullAccess on {account.Mailbox} (or the RBAC role Application SMTP.SendAsApp), and SMTP AUTH enabled for the mailbox.",
        _ =>
            $"Account '{name}' sends over SMTP AUTH as {account.ExpectedUser}: it needs the delegated permission(s) {string.Join(", ", account.Protocols.Distinct().SelectMany(p => TokenResource.For(p).DelegatedScopes))} with consent, and SMTP AUTH enabled for {account.Mailbox}.",
    };
}
