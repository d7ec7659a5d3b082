namespace OAuthRelay.Tokens.Configuration;

/// <summary>How an account's outgoing mail reaches Office 365.</summary>
public enum AccountTransport
{
    /// <summary>SMTP AUTH with XOAUTH2 at the Upstream section's server (needs SMTP AUTH enabled for the mailbox).</summary>
    Smtp,

    /// <summary>Microsoft Graph: sendMail, or a draft with upload sessions for large messages (works with SMTP AUTH off).</summary>
    Graph,
}
