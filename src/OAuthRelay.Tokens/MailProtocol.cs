namespace OAuthRelay.Tokens;

public enum MailProtocol
{
    Smtp,
    Imap,
    Pop,
}
