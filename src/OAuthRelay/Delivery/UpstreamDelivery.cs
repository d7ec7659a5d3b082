using Microsoft.Extensions.Options;
using OAuthRelay.Spool;
using OAuthRelay.Tokens;
using OAuthRelay.Upstream;

namespace OAuthRelay.Delivery;

/// <summary>
/// Pass-through delivery to the upstream server: the client's reply at each step is the upstream's verdict. A client
/// with OAuth on goes out as its account's mailbox with XOAUTH2; with OAuth off, with its own credentials.
/// </summary>
internal sealed class UpstreamDelivery(UpstreamSmtpPool pool, MessageSpool spool, TokenService tokens, IOptions<UpstreamOptions> options) : IMessageDelivery
{
    public string Describe() => $"pass-through to {options.Value.Host}:{options.Value.Port} ({options.Value.Tls}), at most {options.Value.MaxConnectionsPerMailbox} connections per mailbox";

    public IDeliveryTransaction Begin(DeliveryRoute route) => new UpstreamTransaction(pool, spool, IdentityFor(route));

    private UpstreamIdentity IdentityFor(DeliveryRoute route) =>
        route.Client.OAuth ? UpstreamIdentity.OAuth(route.Client.Account!, tokens.Options(route.Client.Account!).Mailbox)
        : route.Credentials is { } credentials ? UpstreamIdentity.Basic(credentials.UserName, credentials.Password)
        : UpstreamIdentity.Anonymous;
}
