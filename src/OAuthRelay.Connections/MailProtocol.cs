namespace OAuthRelay.Connections;

/// <summary>The mail protocols the relay speaks: on a listener, towards an upstream, and what an account's tokens are for.</summary>
public enum MailProtocol
{
    Smtp,
    Imap,
    Pop3,
}
