namespace OAuthRelay.Fakes;

/// <summary>Reads LF-terminated lines (terminator included) from a stream through one reused buffer.</summary>
public sealed class BufferedLineReader(Stream stream)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>The next line with its CRLF, or null when the stream ends.</summary>
    public async Task<byte[]?> ReadLineAsync()
    {
        while (true)
        {
            var lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (lf >= 0)
            {
                var line = _buffer[_start..(lf + 1)];
                _start = lf + 1;
                return line;
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            var read = await stream.ReadAsync(_buffer.AsMemory(_end));
            if (read == 0) return null;
            _end += read;
        }
    }
}
