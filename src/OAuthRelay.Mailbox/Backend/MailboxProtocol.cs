namespace OAuthRelay.Mailbox.Backend;

public enum MailboxProtocol
{
    Imap,
    Pop3,
}
