using Microsoft.Extensions.Options;
using OAuthRelay.Clients;
using OAuthRelay.Delivery.Graph;
using OAuthRelay.Smtp.Backend;
using OAuthRelay.Tokens;
using OAuthRelay.Tokens.Configuration;
using OAuthRelay.Upstream;

namespace OAuthRelay.Delivery;

/// <summary>
/// Which transport carries an account's mail and as whom: the capture folder (no identity needed), or the upstream as
/// the account's mailbox (SMTP with XOAUTH2, or Microsoft Graph for accounts with Transport Graph), or SMTP with the
/// client's own credentials when OAuth is off for it. Also names the mailbox whose limits a send counts against, and
/// those limits (Exchange's for SMTP, Graph's for Graph).
/// </summary>
internal sealed class DeliveryTransports(
    IOptions<DeliveryOptions> options,
    IOptions<UpstreamOptions> upstream,
    IMessageTransport transport,
    GraphMessageTransport graph,
    UpstreamLogin login,
    TokenService tokens)
{
    private bool Capturing => options.Value.Mode == DeliveryDestination.Capture;

    /// <summary>The transport for a send as <paramref name="identity"/>: capture, Graph or SMTP.</summary>
    public IMessageTransport TransportFor(UpstreamIdentity identity) => ThroughGraph(identity) ? graph : transport;

    /// <summary>How fast and how many at once a mailbox may send through the transport its sends take.</summary>
    public MailboxLimits LimitsFor(UpstreamIdentity identity) => ThroughGraph(identity)
        ? new MailboxLimits(upstream.Value.Graph.MessagesPerMinute, upstream.Value.Graph.MaxConcurrentRequestsPerMailbox)
        : new MailboxLimits(upstream.Value.MessagesPerMinute, upstream.Value.MaxConnectionsPerMailbox);

    public string Describe()
    {
        var throughGraph = Capturing ? [] : tokens.AccountNames.Where(a => tokens.Options(a).Transport == AccountTransport.Graph).ToList();
        return throughGraph.Count == 0 ? transport.Describe() : $"{transport.Describe()}; account(s) {string.Join(", ", throughGraph)} through {graph.Describe()}";
    }

    /// <summary>Who a client's message goes upstream as (nobody when captured).</summary>
    public UpstreamIdentity IdentityFor(RelayClient client, SmtpCredentials? credentials) =>
        Capturing ? UpstreamIdentity.Anonymous : login.IdentityFor(client, credentials?.UserName, credentials?.Password);

    /// <summary>Whether the running relay can send as this account (one queued under an account since removed cannot).</summary>
    public bool Serves(string? account) => Capturing || account is null || tokens.AccountNames.Contains(account);

    /// <summary>Who a queued message goes upstream as: its account, or nobody (a client with OAuth off and no password).</summary>
    public UpstreamIdentity IdentityFor(string? account) =>
        Capturing || account is null ? UpstreamIdentity.Anonymous : UpstreamIdentity.OAuth(account, tokens.Options(account).Mailbox);

    /// <summary>The mailbox a send as <paramref name="identity"/> counts against (Exchange's limits are per mailbox).</summary>
    public static string MailboxOf(UpstreamIdentity identity) => identity.Mailbox;

    private bool ThroughGraph(UpstreamIdentity identity) =>
        !Capturing && identity.Account is { } account && tokens.AccountNames.Contains(account) && tokens.Options(account).Transport == AccountTransport.Graph;
}
