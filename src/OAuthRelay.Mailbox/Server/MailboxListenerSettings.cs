using System.Security.Cryptography.X509Certificates;
using OAuthRelay.Connections;

namespace OAuthRelay.Mailbox.Server;

/// <summary>What one IMAP or POP3 listening endpoint needs: its name, protocol, TLS and whether cleartext login is allowed.</summary>
public sealed record MailboxListenerSettings(string Name, MailProtocol Protocol, TlsMode Tls, X509Certificate2? Certificate, bool AllowCleartextLogin)
{
    public bool TlsAvailable => Tls != TlsMode.None && Certificate is not null;
}
