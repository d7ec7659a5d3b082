using System.Net.Sockets;

namespace OAuthRelay.Upstream;

/// <summary>
/// The one place that decides whether a failure on the way upstream is the network's (unreachable, reset, timed out,
/// TLS refused, the server hung up or said nothing sensible): such a failure is temporary, the connection is unusable,
/// and the client is told to try again later.
/// </summary>
internal static class NetworkFailure
{
    public static bool Is(Exception exception) => exception
        is IOException or SocketException or TimeoutException or OperationCanceledException
        or System.Security.Authentication.AuthenticationException // the TLS handshake, not SASL
        or MailKit.Security.SslHandshakeException or MailKit.ProtocolException or MailKit.ServiceNotConnectedException or MailKit.ServiceNotAuthenticatedException
        or UpstreamProtocolException;
}
