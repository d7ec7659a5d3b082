using OAuthRelay.Connections;

namespace OAuthRelay.Upstream;

/// <summary>Section "Upstream": the submission server (Office 365 by default), its connection pool, and the IMAP and POP3 servers.</summary>
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

    /// <summary>Exchange Online takes at most 30 messages a minute per mailbox (rolling); the relay sends no faster.</summary>
    public int MessagesPerMinute { get; set; } = 30;

    /// <summary>Exchange Online takes at most 10,000 recipients a day per mailbox (rolling 24 hours).</summary>
    public int RecipientsPerDay { get; set; } = 10_000;

    /// <summary>How long a pass-through message waits for the mailbox's rate to allow it before the client is told to retry.</summary>
    public TimeSpan PacingWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Idle pooled connections are closed after this long.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>While the upstream refuses an account's tokens, a login is tried this often to see whether it has been fixed.</summary>
    public TimeSpan RefusalProbeInterval { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a client waits for a free upstream connection before it gets a 451.</summary>
    public TimeSpan ConnectionWaitTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The IMAP server the IMAP listeners splice to (implicit TLS; TrustedCaFile, revocation and Timeout shared).</summary>
    public MailboxUpstreamOptions Imap { get; set; } = new() { Host = "outlook.office365.com", Port = 993 };

    /// <summary>How accounts with Transport Graph send through Microsoft Graph.</summary>
    public GraphUpstreamOptions Graph { get; set; } = new();

    /// <summary>The POP3 server the POP3 listeners splice to (implicit TLS).</summary>
    public MailboxUpstreamOptions Pop3 { get; set; } = new() { Host = "outlook.office365.com", Port = 995 };
}
