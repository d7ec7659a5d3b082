using System.Net;

namespace OAuthRelay.Delivery.Graph;

/// <summary>
/// <paramref name="length"/> bytes of a file from <paramref name="offset"/>, read from disk each time the request is
/// sent, so an upload request can be sent again (a retry) and only one copy buffer is in memory.
/// </summary>
internal sealed class FileRangeContent(string path, long offset, long length) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
        file.Position = offset;
        var buffer = new byte[64 * 1024];
        for (var left = length; left > 0;)
        {
            var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken);
            if (read == 0) throw new IOException($"{path} ended {left} bytes early.");
            await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            left -= read;
        }
    }

    protected override bool TryComputeLength(out long length1)
    {
        length1 = length;
        return true;
    }
}
