namespace OAuthRelay.Upstream;

/// <summary>
/// The upstream refused the relay's login: with XOAUTH2 even after a fresh token (the relay's credentials are at fault,
/// a temporary failure for the client), or with the client's own user name and password (the client's are wrong).
/// </summary>
public sealed class UpstreamAuthenticationException(string identity, string upstreamReply, bool clientsOwnCredentials, Exception? inner)
    : Exception($"The upstream refused authentication as {identity}: {upstreamReply}", inner)
{
    public string UpstreamReply { get; } = upstreamReply;

    /// <summary>OAuth is off for the client: it was the client's own password the upstream refused.</summary>
    public bool ClientsOwnCredentials { get; } = clientsOwnCredentials;
}
