namespace OAuthRelay.Smtp.Server;

/// <summary>The engine's name and limits; each limit has a protocol reply when it is reached. Bound from the "Smtp" configuration section.</summary>
public sealed class SmtpServerOptions
{
    /// <summary>Name the server gives itself in the greeting and EHLO.</summary>
    public string HostName { get; set; } = Environment.MachineName;

    /// <summary>Largest message accepted (SIZE, 552 5.3.4); enforced while reading. Office 365 accepts 25 MB by default.</summary>
    public long MaxMessageSize { get; set; } = 35 * 1024 * 1024;

    /// <summary>Recipients per message (452 4.5.3).</summary>
    public int MaxRecipients { get; set; } = 500;

    /// <summary>Longest command line including CRLF (500 5.5.6). RFC 4954 raises the AUTH line to 12288 octets.</summary>
    public int MaxCommandLineLength { get; set; } = 12288;

    /// <summary>Time allowed between commands (421 4.4.2). RFC 5321 suggests at least 5 minutes.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a client that must authenticate has, from connecting, to do so (421 4.4.2); traffic does not extend it,
    /// so nobody can hold a connection open without credentials. Clients on trusted networks have no such limit.
    /// </summary>
    public TimeSpan LoginTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The bound on a DATA transfer (421 4.4.2): no read may wait longer than this (RFC 5321 suggests 3 minutes), and the
    /// whole transfer may take this long plus one second per <see cref="MinDataRate"/> bytes received.
    /// </summary>
    public TimeSpan DataTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>The slowest average rate, in bytes per second, a message may arrive at once <see cref="DataTimeout"/> is used up.</summary>
    public int MinDataRate { get; set; } = 1024;

    /// <summary>Open connections across all listeners (421 4.3.2); each listener's own cap defaults to an equal share.</summary>
    public int MaxConnections { get; set; } = 1000;

    /// <summary>Open connections from one client IP address (421 4.3.2).</summary>
    public int MaxConnectionsPerClient { get; set; } = 50;

    /// <summary>Failed AUTH attempts on one connection before it is closed (421 4.7.0).</summary>
    public int MaxAuthFailures { get; set; } = 3;

    /// <summary>Delay before answering a failed AUTH; the n-th failure waits n times this.</summary>
    public TimeSpan AuthFailureDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Protocol errors on one connection before it is closed (421 4.7.0).</summary>
    public int MaxErrors { get; set; } = 20;
}
