using OAuthRelay.Connections;

namespace OAuthRelay.Upstream;

/// <summary>Section "Upstream": the submission server (Office 365 by default) and the connection pool.</summary>
public sealed class UpstreamOptions
{
    public string Host { get; set; } = "smtp.office365.com";

    public int Port { get; set; } = 587;

    public TlsMode Tls { get; set; } = TlsMode.StartTls;

    /// <summary>A PEM file of extra CA certificates to trust (private relays, tests); public CAs stay trusted.</summary>
    public string? TrustedCaFile { get; set; }

    public bool CheckCertificateRevocation { get; set; } = true;

    /// <summary>Timeout of each upstream network operation.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Exchange Online allows 3 concurrent submitting connections per mailbox.</summary>
    public int MaxConnectionsPerMailbox { get; set; } = 3;

    /// <summary>Idle pooled connections are closed after this long.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a client waits for a free upstream connection before it gets a 451.</summary>
    public TimeSpan ConnectionWaitTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
