using OAuthRelay.Connections;

namespace OAuthRelay.Tokens.Configuration;

/// <summary>The Exchange Online scopes (office365-facts.md section 2).</summary>
public static class OfficeScopes
{
    public const string App = "https://outlook.office365.com/.default";

    public static string Delegated(MailProtocol protocol) => protocol switch
    {
        MailProtocol.Smtp => "https://outlook.office.com/SMTP.Send",
        MailProtocol.Imap => "https://outlook.office.com/IMAP.AccessAsUser.All",
        MailProtocol.Pop3 => "https://outlook.office.com/POP.AccessAsUser.All",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };

    public static string[] For(AccountOptions account, MailProtocol protocol) =>
        account.Flow == AccountFlow.App ? [App] : [Delegated(protocol)];

    /// <summary>Everything a sign-in asks consent for: the scopes of all the account's protocols.</summary>
    public static string[] ForSignIn(AccountOptions account) =>
        account.Flow == AccountFlow.App ? [App] : account.Protocols.Distinct().Select(Delegated).ToArray();
}
