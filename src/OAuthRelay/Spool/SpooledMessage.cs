namespace OAuthRelay.Spool;

/// <summary>
/// A message's content exactly as the client sent it, with its envelope: what a transport sends. It is on disk from
/// <paramref name="ContentOffset"/> of its file (a queue file starts with its envelope line), or, for a small
/// pass-through message, in memory (<see cref="Bytes"/>): then <paramref name="ContentPath"/> is the file it would
/// have had, which does not exist, so that files belonging to the message (a Graph draft's decoded attachments) still
/// go beside it.
/// </summary>
public sealed record SpooledMessage(Envelope Envelope, string ContentPath, long ContentOffset = 0)
{
    /// <summary>Content up to this size is read from its file in one synchronous read instead of streamed.</summary>
    internal const int ReadWholeBelow = 64 * 1024;

    /// <summary>The content, when it is held in memory instead of a file.</summary>
    public byte[]? Bytes { get; init; }

    /// <summary>The content's length in bytes.</summary>
    public long ContentLength => Bytes?.Length ?? new FileInfo(ContentPath).Length - ContentOffset;

    /// <summary>
    /// The content for reading. A small file is read whole at once: on Linux every asynchronous file read is a trip
    /// through the thread pool, which costs a small message more than the read itself.
    /// </summary>
    public Stream OpenContent()
    {
        if (Bytes is { } bytes) return new MemoryStream(bytes, writable: false);
        var handle = File.OpenHandle(ContentPath, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
        try
        {
            var length = RandomAccess.GetLength(handle) - ContentOffset;
            if (length < ReadWholeBelow)
            {
                using (handle)
                {
                    var content = new byte[length];
                    for (var read = 0; read < content.Length;)
                    {
                        var n = RandomAccess.Read(handle, content.AsSpan(read), ContentOffset + read);
                        if (n == 0) throw new EndOfStreamException($"{ContentPath} ended while it was read");
                        read += n;
                    }

                    return new MemoryStream(content, writable: false);
                }
            }

            var file = new FileStream(handle, FileAccess.Read, 64 * 1024, isAsync: true);
            file.Position = ContentOffset;
            return file;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}
