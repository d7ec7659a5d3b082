using Microsoft.Extensions.Options;
using OAuthRelay.Spool;
using OAuthRelay.Upstream;

namespace OAuthRelay.Delivery;

/// <summary>
/// Pass-through delivery to the upstream server: the client's reply at each step is the upstream's verdict. A client
/// with OAuth on goes out as its account's mailbox with XOAUTH2; with OAuth off, with its own credentials.
/// </summary>
internal sealed class UpstreamDelivery(UpstreamSmtpPool pool, MessageSpool spool, UpstreamLogin login, IOptions<UpstreamOptions> options, ILogger<UpstreamDelivery> logger) : IMessageDelivery
{
    public string Describe() => $"pass-through to {options.Value.Host}:{options.Value.Port} ({options.Value.Tls}), at most {options.Value.MaxConnectionsPerMailbox} connections per mailbox";

    public IDeliveryTransaction Begin(DeliveryRoute route) =>
        new UpstreamTransaction(pool, spool, login.IdentityFor(route.Client, route.Credentials?.UserName, route.Credentials?.Password), logger);
}
