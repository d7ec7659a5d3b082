namespace OAuthRelay.Upstream;

/// <summary>Logs in to one upstream and leaves again, to find out whether the upstream takes an identity's login.</summary>
internal interface IUpstreamLoginProbe
{
    /// <summary>The name of the token resource whose upstream this probes (SMTP, IMAP, POP3, Graph).</summary>
    string Resource { get; }

    /// <summary>Completes when the upstream took the login; throws as a real login would when it did not.</summary>
    Task ProbeAsync(UpstreamIdentity identity, CancellationToken cancellationToken);
}
