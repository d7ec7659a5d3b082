using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using OAuthRelay.Connections;
using OAuthRelay.Mailbox.Backend;

namespace OAuthRelay.MailboxProxy;

/// <summary>A TLS connection to the IMAP or POP3 upstream, logged in (or about to be), seen as pipes.</summary>
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
        Pipe = new DuplexPipe(
            PipeReader.Create(tls, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true)),
            PipeWriter.Create(tls, new StreamPipeWriterOptions(leaveOpen: true)));
    }

    public IDuplexPipe Pipe { get; }

    public IReadOnlyList<string> Capabilities { get; set; } = [];

    public string Client { get; }

    public string Account { get; }

    public async ValueTask DisposeAsync()
    {
        await Pipe.Input.CompleteAsync();
        await Pipe.Output.CompleteAsync();
        await _tls.DisposeAsync();
        _socket.Dispose();
    }
}
