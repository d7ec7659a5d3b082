using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace OAuthRelay.Fakes;

/// <summary>What every fake mail server shares: a listener on 127.0.0.1 (port 0), the accept loop and a connection count.</summary>
public abstract class FakeServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();

    protected FakeServer()
    {
        _listener.Start();
        _ = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>The default certificate as PEM, for the relay's Upstream:TrustedCaFile.</summary>
    public string CertificatePem => FakeCertificate.Pem;

    /// <summary>What the server presents in its TLS handshakes from now on: a certificate and the chain sent with it.</summary>
    public SslStreamCertificateContext Certificate { get; set; } = FakeCertificate.Context;

    public int Connections;

    /// <summary>Serves one accepted connection; I/O errors end it quietly.</summary>
    protected abstract Task ServeAsync(Stream connection);

    private async Task AcceptAsync()
    {
        try
        {
            while (true) _ = RunAsync(await _listener.AcceptTcpClientAsync(_stop.Token));
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task RunAsync(TcpClient tcp)
    {
        Interlocked.Increment(ref Connections);
        tcp.NoDelay = true; // replies are small separate writes: without this, Nagle and delayed ACKs add 40 ms stalls
        using var _ = tcp;
        try
        {
            await ServeAsync(tcp.GetStream());
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        await _stop.CancelAsync();
        _listener.Stop();
    }
}
