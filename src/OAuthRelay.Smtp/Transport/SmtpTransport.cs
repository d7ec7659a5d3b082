using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Text;
using OAuthRelay.Smtp.Protocol;

namespace OAuthRelay.Smtp.Transport;

/// <summary>
/// The byte level of one SMTP connection: command lines in, replies out, and the switch to TLS.
/// Replies are buffered and flushed only when the client's pipelined input has all been answered (RFC 2920).
/// </summary>
internal sealed class SmtpTransport(PipeReader input, PipeWriter output) : IAsyncDisposable
{
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private SslStream? _tls;
    private bool _needMoreData;

    public PipeReader Input { get; private set; } = input;

    public PipeWriter Output { get; private set; } = output;

    public bool IsSecure => _tls is not null;

    public string? TlsDescription => _tls is null ? null : $"{_tls.SslProtocol} {_tls.NegotiatedCipherSuite}";

    /// <summary>
    /// Reads one line that ends in LF. Lines over <paramref name="maxLength"/> bytes (CRLF included) are dropped up to
    /// their end and answered 500 5.5.6; a line with NUL, bare CR or a bare LF ending is answered 500 5.5.2.
    /// </summary>
    public async ValueTask<LineReadResult> ReadLineAsync(int maxLength, CancellationToken cancellationToken)
    {
        var discarding = false;
        while (true)
        {
            if (_needMoreData || !Input.TryRead(out var result))
            {
                await Output.FlushAsync(cancellationToken);
                result = await Input.ReadAsync(cancellationToken);
            }

            var buffer = result.Buffer;
            var lineFeed = buffer.PositionOf((byte)'\n');
            if (lineFeed is null)
            {
                _needMoreData = true;
                if (discarding || buffer.Length >= maxLength)
                {
                    // Never hold an over-long line in memory: drop it as it arrives.
                    discarding = true;
                    Input.AdvanceTo(buffer.End);
                }
                else
                {
                    Input.AdvanceTo(buffer.Start, buffer.End);
                }

                if (result.IsCompleted) return LineReadResult.Closed;
                continue;
            }

            _needMoreData = false;
            var line = buffer.Slice(0, lineFeed.Value);
            var next = buffer.GetPosition(1, lineFeed.Value);
            var parsed = discarding || line.Length + 1 > maxLength
                ? new LineReadResult(null, SmtpReplies.LineTooLong)
                : Decode(line);
            Input.AdvanceTo(next);
            return parsed;
        }
    }

    private static LineReadResult Decode(ReadOnlySequence<byte> line)
    {
        Span<byte> bytes = line.Length <= 1024 ? stackalloc byte[(int)line.Length] : new byte[line.Length];
        line.CopyTo(bytes);
        if (bytes.IsEmpty || bytes[^1] != (byte)'\r') return new LineReadResult(null, SmtpReplies.BadLineEnding);
        bytes = bytes[..^1];
        if (bytes.IndexOfAny((byte)'\r', (byte)0) >= 0) return new LineReadResult(null, SmtpReplies.BadLineEnding);
        try
        {
            return new LineReadResult(StrictUtf8.GetString(bytes), null);
        }
        catch (DecoderFallbackException)
        {
            return new LineReadResult(null, SmtpReplies.SyntaxError("invalid UTF-8"));
        }
    }

    /// <summary>Queues a reply; it is sent at the next flush or when the engine waits for input.</summary>
    public void Write(SmtpReply reply)
    {
        for (var i = 0; i < reply.Lines.Count; i++)
        {
            var separator = i == reply.Lines.Count - 1 ? ' ' : '-';
            // Reply text can come from an upstream server: a CR or LF in it must not start a reply of its own.
            var text = reply.Lines[i].ReplaceLineEndings(" ");
            var line = reply.EnhancedStatus is null
                ? $"{reply.Code}{separator}{text}\r\n"
                : $"{reply.Code}{separator}{reply.EnhancedStatus} {text}\r\n";
            var span = Output.GetSpan(Encoding.UTF8.GetMaxByteCount(line.Length));
            Output.Advance(Encoding.UTF8.GetBytes(line, span));
        }
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken) => await Output.FlushAsync(cancellationToken);

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

    public async Task UpgradeToTlsAsync(SslServerAuthenticationOptions options, CancellationToken cancellationToken)
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
        Input = PipeReader.Create(tls, new StreamPipeReaderOptions(bufferSize: 4096, leaveOpen: true));
        Output = PipeWriter.Create(tls, new StreamPipeWriterOptions(leaveOpen: true));
    }

    public async ValueTask DisposeAsync()
    {
        if (_tls is null) return;
        await Input.CompleteAsync();
        await Output.CompleteAsync();
        await _tls.DisposeAsync();
    }
}
