using OAuthRelay.Connections;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OAuthRelay.Smtp.Backend;
using OAuthRelay.Smtp.Server;

namespace OAuthRelay.Hosting;

/// <summary>Binds every configured listener to Kestrel and remembers where each one ended up listening.</summary>
public sealed class SmtpListeners(
    IOptions<Dictionary<string, ListenerOptions>> listeners,
    IOptions<SmtpServerOptions> server,
    ConnectionLimiter limiter,
    ISmtpBackend backend,
    CertificateProvider certificates,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<SmtpConnectionHandler> logger)
{
    private readonly Dictionary<string, (ListenOptions Endpoint, ListenerOptions Options)> _bound = [];

    public void Bind(KestrelServerOptions kestrel)
    {
        if (listeners.Value.Count == 0) throw new InvalidOperationException("No listeners configured: add one under \"Listeners\".");
        foreach (var (name, options) in listeners.Value)
        {
            var certificate = options.Tls == TlsMode.None ? null : certificates.For(name, options, server.Value.HostName);
            var address = options.ParseAddress();
            var settings = new SmtpListenerSettings(name, options.Tls, certificate, options.AllowCleartextAuth ?? IPAddress.IsLoopback(address), options.RequireTls);
            var handler = new SmtpConnectionHandler(settings, server.Value, limiter, backend, time, logger, lifetime.ApplicationStopping);
            kestrel.Listen(address, options.Port, endpoint =>
            {
                endpoint.Run(handler.OnConnectedAsync);
                _bound[name] = (endpoint, options);
            });
        }
    }

    /// <summary>The address a listener is bound to; with port 0 configured, the port the system chose (after start).</summary>
    public IPEndPoint EndPointOf(string name) => _bound[name].Endpoint.IPEndPoint!;

    public IEnumerable<string> Describe() =>
        _bound.Select(b => $"{b.Key} {b.Value.Endpoint.IPEndPoint} (TLS {b.Value.Options.Tls.ToString().ToLowerInvariant()})");
}
