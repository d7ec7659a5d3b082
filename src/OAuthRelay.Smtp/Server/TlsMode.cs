namespace OAuthRelay.Smtp.Server;

public enum TlsMode
{
    /// <summary>Cleartext only.</summary>
    None,

    /// <summary>Cleartext first, TLS on the STARTTLS command (RFC 3207); the submission port 587 style.</summary>
    StartTls,

    /// <summary>TLS from the first byte (RFC 8314); the port 465 style.</summary>
    Implicit,
}
