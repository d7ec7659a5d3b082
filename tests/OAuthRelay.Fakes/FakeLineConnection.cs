using System.Net.Security;
using System.Text;

namespace OAuthRelay.Fakes;

/// <summary>
/// The fakes' side of a line-based mail connection: lines and raw bytes out (serialised, so a fake can push an
/// untagged response while a command is being read), lines in, and the switch to TLS.
/// </summary>
public sealed class FakeLineConnection(Stream stream)
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private Stream _stream = stream;
    private BufferedLineReader _reader = new(stream);

    public bool IsSecure => _stream is SslStream;

    public async Task WriteLineAsync(string line) => await WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"));

    public async Task WriteAsync(params byte[][] parts)
    {
        await _writeLock.WaitAsync();
        try
        {
            foreach (var part in parts) await _stream.WriteAsync(part);
            await _stream.FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task StartTlsAsync(SslStreamCertificateContext certificate)
    {
        var tls = new SslStream(_stream);
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = certificate });
        _stream = tls;
        _reader = new BufferedLineReader(tls); // nothing read before the handshake is kept
    }

    /// <summary>The next line without its CRLF, or null when the peer closed.</summary>
    public async Task<string?> ReadLineAsync()
    {
        var line = await _reader.ReadLineAsync();
        return line is null ? null : Encoding.UTF8.GetString(line).TrimEnd('\r', '\n');
    }

    /// <summary>The next line with its CRLF, as bytes.</summary>
    public Task<byte[]?> ReadRawLineAsync() => _reader.ReadLineAsync();

    public ValueTask CloseAsync() => _stream.DisposeAsync();
}
