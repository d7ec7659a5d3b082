using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using OAuthRelay.Connections;
using OAuthRelay.Mailbox.Backend;
using OAuthRelay.Mailbox.Server;
using OAuthRelay.Smtp.Backend;
using OAuthRelay.Smtp.Server;

namespace OAuthRelay.Listeners;

/// <summary>Binds every configured listener (SMTP, IMAP, POP3) to Kestrel and remembers where each one ended up listening.</summary>
public sealed class MailListeners(
    IOptions<Dictionary<string, ListenerOptions>> listeners,
    IOptions<SmtpServerOptions> smtp,
    IOptions<MailboxServerOptions> mailbox,
    ConnectionLimiter limiter,
    ISmtpBackend smtpBackend,
    IMailboxBackend mailboxBackend,
    CertificateProvider certificates,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggers)
{
    private readonly Dictionary<string, (ListenOptions Endpoint, ListenerOptions Options)> _bound = [];

    public void Bind(KestrelServerOptions kestrel)
    {
        if (listeners.Value.Count == 0) throw new InvalidOperationException(ListenerChecks.NoListeners);
        foreach (var (name, options) in listeners.Value)
        {
            var certificate = options.Tls == TlsMode.None ? null : certificates.For(name, options, smtp.Value.HostName);
            var address = options.ParseAddress();
            var allowCleartext = options.AllowCleartextAuth ?? IPAddress.IsLoopback(address);
            var handler = Handler(name, options, certificate, allowCleartext);
            kestrel.Listen(address, options.Port, endpoint =>
            {
                endpoint.Run(handler);
                _bound[name] = (endpoint, options);
            });
        }
    }

    private Func<ConnectionContext, Task> Handler(string name, ListenerOptions options, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate, bool allowCleartext)
    {
        if (options.Protocol == MailProtocol.Smtp)
        {
            var settings = new SmtpListenerSettings(name, options.Tls, certificate, allowCleartext, options.RequireTls);
            return new SmtpConnectionHandler(settings, smtp.Value, limiter, smtpBackend, time, loggers.CreateLogger<SmtpConnectionHandler>(), lifetime.ApplicationStopping).OnConnectedAsync;
        }

        var protocol = options.Protocol == MailProtocol.Imap ? MailProtocol.Imap : MailProtocol.Pop3;
        var mailboxSettings = new MailboxListenerSettings(name, protocol, options.Tls, certificate, allowCleartext);
        return new MailboxConnectionHandler(mailboxSettings, mailbox.Value, limiter, mailboxBackend, time, loggers.CreateLogger<MailboxConnectionHandler>(), lifetime.ApplicationStopping).OnConnectedAsync;
    }

    /// <summary>Every configured listener has been bound by Kestrel.</summary>
    public bool AllBound => _bound.Count == listeners.Value.Count && _bound.Values.All(b => b.Endpoint.IPEndPoint is not null);

    public IEnumerable<(string Name, MailProtocol Protocol, TlsMode Tls, IPEndPoint? EndPoint)> Bound =>
        _bound.Select(b => (b.Key, b.Value.Options.Protocol, b.Value.Options.Tls, b.Value.Endpoint.IPEndPoint));

    /// <summary>The address a listener is bound to; with port 0 configured, the port the system chose (after start).</summary>
    public IPEndPoint EndPointOf(string name) => _bound[name].Endpoint.IPEndPoint!;

    public IEnumerable<string> Describe() =>
        _bound.Select(b => $"{b.Key} {b.Value.Options.Protocol.ToString().ToUpperInvariant()} {b.Value.Endpoint.IPEndPoint} (TLS {b.Value.Options.Tls.ToString().ToLowerInvariant()})");
}
