using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace OAuthRelay.Fakes;

/// <summary>
/// What the fake Office 365 IMAP and POP3 servers share: implicit TLS on 127.0.0.1 (port 0) with a test certificate,
/// XOAUTH2 tokens checked against the fake Entra ID (the user must match), basic users for clients whose OAuth is
/// off, a small mailbox, and a record of every login.
/// </summary>
public abstract class FakeMailboxServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly FakeEntraId _entra;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<byte[]> _messages = [];

    protected FakeMailboxServer(FakeEntraId entra)
    {
        _entra = entra;
        _listener.Start();
        _ = AcceptAsync();
    }

    public sealed record Login(string Mechanism, string User);

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    public string CertificatePem => FakeCertificate.Pem;

    /// <summary>Successful logins, in order.</summary>
    public ConcurrentQueue<Login> Logins { get; } = new();

    /// <summary>Refused logins (any mechanism).</summary>
    public int RefusedLogins;

    public Dictionary<string, string> BasicUsers { get; } = [];

    /// <summary>Refuse every XOAUTH2 token, as Exchange does once access is revoked.</summary>
    public bool RejectTokens { get; set; }

    public int Connections;

    /// <summary>Raised when a message is added, so that sessions can tell IDLE clients.</summary>
    protected event Action<int>? MessageAdded;

    public IReadOnlyList<byte[]> Messages
    {
        get
        {
            lock (_messages) return [.. _messages];
        }
    }

    public void AddMessage(byte[] message)
    {
        int count;
        lock (_messages)
        {
            _messages.Add(message);
            count = _messages.Count;
        }

        MessageAdded?.Invoke(count);
    }

    /// <summary>Checks an XOAUTH2 initial response and records the login.</summary>
    protected bool AcceptXOAuth2(string base64)
    {
        var (user, token) = XOAuth2Response.Parse(base64);
        return Record(!RejectTokens && _entra.IsValidAccessToken(token, user), "XOAUTH2", user);
    }

    protected bool AcceptBasic(string mechanism, string user, string password) =>
        Record(BasicUsers.TryGetValue(user, out var expected) && expected == password, mechanism, user);

    private bool Record(bool accepted, string mechanism, string user)
    {
        if (accepted) Logins.Enqueue(new Login(mechanism, user));
        else Interlocked.Increment(ref RefusedLogins);
        return accepted;
    }

    protected abstract Task ServeAsync(FakeLineConnection connection);

    private async Task AcceptAsync()
    {
        try
        {
            while (true) _ = ServeTlsAsync(await _listener.AcceptTcpClientAsync(_stop.Token));
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task ServeTlsAsync(TcpClient tcp)
    {
        Interlocked.Increment(ref Connections);
        tcp.NoDelay = true;
        using var _ = tcp;
        try
        {
            var tls = new SslStream(tcp.GetStream());
            await tls.AuthenticateAsServerAsync(FakeCertificate.Instance);
            await ServeAsync(new FakeLineConnection(tls));
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
