using System.Text.RegularExpressions;
using OAuthRelay.Connections;
using OAuthRelay.Tokens.Configuration;

namespace OAuthRelay.Upstream;

/// <summary>
/// What an operator must do when Exchange refuses the relay's token although Entra ID issued it: one table from the
/// upstream's reply (and the account's flow) to a short code and an action, first match wins
/// (office365-facts.md section 2; Set-CASMailbox, service principals and mailbox permissions are Exchange's own).
/// </summary>
internal static partial class ExchangeRefusals
{
    private static readonly (Func<MailProtocol, AccountFlow, string, bool> Matches, string Code, Func<MailProtocol, string, string> Action)[] Table =
    [
        ((_, _, reply) => reply.Contains("5.7.139"), "5.7.139",
            (_, mailbox) => $"SMTP AUTH is disabled for the mailbox or the tenant: run `Set-CASMailbox {mailbox} -SmtpClientAuthenticationDisabled $false` (the mailbox setting wins over Set-TransportConfig), or send through Graph."),
        ((_, _, reply) => reply.Contains("STOREDRV", StringComparison.OrdinalIgnoreCase) && reply.Contains("logon failure", StringComparison.OrdinalIgnoreCase), "4.2.0",
            (_, mailbox) => $"The token's user or app may not open {mailbox}: grant FullAccess (`Add-MailboxPermission {mailbox} -User <user or service principal> -AccessRights FullAccess`) and SendAs, or correct the account's Mailbox."),
        ((_, _, reply) => reply.Contains("5.7.30"), "5.7.30",
            (_, _) => "Exchange no longer takes basic authentication: switch the client to OAuth (`clients set-oauth <client> on`)."),
        ((protocol, flow, _) => flow == AccountFlow.App && protocol == MailProtocol.Smtp, "app_token_refused",
            (_, mailbox) => $"Exchange refused the app's token: grant the app SMTP.SendAsApp with admin consent, register its service principal (`New-ServicePrincipal -AppId <client id> -ObjectId <enterprise app object id>`) and give it FullAccess on {mailbox} (`Add-MailboxPermission`), or assign the RBAC role Application SMTP.SendAsApp."),
        ((_, flow, _) => flow == AccountFlow.App, "app_token_refused",
            (protocol, mailbox) => $"Exchange refused the app's token for {protocol}: grant the app {Permission(protocol, app: true)} with admin consent, register its service principal (`New-ServicePrincipal`) and give it FullAccess on {mailbox} (`Add-MailboxPermission`); check that {protocol} is enabled for the mailbox (`Set-CASMailbox`)."),
        ((protocol, _, _) => protocol == MailProtocol.Smtp, "user_token_refused",
            (_, mailbox) => $"Exchange refused the user's token: check that SMTP AUTH is enabled for {mailbox} (`Set-CASMailbox {mailbox} -SmtpClientAuthenticationDisabled $false`), that the signed-in user may send as it, and that the app has SMTP.Send with consent."),
        ((_, _, _) => true, "user_token_refused",
            (protocol, mailbox) => $"Exchange refused the user's token for {protocol}: check that {protocol} is enabled for {mailbox} (`Set-CASMailbox {mailbox} -{(protocol == MailProtocol.Imap ? "Imap" : "Pop")}Enabled $true`), that the signed-in user may open it, and that the app has {Permission(protocol, app: false)} with consent."),
    ];

    /// <summary>The code (the enhanced status where Exchange gives one) and the operator action for a refusal.</summary>
    public static (string Code, string Action) Describe(MailProtocol protocol, AccountFlow flow, string mailbox, string reply)
    {
        var row = Table.First(r => r.Matches(protocol, flow, reply));
        var code = row.Code is "app_token_refused" or "user_token_refused" && EnhancedStatus().Match(reply) is { Success: true } status ? status.Value : row.Code;
        return (code, row.Action(protocol, mailbox));
    }

    private static string Permission(MailProtocol protocol, bool app) => (protocol, app) switch
    {
        (MailProtocol.Imap, true) => "IMAP.AccessAsApp",
        (MailProtocol.Imap, false) => "IMAP.AccessAsUser.All",
        (_, true) => "POP.AccessAsApp",
        _ => "POP.AccessAsUser.All",
    };

    [GeneratedRegex(@"\b[45]\.\d{1,3}\.\d{1,3}\b")]
    private static partial Regex EnhancedStatus();
}
