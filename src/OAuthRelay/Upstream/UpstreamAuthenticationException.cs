namespace OAuthRelay.Upstream;

/// <summary>The upstream refused the relay's authentication (535), even after a fresh token.</summary>
public sealed class UpstreamAuthenticationException(string identity, string upstreamReply, Exception? inner)
    : Exception($"The upstream refused authentication as {identity}: {upstreamReply}", inner)
{
    public string UpstreamReply { get; } = upstreamReply;
}
