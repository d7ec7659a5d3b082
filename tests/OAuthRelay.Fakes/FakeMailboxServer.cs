using System.Collections.Concurrent;
using System.Net.Security;

namespace OAuthRelay.Fakes;

/// <summary>
/// What the fake Office 365 IMAP and POP3 servers share: implicit TLS on 127.0.0.1 (port 0) with a test certificate,
/// XOAUTH2 tokens checked against the fake Entra ID (the user must match), basic users for clients whose OAuth is
/// off, a small mailbox, and a record of every login.
/// </summary>
public abstract class FakeMailboxServer(FakeEntraId entra) : FakeServer
{
    private readonly List<byte[]> _messages = [];

    public sealed record Login(string Mechanism, string User);

    /// <summary>Successful logins, in order.</summary>
    public ConcurrentQueue<Login> Logins { get; } = new();

    /// <summary>Refused logins (any mechanism).</summary>
    public int RefusedLogins;

    public Dictionary<string, string> BasicUsers { get; } = [];

    /// <summary>Refuse every XOAUTH2 token, as Exchange does once access is revoked.</summary>
    public bool RejectTokens { get; set; }

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
        return Record(!RejectTokens && entra.IsValidAccessToken(token, user), "XOAUTH2", user);
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

    protected override async Task ServeAsync(Stream connection)
    {
        var tls = new SslStream(connection);
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = Certificate });
        await ServeAsync(new FakeLineConnection(tls));
    }
}
