using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace OAuthRelay.Delivery.Graph;

/// <summary>
/// The body of a MIME sendMail: base64 of a prefix (the Bcc header the relay adds, and the header block if it changed)
/// followed by the rest of the spooled message, encoded while it is sent, so the message is never held in memory,
/// encoded or not.
/// </summary>
internal sealed class Base64MimeContent : HttpContent
{
    private readonly byte[] _prefix;
    private readonly Func<Stream> _open;
    private readonly long _length;

    public Base64MimeContent(byte[] prefix, Func<Stream> open, long messageLength)
    {
        _prefix = prefix;
        _open = open;
        _length = EncodedLength(prefix.Length + messageLength);
        Headers.ContentType = new MediaTypeHeaderValue("text/plain");
    }

    /// <summary>How many characters base64 makes of <paramref name="bytes"/> bytes (padded, no line breaks).</summary>
    public static long EncodedLength(long bytes) => (bytes + 2) / 3 * 4;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using var source = _open();
        await using var base64 = new CryptoStream(stream, new ToBase64Transform(), CryptoStreamMode.Write, leaveOpen: true);
        await base64.WriteAsync(_prefix, cancellationToken);
        await source.CopyToAsync(base64, 48 * 1024, cancellationToken);
        await base64.FlushFinalBlockAsync(cancellationToken);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }
}
