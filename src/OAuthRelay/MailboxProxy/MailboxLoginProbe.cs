using OAuthRelay.Connections;
using OAuthRelay.Tokens.Configuration;
using OAuthRelay.Upstream;

namespace OAuthRelay.MailboxProxy;

/// <summary>Logs in to the IMAP or POP3 upstream and leaves again, for <see cref="UpstreamRefusalProbe"/>.</summary>
internal sealed class MailboxLoginProbe(MailProtocol protocol, MailboxUpstreamConnector connector) : IUpstreamLoginProbe
{
    public string Resource => TokenResource.For(protocol).Name;

    public async Task ProbeAsync(UpstreamIdentity identity, CancellationToken cancellationToken)
    {
        await using var mailbox = await connector.ConnectAsync(protocol, identity, "(login probe)", cancellationToken);
    }
}
