using System.Security.Cryptography.X509Certificates;
using OAuthRelay.Connections;

namespace OAuthRelay.Smtp.Server;

/// <summary>What one listening endpoint needs to run conversations: its name, TLS and where AUTH is allowed.</summary>
public sealed record SmtpListenerSettings(
    string Name,
    TlsMode Tls,
    X509Certificate2? Certificate,
    bool AllowCleartextAuth,
    bool RequireTls)
{
    public bool TlsAvailable => Tls != TlsMode.None && Certificate is not null;
}
