using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using OAuthRelay.Connections;
using OAuthRelay.Mailbox.Backend;

namespace OAuthRelay.MailboxProxy;

/// <summary>
/// A TLS connection to the IMAP or POP3 upstream: seen as pipes for the login conversation, then handed to the splice
/// as the TLS stream itself, which the splice reads straight into the client's pipe.
/// </summary>
internal sealed class UpstreamMailbox : IUpstreamMailbox
{
    private readonly Socket _socket;
    private readonly SslStream _tls;

    public UpstreamMailbox(Socket socket, SslStream tls, string client, string account)
    {
        _socket = socket;
        _tls = tls;
        Client = client;
        Account = account;
        Pipe = new DuplexPipe(PipeReader.Create(tls, new StreamPipeReaderOptions(leaveOpen: true)), PipeWriter.Create(tls, new StreamPipeWriterOptions(leaveOpen: true)));
    }

    /// <summary>The connection for the login conversation, until <see cref="EndConversationAsync"/>.</summary>
    public IDuplexPipe Pipe { get; }

    public Stream Stream => _tls;

    public ReadOnlyMemory<byte> Received { get; private set; }

    public IReadOnlyList<string> Capabilities { get; set; } = [];

    public string Client { get; }

    public string Account { get; }

    /// <summary>Sends what the conversation wrote, keeps what it read ahead and lets go of the pipes.</summary>
    public async Task EndConversationAsync(CancellationToken cancellationToken)
    {
        await Pipe.Output.FlushAsync(cancellationToken);
        if (Pipe.Input.TryRead(out var result))
        {
            Received = result.Buffer.ToArray();
            Pipe.Input.AdvanceTo(result.Buffer.End);
        }

        await Pipe.Input.CompleteAsync();
        await Pipe.Output.CompleteAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Pipe.Input.CompleteAsync();
        await Pipe.Output.CompleteAsync();
        await _tls.DisposeAsync();
        _socket.Dispose();
    }
}
