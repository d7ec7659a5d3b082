namespace OAuthRelay.Upstream;

/// <summary>One login attempt upstream was refused; <see cref="Reply"/> is what the server said (it carries no secret).</summary>
internal sealed class UpstreamLoginRefusedException(string reply, Exception? inner = null) : Exception(reply, inner)
{
    public string Reply { get; } = reply;
}
