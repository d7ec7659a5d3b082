namespace OAuthRelay.Mailbox.Backend;

/// <summary>An upstream IMAP or POP3 session already logged in, ready to be spliced to the client.</summary>
public interface IUpstreamMailbox : IAsyncDisposable
{
    /// <summary>The connection, past the login conversation.</summary>
    Stream Stream { get; }

    /// <summary>Bytes the upstream sent after its login reply, read during login: they go to the client first.</summary>
    ReadOnlyMemory<byte> Received { get; }

    /// <summary>The upstream's IMAP capabilities after login (empty for POP3).</summary>
    IReadOnlyList<string> Capabilities { get; }

    /// <summary>The relay client name, for the session's log line.</summary>
    string Client { get; }

    /// <summary>The upstream identity (mailbox and how it authenticated), for the session's log line.</summary>
    string Account { get; }
}
