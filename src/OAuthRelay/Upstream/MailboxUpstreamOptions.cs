namespace OAuthRelay.Upstream;

/// <summary>Where an IMAP or POP3 upstream listens. Always implicit TLS: credentials and tokens never cross in cleartext.</summary>
public sealed class MailboxUpstreamOptions
{
    public string Host { get; set; } = string.Empty;

    public int Port { get; set; }
}
