using OAuthRelay.Tokens;
using OAuthRelay.Tokens.Configuration;
using OAuthRelay.Upstream;

namespace OAuthRelay.Delivery.Graph;

/// <summary>For <see cref="UpstreamRefusalProbe"/>: an empty sendMail tells whether Graph takes the account's token and mailbox again.</summary>
internal sealed class GraphLoginProbe(GraphMessageTransport transport, UpstreamLogin login, TokenService tokens) : IUpstreamLoginProbe
{
    public string Resource => TokenResource.GraphName;

    public async Task ProbeAsync(UpstreamIdentity identity, CancellationToken cancellationToken)
    {
        var account = tokens.Options(identity.Account!);
        await login.LogInAsync(identity, TokenResource.Graph(account),
            token => transport.ClientFor(account, token!).ProbeAsync(cancellationToken), GraphRefusals.Describe, cancellationToken);
    }
}
