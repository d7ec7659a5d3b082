namespace OAuthRelay.Upstream;

/// <summary>The IMAP or POP3 upstream said something a login cannot go on from (a BYE greeting, a closed connection).</summary>
public sealed class UpstreamProtocolException(string message) : Exception(message);
