using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using OAuthRelay.Smtp.Backend;

namespace OAuthRelay.Smtp.Protocol;

/// <summary>
/// The content of DATA as a read-only stream: dot-unstuffed, otherwise byte for byte what the client sent, ending at
/// CRLF "." CRLF. Only that exact sequence ends the message: a bare LF or bare CR never starts a line, so
/// "\n.\n", "\r.\r" and "\r\n.\n" are content (the SMTP smuggling class). Nothing is buffered beyond the caller's
/// buffer and the pipe's segments, so memory does not grow with the message.
/// </summary>
internal sealed class MessageDataStream(PipeReader input, long maxSize, Func<CancellationToken> readTimeout) : Stream
{
    private enum State
    {
        Text,
        CarriageReturn,
        LineStart,
        Dot,
        DotCarriageReturn,
    }

    private State _state = State.LineStart;
    private long _length;

    /// <summary>The end-of-data mark has been read; the connection is back at the command level.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>Reading from the client failed (closed, reset, timed out): the conversation cannot go on.</summary>
    public bool TransportFailed { get; private set; }

    /// <summary>The message passed the size limit; the engine owes 552 5.3.4.</summary>
    public bool IsTooLarge { get; private set; }

    public override bool CanRead => true;
    public override bool CanWrite => false;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _length; set => throw new NotSupportedException(); }

    // Pooled builders: a large message suspends on the network many times, and each suspension would otherwise
    // allocate a state machine box, making allocation grow with message size.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (IsTooLarge) throw new MessageTooLargeException(maxSize);
        var count = await ReadDecodedAsync(destination);
        _length += count;
        if (_length > maxSize)
        {
            IsTooLarge = true;
            throw new MessageTooLargeException(maxSize);
        }

        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Reads and drops whatever the backend left unread, up to the end-of-data mark.</summary>
    public async Task DrainAsync()
    {
        var scratch = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (await ReadDecodedAsync(scratch) > 0)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadDecodedAsync(Memory<byte> destination)
    {
        if (IsComplete || destination.IsEmpty) return 0;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(readTimeout());
            }
            catch
            {
                TransportFailed = true;
                throw;
            }

            var written = Decode(result.Buffer, destination.Span, out var consumed);
            input.AdvanceTo(consumed);
            if (written > 0 || IsComplete) return written;
            if (result.IsCompleted)
            {
                TransportFailed = true;
                throw new EndOfStreamException("The connection closed before the end of the message data.");
            }
        }
    }

    private int Decode(ReadOnlySequence<byte> buffer, Span<byte> destination, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        var written = 0;
        while (written < destination.Length && !reader.End && !IsComplete)
        {
            var next = reader.UnreadSpan[0];
            switch (_state)
            {
                case State.Text:
                    // Copy the run up to and including the next CR in one go: this is the hot path.
                    var run = reader.UnreadSpan[..Math.Min(reader.UnreadSpan.Length, destination.Length - written)];
                    var carriageReturn = run.IndexOf((byte)'\r');
                    var take = carriageReturn < 0 ? run.Length : carriageReturn + 1;
                    run[..take].CopyTo(destination[written..]);
                    written += take;
                    reader.Advance(take);
                    if (carriageReturn >= 0) _state = State.CarriageReturn;
                    break;
                case State.CarriageReturn:
                    destination[written++] = next;
                    reader.Advance(1);
                    _state = next switch { (byte)'\n' => State.LineStart, (byte)'\r' => State.CarriageReturn, _ => State.Text };
                    break;
                case State.LineStart:
                    reader.Advance(1);
                    if (next == (byte)'.')
                    {
                        _state = State.Dot;
                        break;
                    }

                    destination[written++] = next;
                    _state = next == (byte)'\r' ? State.CarriageReturn : State.Text;
                    break;
                case State.Dot:
                    if (next == (byte)'\r')
                    {
                        reader.Advance(1);
                        _state = State.DotCarriageReturn;
                    }
                    else
                    {
                        // RFC 5321 4.5.2: a leading dot followed by more text is removed; the text is read as usual.
                        _state = State.Text;
                    }

                    break;
                case State.DotCarriageReturn:
                    if (next == (byte)'\n')
                    {
                        reader.Advance(1);
                        IsComplete = true;
                    }
                    else
                    {
                        // ".\r" then something else: the dot goes, the held CR is content.
                        destination[written++] = (byte)'\r';
                        _state = State.CarriageReturn;
                    }

                    break;
            }
        }

        consumed = reader.Position;
        return written;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
