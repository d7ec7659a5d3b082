using Microsoft.Extensions.Options;
using OAuthRelay.Clients;
using OAuthRelay.Smtp.Backend;
using OAuthRelay.Tokens;
using OAuthRelay.Upstream;

namespace OAuthRelay.Delivery;

/// <summary>
/// Which transport carries an account's mail and as whom: the capture folder (no identity needed), or the upstream as
/// the account's mailbox with XOAUTH2, or with the client's own credentials when OAuth is off for it. Also names the
/// mailbox whose limits a send counts against.
/// </summary>
internal sealed class DeliveryTransports(
    IOptions<DeliveryOptions> options,
    IMessageTransport transport,
    UpstreamLogin login,
    TokenService tokens)
{
    private bool Capturing => options.Value.Mode == DeliveryDestination.Capture;

    /// <summary>The capture folder or the upstream, as Delivery:Mode says.</summary>
    public IMessageTransport Transport => transport;

    public string Describe() => Transport.Describe();

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
}
