namespace OAuthRelay.Hosting;

/// <summary>What a listener speaks: SMTP submission, or IMAP or POP3 spliced to the mailbox server after login.</summary>
public enum ListenerProtocol
{
    Smtp,
    Imap,
    Pop3,
}
