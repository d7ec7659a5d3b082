namespace OAuthRelay.Spool;

/// <summary>
/// Message content on disk is readable by the relay's user only: folders 0700, files 0600 from the moment they exist
/// (not chmod'ed afterwards), whatever the process umask.
/// </summary>
internal static class PrivateStorage
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else
        {
            Directory.CreateDirectory(path, OwnerOnlyFolder);
            File.SetUnixFileMode(path, OwnerOnlyFolder); // an existing folder from an older version is tightened too
        }
    }

    /// <summary>A new file (it must not exist) for writing, asynchronously, 0600.</summary>
    public static FileStream CreateFile(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 64 * 1024, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return new FileStream(path, options);
    }

    /// <summary>
    /// Copies <paramref name="content"/> into a new private file, flushed to the disk itself when asked; on any
    /// failure the file is removed. Returns the number of bytes written.
    /// </summary>
    public static Task<long> WriteAsync(string path, Stream content, bool flushToDisk, CancellationToken cancellationToken) =>
        WriteAsync(path, ReadOnlyMemory<byte>.Empty, content, flushToDisk, cancellationToken);

    /// <summary>The same, the file starting with <paramref name="start"/> (content already read) before the rest.</summary>
    public static async Task<long> WriteAsync(string path, ReadOnlyMemory<byte> start, Stream content, bool flushToDisk, CancellationToken cancellationToken)
    {
        try
        {
            await using var file = CreateFile(path);
            await file.WriteAsync(start, cancellationToken);
            await content.CopyToAsync(file, 64 * 1024, cancellationToken);
            await file.FlushAsync(cancellationToken);
            if (flushToDisk) file.Flush(flushToDisk: true);
            return file.Length;
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }
}
