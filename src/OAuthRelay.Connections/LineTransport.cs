using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;

namespace OAuthRelay.Connections;

/// <summary>
/// The byte level of a line-based mail protocol connection (SMTP, IMAP, POP3): CRLF lines in, text out, raw byte
/// counts for literals, and the switch to TLS. Output is buffered and flushed when the engine waits for input, so
/// answers to pipelined commands leave together.
/// </summary>
public class LineTransport(PipeReader input, PipeWriter output) : IAsyncDisposable
{
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private SslStream? _tls;
    private bool _needMoreData;

    public PipeReader Input { get; private set; } = input;

    public PipeWriter Output { get; private set; } = output;

    public bool IsSecure => _tls is not null;

    /// <summary>
    /// Reading from or writing to the peer failed (reset, aborted, closed under us): the conversation is over. An
    /// exception seen while this is false came from elsewhere (a backend, a bug) and deserves an answer.
    /// </summary>
    public bool Broken { get; private set; }

    /// <summary>Records that the connection failed where this transport could not see it (a stream read from its pipe).</summary>
    public void MarkBroken() => Broken = true;

    public string? TlsDescription => _tls is null ? null : $"{_tls.SslProtocol} {_tls.NegotiatedCipherSuite}";

    /// <summary>
    /// Reads one line that ends in LF. Lines over <paramref name="maxLength"/> bytes (CRLF included) are dropped up to
    /// their end as they arrive, never held in memory.
    /// </summary>
    public async ValueTask<TextLine> ReadLineAsync(int maxLength, CancellationToken cancellationToken)
    {
        var discarding = false;
        while (true)
        {
            var buffer = await ReadAsync(cancellationToken);
            if (buffer is null) return TextLine.Closed;
            var lineFeed = buffer.Value.PositionOf((byte)'\n');
            if (lineFeed is null)
            {
                _needMoreData = true;
                discarding |= buffer.Value.Length >= maxLength;
                if (discarding) Input.AdvanceTo(buffer.Value.End);
                else Input.AdvanceTo(buffer.Value.Start, buffer.Value.End);
                continue;
            }

            _needMoreData = false;
            var line = buffer.Value.Slice(0, lineFeed.Value);
            var parsed = discarding || line.Length + 1 > maxLength ? new TextLine(null, LineError.TooLong) : Decode(line);
            Input.AdvanceTo(buffer.Value.GetPosition(1, lineFeed.Value));
            return parsed;
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes (an IMAP literal), or null when the connection ends first.</summary>
    public async ValueTask<byte[]?> ReadBytesAsync(int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            var buffer = await ReadAsync(cancellationToken);
            if (buffer is null) return null;
            if (buffer.Value.Length >= count)
            {
                _needMoreData = false;
                var bytes = buffer.Value.Slice(0, count).ToArray();
                Input.AdvanceTo(buffer.Value.GetPosition(count));
                return bytes;
            }

            _needMoreData = true;
            Input.AdvanceTo(buffer.Value.Start, buffer.Value.End);
        }
    }

    /// <summary>The buffered input, reading more only when the last look found too little; null when the peer closed.</summary>
    private async ValueTask<ReadOnlySequence<byte>?> ReadAsync(CancellationToken cancellationToken)
    {
        if (_needMoreData || !Input.TryRead(out var result))
        {
            await FlushAsync(cancellationToken);
            try
            {
                result = await Input.ReadAsync(cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                Broken = true;
                throw;
            }
        }

        if (result.IsCompleted && (_needMoreData || result.Buffer.IsEmpty))
        {
            Input.AdvanceTo(result.Buffer.End);
            return null;
        }

        return result.Buffer;
    }

    private static TextLine Decode(ReadOnlySequence<byte> line)
    {
        Span<byte> bytes = line.Length <= 1024 ? stackalloc byte[(int)line.Length] : new byte[line.Length];
        line.CopyTo(bytes);
        if (bytes.IsEmpty || bytes[^1] != (byte)'\r') return new TextLine(null, LineError.BadEnding);
        bytes = bytes[..^1];
        if (bytes.IndexOfAny((byte)'\r', (byte)0) >= 0) return new TextLine(null, LineError.BadEnding);
        try
        {
            return new TextLine(StrictUtf8.GetString(bytes), LineError.None);
        }
        catch (DecoderFallbackException)
        {
            return new TextLine(null, LineError.InvalidUtf8);
        }
    }

    /// <summary>Queues text (UTF-8); it is sent at the next flush or when the engine waits for input.</summary>
    public void WriteText(string text)
    {
        var span = Output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        Output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Output.FlushAsync(cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            Broken = true;
            throw;
        }
    }

    /// <summary>
    /// Drops every byte the client sent after the current command, so that nothing pipelined behind STARTTLS is
    /// read as a command once TLS is up (CVE-2011-0411). Returns how many bytes were dropped.
    /// </summary>
    public long DiscardBufferedInput()
    {
        if (!Input.TryRead(out var result)) return 0;
        Input.AdvanceTo(result.Buffer.End);
        return result.Buffer.Length;
    }

    /// <summary>
    /// Sends what is queued (a reply before closing), giving up after a few seconds: a client that stopped reading
    /// must not hold the connection open. A client already gone is not an error here.
    /// </summary>
    public async Task FlushBeforeCloseAsync(TimeProvider time)
    {
        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);
            await Output.FlushAsync(limit.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException or ObjectDisposedException)
        {
            // Nobody left to tell.
        }
    }

    /// <summary>
    /// Runs the server side of a TLS 1.2/1.3 handshake (implicit TLS, or after STARTTLS/STLS) and logs how it went.
    /// False when it failed or timed out: the connection is then unusable and must close.
    /// </summary>
    public async Task<bool> TryUpgradeToTlsAsync(X509Certificate2 certificate, ILogger logger, string connectionId, CancellationToken cancellationToken)
    {
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificate = certificate,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificateRequired = false,
        };
        try
        {
            await UpgradeToTlsAsync(options, cancellationToken);
            ConnectionLog.TlsEstablished(logger, connectionId, TlsDescription);
            return true;
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            ConnectionLog.TlsFailed(logger, connectionId, e.GetType().Name, e.Message);
            return false;
        }
    }

    private async Task UpgradeToTlsAsync(SslServerAuthenticationOptions options, CancellationToken cancellationToken)
    {
        await Output.FlushAsync(cancellationToken);
        var tls = new SslStream(new DuplexPipeStream(Input, Output), leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsServerAsync(options, cancellationToken);
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }

        _tls = tls;
        _needMoreData = false;
        Input = PipeReader.Create(tls, new StreamPipeReaderOptions(bufferSize: 4096, leaveOpen: true, useZeroByteReads: true));
        Output = PipeWriter.Create(tls, new StreamPipeWriterOptions(leaveOpen: true));
    }

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (_tls is null) return;
        await Input.CompleteAsync();
        await Output.CompleteAsync();
        await _tls.DisposeAsync();
    }
}
