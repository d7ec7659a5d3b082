using System.Buffers;

namespace OAuthRelay.Connections;

/// <summary>
/// Reads its inner stream in large chunks and serves smaller reads from them. An SslStream over a socket asks for a
/// record header, then for the rest of each 16 KB record, then waits with a zero-byte read: two or three receive calls
/// per record, each a system call. Through this stream a burst of records costs one receive call and some copies.
/// The chunk is pooled and given back as soon as it is drained, and a zero-byte read with nothing buffered waits on the
/// inner stream without one, so an idle connection holds no buffer here. Writes go straight through and may run
/// while a read is pending (one reader, one writer).
/// </summary>
public sealed class ReadAheadStream(Stream inner, int chunkSize = 64 * 1024) : Stream
{
    private byte[]? _chunk;
    private int _start;
    private int _end;

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_chunk is not null) return Serve(buffer.Span);
        if (buffer.Length == 0 || buffer.Length >= chunkSize) return await inner.ReadAsync(buffer, cancellationToken);

        var chunk = ArrayPool<byte>.Shared.Rent(chunkSize);
        int read;
        try
        {
            read = await inner.ReadAsync(chunk.AsMemory(0, chunkSize), cancellationToken);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(chunk);
            throw;
        }

        return Fill(chunk, read, buffer.Span);
    }

    public override int Read(Span<byte> buffer)
    {
        if (_chunk is not null) return Serve(buffer);
        if (buffer.Length == 0 || buffer.Length >= chunkSize) return inner.Read(buffer);

        var chunk = ArrayPool<byte>.Shared.Rent(chunkSize);
        int read;
        try
        {
            read = inner.Read(chunk.AsSpan(0, chunkSize));
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(chunk);
            throw;
        }

        return Fill(chunk, read, buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Keeps what a chunk read brought (nothing at the end of the stream) and serves the caller from it.</summary>
    private int Fill(byte[] chunk, int read, Span<byte> buffer)
    {
        if (read == 0)
        {
            ArrayPool<byte>.Shared.Return(chunk);
            return 0;
        }

        (_chunk, _start, _end) = (chunk, 0, read);
        return Serve(buffer);
    }

    private int Serve(Span<byte> buffer)
    {
        var count = Math.Min(buffer.Length, _end - _start);
        _chunk.AsSpan(_start, count).CopyTo(buffer);
        _start += count;
        if (_start == _end)
        {
            ArrayPool<byte>.Shared.Return(_chunk!);
            _chunk = null;
        }

        return count;
    }

    /// <summary>A chunk still held is left to the garbage collector: a read may be finishing on another thread.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
