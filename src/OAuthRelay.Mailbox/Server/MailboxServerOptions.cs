namespace OAuthRelay.Mailbox.Server;

/// <summary>Limits of the IMAP and POP3 front ends and the splice. Bound from the "Mailbox" configuration section.</summary>
public sealed class MailboxServerOptions
{
    /// <summary>Name the server gives itself in greetings.</summary>
    public string HostName { get; set; } = Environment.MachineName;

    /// <summary>Longest command line before login, CRLF included; longer lines are answered BAD / -ERR.</summary>
    public int MaxLineLength { get; set; } = 8192;

    /// <summary>Largest IMAP literal before login (a user name or password); larger is answered BAD [TOOBIG] and closed.</summary>
    public int MaxLiteralSize { get; set; } = 8192;

    /// <summary>Time allowed from connecting to a successful login, however it is spent; traffic does not extend it.</summary>
    public TimeSpan LoginTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Time allowed for one command that needs more than one read (literals, a SASL response), from its first line.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A spliced session with no traffic either way is closed after this; IMAP IDLE needs at least 30 minutes (RFC 9051).</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(35);

    /// <summary>Failed logins on one connection before it is closed.</summary>
    public int MaxAuthFailures { get; set; } = 3;

    /// <summary>Delay before answering a failed login; the n-th failure waits n times this.</summary>
    public TimeSpan AuthFailureDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Protocol errors before login on one connection before it is closed.</summary>
    public int MaxErrors { get; set; } = 20;
}
