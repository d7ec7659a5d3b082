using OAuthRelay.Connections;

namespace OAuthRelay.Upstream;

/// <summary>Logs in to one protocol's upstream and leaves again, to find out whether the upstream takes an identity's login.</summary>
internal interface IUpstreamLoginProbe
{
    MailProtocol Protocol { get; }

    /// <summary>Completes when the upstream took the login; throws as a real login would when it did not.</summary>
    Task ProbeAsync(UpstreamIdentity identity, CancellationToken cancellationToken);
}
