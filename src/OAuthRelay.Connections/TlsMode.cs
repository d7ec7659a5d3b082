namespace OAuthRelay.Connections;

/// <summary>How a listener or an upstream connection uses TLS.</summary>
public enum TlsMode
{
    /// <summary>Cleartext only.</summary>
    None,

    /// <summary>Cleartext first, TLS on the STARTTLS command (SMTP RFC 3207, IMAP and POP3 RFC 2595); the port 587, 143, 110 style.</summary>
    StartTls,

    /// <summary>TLS from the first byte (RFC 8314); the port 465, 993, 995 style.</summary>
    Implicit,
}
