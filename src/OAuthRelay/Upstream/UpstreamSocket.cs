using System.Net.Sockets;

namespace OAuthRelay.Upstream;

internal static class UpstreamSocket
{
    /// <summary>
    /// A connected socket with Nagle off: mail protocols write small commands and marks separately, and with Nagle
    /// each would wait for the server's delayed ACK (about 40 ms per message).
    /// </summary>
    public static async Task<Socket> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            await socket.ConnectAsync(host, port, limit.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
