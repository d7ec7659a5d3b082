using System.Diagnostics.CodeAnalysis;
using System.Net;
using OAuthRelay.Connections;

namespace OAuthRelay.Listeners;

/// <summary>One listening endpoint (section "Listeners", keyed by listener name).</summary>
public sealed class ListenerOptions
{
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>0 picks a free port (tests).</summary>
    public int Port { get; set; } = 2525;

    public MailProtocol Protocol { get; set; } = MailProtocol.Smtp;

    public TlsMode Tls { get; set; } = TlsMode.None;

    /// <summary>PEM certificate (chain) file; with <see cref="KeyPath"/>. Without both, a self-signed certificate is made at start.</summary>
    public string? CertificatePath { get; set; }

    public string? KeyPath { get; set; }

    /// <summary>
    /// Offer AUTH (SMTP), LOGIN and AUTHENTICATE (IMAP), USER and AUTH (POP3) before TLS. Default: only when listening
    /// on a loopback address, where no one can overhear.
    /// </summary>
    public bool? AllowCleartextAuth { get; set; }

    /// <summary>SMTP: refuse MAIL until STARTTLS has been done (530 5.7.0).</summary>
    public bool RequireTls { get; set; }

    /// <summary>Open connections on this listener; default an equal share of Smtp:MaxConnections.</summary>
    public int? MaxConnections { get; set; }

    /// <summary>Each listener's cap: its own <see cref="MaxConnections"/>, else the total divided by the number of listeners (at least 1).</summary>
    public static Dictionary<string, int> ConnectionLimits(IReadOnlyDictionary<string, ListenerOptions> listeners, int maxConnections) =>
        listeners.ToDictionary(l => l.Key, l => l.Value.MaxConnections ?? Math.Max(1, maxConnections / listeners.Count));

    public IPAddress ParseAddress() => ParseAddress(Address);

    public static IPAddress ParseAddress(string text) => TryParseAddress(text, out var address) ? address : throw new InvalidOperationException(BadAddress(text));

    /// <summary>An IP address, or <c>*</c> / <c>0.0.0.0</c> (any IPv4), <c>::</c> (any IPv6), <c>localhost</c>.</summary>
    public static bool TryParseAddress(string text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = text switch
        {
            "*" or "0.0.0.0" => IPAddress.Any,
            "::" => IPAddress.IPv6Any,
            "localhost" => IPAddress.Loopback,
            _ => IPAddress.TryParse(text, out var ip) ? ip : null,
        };
        return address is not null;
    }

    public static string BadAddress(string text) => $"Address '{text}' is not an IP address, *, :: or localhost.";
}
